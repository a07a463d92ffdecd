import { Schema } from "effect"

/** Account ids are NATS subject tokens: letters, digits, `_` and `-`, at most 64. */
export const AccountId = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/, {
    message: () => "an account id is 1 to 64 letters, digits, '_' or '-'",
  }),
  Schema.brand("AccountId"),
)
export type AccountId = typeof AccountId.Type

/** Event kinds published per account. */
export type EventKind = "session" | "message" | "contact" | "moderation"

/** The JetStream stream that captures every `<prefix>.evt.>` subject. */
export const EVENTS_STREAM = "WX_EVENTS"

/** The subject layout (contract); the prefix is `wx` unless configured otherwise. */
export const subjects = (prefix = "wx") => ({
  prefix,
  event: (account: string, kind: EventKind): string => `${prefix}.evt.${account}.${kind}`,
  /** Everything the events stream captures. */
  allEvents: `${prefix}.evt.>`,
  /** Inbound messages of every account, for workers. */
  allMessages: `${prefix}.evt.*.message`,
  command: (account: string, op: string): string => `${prefix}.cmd.${account}.${op}`,
  /** What a supervisor subscribes to for commands. */
  allCommands: `${prefix}.cmd.*.*`,
  fleet: (op: FleetOp): string => `${prefix}.fleet.${op}`,
  /** Where a worker records the messages it gave up on. */
  deadLetter: (app: string): string => `${prefix}.dlq.${app}`,
  /** Everything the dead-letter stream captures. */
  allDeadLetters: `${prefix}.dlq.>`,
})
export type Subjects = ReturnType<typeof subjects>

export type FleetOp = "add" | "remove" | "list"

/** Splits `<prefix>.cmd.<account>.<op>`; undefined when the subject is not a command subject. */
export const parseCommandSubject = (
  prefix: string,
  subject: string,
): { readonly account: string; readonly op: string } | undefined => {
  const parts = subject.split(".")
  if (parts.length !== 4 || parts[0] !== prefix || parts[1] !== "cmd") return undefined
  return { account: parts[2]!, op: parts[3]! }
}
