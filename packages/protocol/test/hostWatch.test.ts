import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, TestClock } from "effect"
import { makeHostWatch } from "../src/sync/HostWatch.js"

describe("HostWatch", () => {
  it.effect("wakes the sessions waiting on a host when it answers, with that host", () =>
    Effect.gen(function* () {
      const watch = makeHostWatch({ spreadPerWaiterMs: 10, maxSpreadMs: 1_000 })
      const either = yield* Effect.fork(watch.recovered(["webpush.a", "webpush2.a"]))
      const second = yield* Effect.fork(watch.recovered(["webpush2.a"]))
      const other = yield* Effect.fork(watch.recovered(["webpush.b"]))
      yield* TestClock.adjust("1 second")
      expect(Option.isNone(yield* Fiber.poll(either))).toBe(true)
      watch.answered("webpush.c")
      watch.answered("webpush2.a")
      // Two woken: each within 2 × 10 ms.
      yield* TestClock.adjust("20 millis")
      expect(yield* Fiber.join(either)).toBe("webpush2.a")
      expect(yield* Fiber.join(second)).toBe("webpush2.a")
      expect(Option.isNone(yield* Fiber.poll(other))).toBe(true)
      // Woken once: an answer from the other candidate is no news to it any more.
      watch.answered("webpush.a")
      watch.answered("webpush.b")
      yield* TestClock.adjust("10 millis")
      expect(yield* Fiber.join(other)).toBe("webpush.b")
    }),
  )

  it.effect("spreads the wake-ups over a time that grows with the sessions woken, up to a cap", () =>
    Effect.gen(function* () {
      const watch = makeHostWatch({ spreadPerWaiterMs: 10, maxSpreadMs: 800 })
      const fibers = yield* Effect.forEach(Array.from({ length: 200 }), () => Effect.fork(watch.recovered(["h"])))
      yield* Effect.yieldNow()
      watch.answered("h")
      // Let the woken fibers start their share of the spread before the clock moves.
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow()
      const done = () => Effect.map(Effect.forEach(fibers, Fiber.poll), (polls) => polls.filter(Option.isSome).length)
      // 200 sessions × 10 ms would be 2 s; the cap spreads them over 800 ms.
      yield* TestClock.adjust("400 millis")
      const half = yield* done()
      expect(half).toBeGreaterThan(0)
      expect(half).toBeLessThan(200)
      yield* TestClock.adjust("400 millis")
      expect(yield* done()).toBe(200)
    }),
  )

  it.effect("forgets a session whose wait was interrupted", () =>
    Effect.gen(function* () {
      const watch = makeHostWatch({ spreadPerWaiterMs: 1_000, maxSpreadMs: 600_000 })
      const gone = yield* Effect.forEach(Array.from({ length: 50 }), () => Effect.fork(watch.recovered(["h", "h2"])))
      const staying = yield* Effect.fork(watch.recovered(["h"]))
      yield* Effect.yieldNow()
      yield* Effect.forEach(gone, Fiber.interrupt)
      watch.answered("h")
      // One session woken, so a spread of one second; counting the 50 gone it would be 51 s.
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(staying)).toBe("h")
    }),
  )
})
