import { ConfigSchemas } from "@wxfleet/worker"
import { Duration, Schema } from "effect"

/** A rule: one of `exact`, `keyword` or `regex`, and the reply template it answers with. */
export const Rule = Schema.Struct({
  /** The whole text (trimmed, mentions removed) equals this. */
  exact: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** The text contains this word, or one of these. */
  keyword: Schema.optional(
    Schema.Union(
      Schema.String.pipe(Schema.minLength(1)),
      Schema.NonEmptyArray(Schema.String.pipe(Schema.minLength(1))),
    ),
  ),
  /** The text matches this regular expression; its groups fill `{1}`, `{2}`… */
  regex: Schema.optional(ConfigSchemas.Pattern),
  ignoreCase: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** The reply: `{sender}`, `{group}` and `{1}`, `{2}`… are filled in. */
  reply: Schema.String.pipe(Schema.minLength(1)),
}).pipe(
  Schema.filter((rule) =>
    [rule.exact, rule.keyword, rule.regex].filter((m) => m !== undefined).length === 1
      ? true
      : "a rule needs exactly one of exact, keyword or regex",
  ),
)
export type Rule = typeof Rule.Type

const ClockTime = Schema.String.pipe(
  Schema.pattern(/^([01]\d|2[0-3]):[0-5]\d$/, {
    message: () => "a time of day is HH:MM, e.g. 22:30",
  }),
)

const TimeZone = Schema.String.pipe(
  Schema.filter((zone) => {
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone })
      return true
    } catch {
      return `unknown time zone "${zone}"`
    }
  }),
)

/** No replies from `from` to `to` (local time in `timezone`; may span midnight). */
export const QuietHours = Schema.Struct({
  from: ClockTime,
  to: ClockTime,
  timezone: Schema.optionalWith(TimeZone, { default: () => "UTC" }),
})
export type QuietHours = typeof QuietHours.Type

/** Asks a URL for the reply: the message event is POSTed as JSON, `{ "text": "…" }` comes back. */
export const Webhook = Schema.Struct({
  url: Schema.String.pipe(Schema.filter((url) => URL.canParse(url) || `"${url}" is not a URL`)),
  timeout: Schema.optionalWith(ConfigSchemas.Duration, { default: () => Duration.seconds(5) }),
  /** Tries after the first, spaced by an exponential backoff. */
  retries: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 10)), { default: () => 2 }),
})
export type Webhook = typeof Webhook.Type

export const Section = Schema.Struct({
  /** Answer private chats. */
  private: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  /** Answer in groups: never, always, or only when the account is @-mentioned. */
  groups: Schema.optionalWith(Schema.Literal("off", "all", "mentioned"), {
    default: () => "mentioned" as const,
  }),
  /** Answer the fleet's other accounts too. */
  fleet: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Tried in order; the first that matches answers. */
  rules: Schema.optionalWith(Schema.Array(Rule), { default: () => [] }),
  /** Asked when no rule matches. */
  webhook: Schema.optional(Webhook),
  /** The reply when no rule matches (and the webhook, if any, gave no text). */
  default: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** After a reply in a chat, no other reply there for this long. */
  cooldown: Schema.optional(ConfigSchemas.Duration),
  quietHours: Schema.optional(QuietHours),
})
export type Section = typeof Section.Type

/** The auto-reply config file (JSON or YAML): a section per account id, or `"*"` for the others. */
export const AutoReplyConfig = Schema.Struct({ accounts: ConfigSchemas.ByAccount(Section) })
export type AutoReplyConfig = typeof AutoReplyConfig.Type
