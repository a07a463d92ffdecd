import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber, TestClock } from "effect"
import { makePacer } from "./Pacer.js"

const stamp = Clock.currentTimeMillis

describe("Pacer", () => {
  it.effect("spaces sends by the interval plus at most the jitter", () =>
    Effect.gen(function* () {
      const pacer = yield* makePacer({ interval: "1 second", jitter: 0.5, backoff: 4 })
      const fiber = yield* Effect.fork(Effect.all([pacer.paced(stamp), pacer.paced(stamp), pacer.paced(stamp)]))
      yield* TestClock.adjust(Duration.seconds(10))
      const [a, b, c] = yield* Fiber.join(fiber)
      for (const gap of [b! - a!, c! - b!]) {
        assert.isAtLeast(gap, 1_000)
        assert.isAtMost(gap, 1_500)
      }
    }),
  )

  it.effect("slows down after a 1205 and recovers step by step", () =>
    Effect.gen(function* () {
      const pacer = yield* makePacer({ interval: "1 second", jitter: 0, backoff: 4 })
      yield* pacer.paced(Effect.void)
      yield* pacer.throttled
      assert.strictEqual(yield* pacer.slowdown, 4)
      const fiber = yield* Effect.fork(Effect.all([pacer.paced(stamp), pacer.paced(stamp)]))
      yield* TestClock.adjust(Duration.seconds(60))
      const [a, b] = yield* Fiber.join(fiber)
      assert.isAtLeast(b! - a!, 4_000 * 0.85 * 0.99)
      assert.isBelow(yield* pacer.slowdown, 4)
    }),
  )
})
