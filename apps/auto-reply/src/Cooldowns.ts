import { createHash } from "node:crypto"
import { keyValue, tryNats, type NatsError } from "@wxfleet/nats"
import { Duration, Effect, Option, Schema } from "effect"

/** Shared by every copy of the worker, so a chat's cooldown holds whichever copy answers. */
export const COOLDOWN_BUCKET = "wx_autoreply_cooldowns"

/** Entries expire by themselves; a cooldown is at most this long. */
export const MAX_COOLDOWN = Duration.hours(24)

const Claim = Schema.parseJson(Schema.Struct({ until: Schema.Number, by: Schema.String }))
const decodeClaim = Schema.decodeUnknownOption(Claim)
const encodeClaim = Schema.encodeSync(Claim)

/** Two copies claiming at once: the loser reads the winner's claim; this bounds the rounds. */
const MAX_ROUNDS = 5

/**
 * Per-chat cooldowns in JetStream KV, claimed by compare-and-set. A claim remembers the message
 * that made it, so the same message redelivered (its copy stopped before acknowledging) still
 * gets its reply, which the idempotency key then keeps from being sent twice.
 */
export class Cooldowns extends Effect.Service<Cooldowns>()("@wxfleet/auto-reply/Cooldowns", {
  effect: Effect.gen(function* () {
    const kv = yield* keyValue(COOLDOWN_BUCKET, {
      history: 1,
      ttl: Duration.toMillis(MAX_COOLDOWN),
    })

    const keyOf = (account: string, chat: string) =>
      `${account}.${createHash("sha256").update(chat).digest("hex").slice(0, 32)}`

    /** Whether `messageId` may answer in the chat now; if so the chat is quiet for `window` after it. */
    const claim = (
      account: string,
      chat: string,
      messageId: string,
      window: Duration.Duration,
    ): Effect.Effect<boolean, NatsError> =>
      Effect.gen(function* () {
        const key = keyOf(account, chat)
        for (let round = 0; round < MAX_ROUNDS; round++) {
          const now = Date.now()
          const mine = encodeClaim({ until: now + Duration.toMillis(window), by: messageId })
          const entry = yield* tryNats("kv get", () => kv.get(key))
          const held =
            entry === null || entry.length === 0 ? Option.none() : decodeClaim(entry.string())
          if (Option.isSome(held) && held.value.by === messageId) return true
          if (Option.isSome(held) && now < held.value.until) return false
          const won = yield* tryNats("kv claim", () =>
            entry === null ? kv.create(key, mine) : kv.update(key, mine, entry.revision),
          ).pipe(
            Effect.as(true),
            Effect.catchAll(() => Effect.succeed(false)),
          )
          if (won) return true
        }
        return false
      })

    return { claim } as const
  }),
}) {}
