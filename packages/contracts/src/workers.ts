import { Schema } from "effect"
import { ReplyError } from "./errors.js"
import { AccountId } from "./subjects.js"

/** The JetStream stream that keeps what workers gave up on: every `<prefix>.dlq.>` subject. */
export const DEADLETTER_STREAM = "WX_DEADLETTER"

/** `<prefix>.dlq.<app>`: a message a worker could not handle, kept with why and what it was. */
export const DeadLetter = Schema.Struct({
  /** The worker (its durable consumer's name), e.g. `auto-reply`. */
  app: Schema.String,
  reason: Schema.String,
  /** How many times it was delivered before the worker gave up. */
  deliveries: Schema.Number,
  /** The subject it was read from, e.g. `wx.evt.bot1.message`. */
  subject: Schema.String,
  /** The payload as received (UTF-8), even when it is not JSON. */
  payload: Schema.String,
  /** Its sequence in the stream it was read from. */
  streamSequence: Schema.optional(Schema.Number),
  at: Schema.String,
})
export type DeadLetter = typeof DeadLetter.Type

/** What a group message broke. */
export const Violation = Schema.Literal(
  "banned_word",
  "link",
  "card",
  "mini_program",
  "flood",
  "spam",
)
export type Violation = typeof Violation.Type

/** One thing moderation did about a violation, and whether it worked. */
export const ModerationAction = Schema.Struct({
  action: Schema.Literal("warn", "remove", "notify"),
  ok: Schema.Boolean,
  /** Why it failed, e.g. `RequestRejected` when the account does not own the group. */
  error: Schema.optional(ReplyError),
})
export type ModerationAction = typeof ModerationAction.Type

/** `<prefix>.evt.<account>.moderation`: the audit record of a violation and what was done. */
export const ModerationEvent = Schema.Struct({
  account: AccountId,
  at: Schema.String,
  /** The group's UserName in this account's session, and its name. */
  chat: Schema.String,
  group: Schema.String,
  member: Schema.Struct({ userName: Schema.String, name: Schema.String }),
  /** The message that broke the policy. */
  messageId: Schema.String,
  violation: Violation,
  /** What exactly matched (the word, the link, the count…). */
  detail: Schema.String,
  actions: Schema.Array(ModerationAction),
})
export type ModerationEvent = typeof ModerationEvent.Type
