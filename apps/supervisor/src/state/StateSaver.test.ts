import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted, TestClock } from "effect"
import { SupervisorConfig } from "../config/SupervisorConfig.js"
import { Metrics } from "../metrics/Metrics.js"
import { StateSaver } from "./StateSaver.js"

const layer = (interval: Duration.DurationInput, rate: number) =>
  StateSaver.Default.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        Metrics.layer,
        SupervisorConfig.layer({
          prefix: "wx",
          secretKey: Redacted.make("k"),
          sendInterval: Duration.seconds(1),
          sendJitter: 0,
          rateLimitBackoff: 4,
          heartbeatInterval: Duration.minutes(5),
          idempotencyTtl: Duration.hours(1),
          stateSaveInterval: Duration.decode(interval),
          stateSaveRate: rate,
          httpPort: 0,
          configFile: undefined,
        }),
      ),
    ),
  )

/** `count` accounts marked unsaved (saved last at `savedAt`); `saved` lists them as they are saved. */
const markAll = (saver: StateSaver, count: number, savedAt: number) => {
  const saved: Array<string> = []
  for (let i = 0; i < count; i++) {
    const account = `a${i}`
    saver.markUnsaved(account, savedAt, Effect.sync(() => void saved.push(account)))
  }
  return saved
}

describe("StateSaver", () => {
  it.scoped("saves at most the fleet's rate, the longest-unsaved first", () =>
    Effect.gen(function* () {
      const saver = yield* StateSaver
      const saved = markAll(saver, 50, 0)
      // 20 a second: 2 a tick, one tick at the start and one every 100 ms.
      yield* TestClock.adjust("100 millis")
      expect(saved).toEqual(["a0", "a1", "a2", "a3"])
      yield* TestClock.adjust("1 second")
      expect(saved).toEqual(Array.from({ length: 24 }, (_, i) => `a${i}`))
      yield* TestClock.adjust("2 seconds")
      expect(saved).toHaveLength(50)
      yield* TestClock.adjust("1 second")
      expect(saved).toHaveLength(50) // each once
    }).pipe(Effect.provide(layer("0 millis", 20))),
  )

  it.scoped("waits out the interval since a session's last save", () =>
    Effect.gen(function* () {
      const saver = yield* StateSaver
      yield* TestClock.adjust("10 seconds")
      const saved = markAll(saver, 3, 10_000)
      yield* TestClock.adjust("4900 millis")
      expect(saved).toEqual([])
      yield* TestClock.adjust("200 millis")
      expect(saved).toEqual(["a0", "a1", "a2"])
    }).pipe(Effect.provide(layer("5 seconds", 200))),
  )

  it.scoped("marking again keeps the place; a forgotten session is not saved", () =>
    Effect.gen(function* () {
      const saver = yield* StateSaver
      const saved = markAll(saver, 3, 0)
      saver.markUnsaved("a0", 0, Effect.sync(() => void saved.push("again")))
      saver.forget("a1")
      yield* TestClock.adjust("1 second")
      expect(saved).toEqual(["a0", "a2"])
    }).pipe(Effect.provide(layer("0 millis", 200))),
  )
})
