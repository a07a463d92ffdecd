import { createHash } from "node:crypto"
import { keyValue, tryNats, type NatsError } from "@wxfleet/nats"
import { Duration, Effect, Option, Schema } from "effect"

/** Shared by every copy of the worker, so counting holds whichever copy sees a message. */
export const ACTIVITY_BUCKET = "wx_moderation_activity"

/** Records expire by themselves: a flood or spam window is at most this long. */
export const MAX_WINDOW = Duration.hours(1)

const Seen = Schema.Struct({ id: Schema.String, chat: Schema.String, at: Schema.Number })
const Record = Schema.parseJson(
  Schema.Struct({ seen: Schema.Array(Seen), flagged: Schema.optional(Seen) }),
)
type Record = typeof Record.Type
type Seen = typeof Seen.Type

const decode = Schema.decodeUnknownOption(Record)
const encode = Schema.encodeSync(Record)

const hash = (...parts: ReadonlyArray<string>) =>
  createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32)

/** Two copies writing at once: the loser reads again; this bounds the rounds. */
const MAX_ROUNDS = 8

/** The record after `message`: seen once however often it is delivered, the window's start forgotten. */
const withSeen = (record: Record, message: Seen, window: number): Record => ({
  ...record,
  seen: [...record.seen.filter((s) => s.id !== message.id && s.at > message.at - window), message],
})

/**
 * Flooding and spam across groups, counted in JetStream KV with compare-and-set, by message time
 * (so a redelivered message counts once and order of arrival does not matter).
 */
export class Activity extends Effect.Service<Activity>()("@wxfleet/moderation/Activity", {
  effect: Effect.gen(function* () {
    const kv = yield* keyValue(ACTIVITY_BUCKET, { history: 1, ttl: Duration.toMillis(MAX_WINDOW) })

    /** Applies `step` to the record under `key` atomically; returns what `step` decided. */
    const update = <A>(
      key: string,
      step: (record: Record) => readonly [Record, A],
    ): Effect.Effect<A, NatsError> =>
      Effect.gen(function* () {
        for (let round = 0; ; round++) {
          const entry = yield* tryNats("kv get", () => kv.get(key))
          const current =
            entry === null || entry.length === 0 ? Option.none() : decode(entry.string())
          const [next, decided] = step(Option.getOrElse(current, () => ({ seen: [] })))
          const written = yield* tryNats("kv write", () =>
            entry === null
              ? kv.create(key, encode(next))
              : kv.update(key, encode(next), entry.revision),
          ).pipe(Effect.either)
          if (written._tag === "Right") return decided
          if (round + 1 >= MAX_ROUNDS) return yield* written.left
        }
      })

    /**
     * Whether this message makes the member flood the group: more than `limit` messages within
     * `window`. Flagged once per window (and again for the flagged message when redelivered).
     */
    const floods = (
      account: string,
      message: Seen,
      member: string,
      limit: number,
      window: Duration.Duration,
    ) =>
      update(`flood.${account}.${hash(message.chat, member)}`, (record) => {
        const ms = Duration.toMillis(window)
        const next = withSeen(record, message, ms)
        if (record.flagged?.id === message.id) return [next, true] as const
        const count = next.seen.filter((s) => s.at <= message.at).length
        const quiet = record.flagged === undefined || message.at - record.flagged.at >= ms
        return count > limit && quiet
          ? ([{ ...next, flagged: message }, true] as const)
          : ([next, false] as const)
      })

    /** In how many groups the member said this text within `window`, this one included. */
    const spread = (
      account: string,
      message: Seen,
      member: string,
      text: string,
      window: Duration.Duration,
    ) =>
      update(`spam.${account}.${hash(member, text.trim().toLocaleLowerCase())}`, (record) => {
        const next = withSeen(record, message, Duration.toMillis(window))
        return [next, new Set(next.seen.map((s) => s.chat)).size] as const
      })

    return { floods, spread } as const
  }),
}) {}
