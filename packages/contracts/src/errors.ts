import { Schema } from "effect"

/**
 * The error of a failed reply: `tag` names what happened (a protocol error's tag such as
 * `SessionExpired` or `RateLimited`, or one of the contract's own below), `message` says it for
 * people, `details` carries what a program needs (Ret code, host…).
 */
export const ReplyError = Schema.Struct({
  tag: Schema.String,
  message: Schema.String,
  details: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
})
export type ReplyError = typeof ReplyError.Type

/** Tags the supervisor itself answers with (besides the protocol's error tags). */
export const ContractErrorTag = {
  /** The payload is not JSON or does not match the command's schema. */
  InvalidCommand: "InvalidCommand",
  /** No such operation. */
  UnknownOperation: "UnknownOperation",
  /** The fleet has no such account. */
  UnknownAccount: "UnknownAccount",
  /** The account exists but its session is not logged in. */
  AccountNotRunning: "AccountNotRunning",
  /** The payload is over the size the supervisor accepts. */
  PayloadTooLarge: "PayloadTooLarge",
  /** The supervisor is shutting down and takes no new commands. */
  ShuttingDown: "ShuttingDown",
  /**
   * The account has as many sends waiting for their pacing turn as the supervisor allows
   * (`WXFLEET_SEND_BACKLOG`); this one was not sent. Try again later.
   */
  SendBacklogFull: "SendBacklogFull",
  /**
   * A command with this idempotency key was taken by a supervisor that stopped (a crash, a
   * `kill -9`) before it answered: whether it ran is unknown, and it is not run again under this
   * key. Check the account's activity before sending it again under a new key.
   */
  OutcomeUnknown: "OutcomeUnknown",
} as const

export const failure = (error: ReplyError): { readonly ok: false; readonly error: ReplyError } => ({ ok: false, error })
