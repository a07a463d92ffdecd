import { ConfigSchemas } from "@wxfleet/worker"
import { Schema } from "effect"

/** What is done to a member who breaks a policy (admins are notified either way, when configured). */
export const Action = Schema.Literal("warn", "remove")
export type Action = typeof Action.Type

const action = { action: Schema.optionalWith(Action, { default: () => "warn" as const }) }

const Words = Schema.Array(Schema.String.pipe(Schema.minLength(1)))

export const GroupPolicy = Schema.Struct({
  /** Members (by group nickname or nickname) no policy applies to. */
  admins: Schema.optionalWith(Words, { default: () => [] }),
  bannedWords: Schema.optional(
    Schema.Struct({
      words: Schema.optionalWith(Words, { default: () => [] }),
      /** Regular expressions, matched ignoring case. */
      patterns: Schema.optionalWith(Schema.Array(ConfigSchemas.Pattern), { default: () => [] }),
      ...action,
    }),
  ),
  /** Links: URLs in texts, and shared link messages. */
  links: Schema.optional(Schema.Struct(action)),
  /** Contact cards. */
  cards: Schema.optional(Schema.Struct(action)),
  miniPrograms: Schema.optional(Schema.Struct(action)),
  /** More than `messages` messages from one member within `within`. */
  flood: Schema.optional(
    Schema.Struct({
      messages: Schema.Int.pipe(Schema.positive()),
      within: ConfigSchemas.Duration,
      ...action,
    }),
  ),
  /** The same text from one member in `groups` groups (or more) within `within`. */
  spam: Schema.optional(
    Schema.Struct({
      groups: Schema.Int.pipe(Schema.greaterThanOrEqualTo(2)),
      within: ConfigSchemas.Duration,
      ...action,
    }),
  ),
  /** Told of every violation: contacts by name, or `filehelper`. */
  notify: Schema.optionalWith(Words, { default: () => [] }),
  /** The warning after the @-mention; `{reason}` says what was wrong. */
  warning: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1)), {
    default: () => "please keep to the group rules: {reason}",
  }),
  /** Said when members join; `{members}` and `{group}` are filled in. */
  welcome: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
})
export type GroupPolicy = typeof GroupPolicy.Type

export const Section = Schema.Struct({
  /** Moderate the fleet's other accounts too. */
  fleet: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** Policies by group name, or `"*"` for the groups without their own. */
  groups: Schema.Record({ key: Schema.String, value: GroupPolicy }),
})
export type Section = typeof Section.Type

/** The moderation config file (JSON or YAML): a section per account id, or `"*"` for the others. */
export const ModerationConfig = Schema.Struct({ accounts: ConfigSchemas.ByAccount(Section) })
export type ModerationConfig = typeof ModerationConfig.Type
