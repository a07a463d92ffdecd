import { assert, describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber, Ref, type Schedule, TestClock } from "effect"
import {
  MalformedResponse,
  RateLimited,
  RequestTimeout,
  SessionExpired,
  TransportError,
  UnexpectedStatus,
} from "../src/Errors.js"
import {
  backoff,
  idempotentRead,
  idempotentReadPolicy,
  isSafeToResend,
  isTransient,
  syncReconnect,
  syncReconnectPolicy,
} from "../src/Schedules.js"

// The TestClock keeps the fractions of a jittered millisecond; bounds are compared with this slack.
const SLACK_MS = 1e-6

/**
 * Retries an attempt that fails `failures` times under `schedule` on the TestClock, and returns
 * how it ended and the clock time of every attempt.
 */
const attemptTimes = (schedule: Schedule.Schedule<unknown>, failures: number) =>
  Effect.gen(function* () {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const attempt = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const seen = yield* Ref.updateAndGet(times, (ts) => [...ts, now])
      if (seen.length <= failures) return yield* Effect.fail("down" as const)
    })
    const fiber = yield* Effect.fork(Effect.retry(attempt, schedule))
    yield* TestClock.adjust("1 hour")
    const exit = yield* Fiber.await(fiber)
    return { exit, times: yield* Ref.get(times) }
  })

const gapsOf = (times: ReadonlyArray<number>): ReadonlyArray<number> =>
  times.slice(1).map((t, i) => t - times[i]!)

describe("Schedules", () => {
  it.effect(
    "syncReconnect backs off exponentially from its base, jittered within ±20 %, capped at its max",
    () =>
      Effect.gen(function* () {
        const { exit, times } = yield* attemptTimes(syncReconnect, 12)
        assert.isTrue(Exit.isSuccess(exit))
        const gaps = gapsOf(times)
        expect(gaps).toHaveLength(12)
        const base = Duration.toMillis(syncReconnectPolicy.base)
        const max = Duration.toMillis(syncReconnectPolicy.max)
        gaps.forEach((gap, n) => {
          const nominal = base * 2 ** n
          expect(gap).toBeGreaterThanOrEqual(Math.min(0.8 * nominal, max) - SLACK_MS)
          expect(gap).toBeLessThanOrEqual(Math.min(1.2 * nominal, max) + SLACK_MS)
        })
        // Jittered: sessions that lost the same host do not come back in step.
        expect(gaps.slice(0, 5).some((gap, n) => Math.abs(gap - base * 2 ** n) > 1)).toBe(true)
        // Capped: the late waits stay at the max instead of doubling on.
        for (const gap of gaps.slice(-3)) expect(gap).toBeCloseTo(max, 3)
      }),
  )

  it.effect("a backoff gives up after its policy's retries, with the last error", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* attemptTimes(
        backoff({ base: "10 millis", max: "50 millis", times: 3 }),
        Infinity,
      )
      expect(times).toHaveLength(4)
      assert.deepStrictEqual(exit, Exit.fail("down" as const))
    }),
  )

  it.effect("idempotentRead stops after its retries, within the time its backoff allows", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* attemptTimes(idempotentRead, Infinity)
      assert.isTrue(Exit.isFailure(exit))
      expect(times).toHaveLength(idempotentReadPolicy.times + 1)
      const base = Duration.toMillis(idempotentReadPolicy.base)
      const max = Duration.toMillis(idempotentReadPolicy.max)
      const longest = gapsOf(times).reduce(
        (sum, _, n) => sum + Math.min(1.2 * base * 2 ** n, max),
        0,
      )
      expect(times.at(-1)! - times[0]!).toBeLessThanOrEqual(longest + SLACK_MS)
    }),
  )
})

describe("isTransient", () => {
  const at = { endpoint: "webwxinit", host: "wx2.qq.com" }

  it("retries broken connections, missed deadlines and server errors", () => {
    expect(
      isTransient(new TransportError({ ...at, beforeSend: false, reason: "ECONNRESET" })),
    ).toBe(true)
    expect(isTransient(new RequestTimeout({ ...at, timeoutMs: 15_000 }))).toBe(true)
    expect(isTransient(new UnexpectedStatus({ ...at, status: 502, raw: "" }))).toBe(true)
  })

  it("does not retry answers that would repeat or that end the session", () => {
    expect(isTransient(new UnexpectedStatus({ ...at, status: 404, raw: "" }))).toBe(false)
    expect(
      isTransient(new MalformedResponse({ ...at, reason: "invalid JSON", raw: "<html>" })),
    ).toBe(false)
    expect(isTransient(new SessionExpired({ ...at, code: 1101 }))).toBe(false)
    expect(isTransient(new RateLimited(at))).toBe(false)
  })
})

describe("isSafeToResend", () => {
  const at = { endpoint: "webwxsendmsg", host: "wx2.qq.com" }

  it("resends only what surely never reached the server", () => {
    expect(
      isSafeToResend(new TransportError({ ...at, beforeSend: true, reason: "ECONNREFUSED" })),
    ).toBe(true)
    expect(
      isSafeToResend(new TransportError({ ...at, beforeSend: false, reason: "ECONNRESET" })),
    ).toBe(false)
    expect(isSafeToResend(new RequestTimeout({ ...at, timeoutMs: 15_000 }))).toBe(false)
    expect(isSafeToResend(new UnexpectedStatus({ ...at, status: 503, raw: "" }))).toBe(false)
  })
})
