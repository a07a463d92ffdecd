import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber, TestClock } from "effect"
import { makePacer, PacerClosed, SendBacklogFull } from "./Pacer.js"

const stamp = Clock.currentTimeMillis

describe("Pacer", () => {
  it.effect("spaces sends by the interval plus at most the jitter", () =>
    Effect.gen(function* () {
      const pacer = yield* makePacer({ interval: "1 second", jitter: 0.5, backoff: 4, backlog: 10 })
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
      const pacer = yield* makePacer({ interval: "1 second", jitter: 0, backoff: 4, backlog: 10 })
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

  it.effect("refuses a send beyond the backlog at once; a waiting send that gives up frees its place", () =>
    Effect.gen(function* () {
      const pacer = yield* makePacer({ interval: "1 second", jitter: 0, backoff: 4, backlog: 2 })
      // One in its turn (sleeping out the interval after the first), two waiting: the backlog is full.
      yield* pacer.paced(Effect.void)
      const inTurn = yield* Effect.fork(pacer.paced(stamp))
      const waiting = yield* Effect.forEach([1, 2], () => Effect.fork(pacer.paced(stamp)))
      yield* Effect.yieldNow()
      assert.strictEqual(pacer.waiting(), 2)
      const refused = yield* Effect.exit(pacer.paced(stamp))
      assert.deepStrictEqual(refused, Exit.fail(new SendBacklogFull({ waiting: 2, limit: 2 })))
      yield* Fiber.interrupt(waiting[1]!)
      assert.strictEqual(pacer.waiting(), 1)
      const later = yield* Effect.fork(pacer.paced(stamp))
      yield* TestClock.adjust(Duration.seconds(10))
      const times = yield* Effect.forEach([inTurn, waiting[0]!, later], Fiber.join)
      assert.deepStrictEqual(times, [1_000, 2_000, 3_000])
      assert.strictEqual(pacer.waiting(), 0)
    }),
  )

  it.effect("once closed, refuses every send that has not begun, waiting or new, and lets the one under way finish", () =>
    Effect.gen(function* () {
      const pacer = yield* makePacer({ interval: "1 second", jitter: 0, backoff: 4, backlog: 10 })
      const underWay = yield* Effect.fork(pacer.paced(Effect.zipRight(Effect.sleep("500 millis"), stamp)))
      const inTurn = yield* Effect.fork(pacer.paced(stamp))
      const waiting = yield* Effect.fork(pacer.paced(stamp))
      yield* Effect.yieldNow()
      pacer.close("shutdown")
      const refusedAtOnce = yield* Effect.exit(pacer.paced(stamp))
      assert.isTrue(Exit.isFailure(refusedAtOnce))
      yield* TestClock.adjust(Duration.seconds(10))
      assert.strictEqual(yield* Fiber.join(underWay), 500)
      for (const fiber of [inTurn, waiting]) {
        const exit = yield* Fiber.await(fiber)
        assert.deepStrictEqual(exit, Exit.fail(new PacerClosed({ reason: "shutdown" })))
      }
      assert.strictEqual(pacer.waiting(), 0)
    }),
  )
})
