import { Clock, Duration, Effect, Schedule } from "effect"
import { DEFAULT_STATE_SAVE_INTERVAL, DEFAULT_STATE_SAVE_RATE, SupervisorConfig } from "../config/SupervisorConfig.js"
import { Metrics } from "../metrics/Metrics.js"

/** How often the saver looks for sessions due a save. */
const TICK = Duration.millis(100)
/** KV writes in flight at once. */
const CONCURRENT_SAVES = 32

interface Unsaved {
  /** When this session's state was saved last (ms since the epoch). */
  readonly savedAt: number
  /** Saves the session's newest state. */
  readonly save: Effect.Effect<void>
}

/**
 * The fleet's routine state saves: a session whose SyncKey moved on (and nothing else) marks
 * itself unsaved, and one fiber saves those due — at most one save per session per
 * `stateSaveInterval`, and at most `stateSaveRate` saves a second for the whole fleet, the
 * longest-unsaved first. Without the fleet-wide rate, 10,000 busy sessions would write 2,000
 * encrypted states a second to KV, as many writes as messages. When the rate is the limit a
 * session's stored SyncKey is older (a crash refetches more, and JetStream drops the repeats by
 * `Nats-Msg-Id`); saves that matter at once (cookies, keys, stop) do not wait here.
 */
export class StateSaver extends Effect.Service<StateSaver>()("@wxfleet/supervisor/StateSaver", {
  scoped: Effect.gen(function* () {
    const config = yield* SupervisorConfig
    const metrics = yield* Metrics
    const intervalMs = Duration.toMillis(config.stateSaveInterval ?? DEFAULT_STATE_SAVE_INTERVAL)
    const perTick = (config.stateSaveRate ?? DEFAULT_STATE_SAVE_RATE) * (Duration.toMillis(TICK) / 1000)
    // Insertion order is the order sessions became unsaved: the longest-unsaved come first.
    const unsaved = new Map<string, Unsaved>()
    let allowance = 0

    const due = (now: number): Array<Effect.Effect<void>> => {
      allowance = Math.min(allowance + perTick, Math.max(1, perTick))
      const saves: Array<Effect.Effect<void>> = []
      for (const [account, entry] of unsaved) {
        if (allowance < 1) break
        if (entry.savedAt + intervalMs > now) continue
        unsaved.delete(account)
        saves.push(entry.save)
        allowance -= 1
      }
      metrics.unsavedSessions.set(unsaved.size)
      return saves
    }

    yield* Clock.currentTimeMillis.pipe(
      Effect.flatMap((now) => Effect.forEach(
        due(now),
        (save) => Effect.catchAllCause(save, (cause) => Effect.logWarning("a session state save failed", cause)),
        { concurrency: CONCURRENT_SAVES, discard: true },
      )),
      Effect.repeat(Schedule.spaced(TICK)),
      Effect.forkScoped,
    )

    return {
      /**
       * The session's SyncKey moved on since `savedAt`: `save` will run once the interval since
       * then has passed and the fleet's rate allows. Marking again keeps the session's place.
       */
      markUnsaved: (account: string, savedAt: number, save: Effect.Effect<void>): void => {
        if (!unsaved.has(account)) unsaved.set(account, { savedAt, save })
      },
      /** The session saved (or stopped) on its own: nothing is due for it. */
      forget: (account: string): void => {
        unsaved.delete(account)
      },
    } as const
  }),
}) {}
