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
  resendIfUnsent,
  RetryPolicies,
  retryRead,
  sendPolicy,
  sendRetry,
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

describe("sendRetry and the policies in force", () => {
  const at = { endpoint: "webwxsendmsg", host: "wx2.qq.com" }
  const refused = new TransportError({ ...at, beforeSend: true, reason: "ECONNREFUSED" })
  const reset = new TransportError({ ...at, beforeSend: false, reason: "ECONNRESET" })

  /** Runs `retrying(attempt)` on the TestClock where every attempt fails with `error`; the attempts' times. */
  const attemptsOf = (
    retrying: (attempt: Effect.Effect<never, TransportError>) => Effect.Effect<never, TransportError>,
    error: TransportError,
  ) =>
    Effect.gen(function* () {
      const times = yield* Ref.make<ReadonlyArray<number>>([])
      const attempt = Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.zipRight(Ref.update(times, (ts) => [...ts, now]), Effect.fail(error)),
      )
      const fiber = yield* Effect.fork(retrying(attempt))
      yield* TestClock.adjust("1 hour")
      const exit = yield* Fiber.await(fiber)
      return { exit, times: yield* Ref.get(times) }
    })

  it.effect("sendRetry waits 300 ms doubling, jittered within ±20 %, capped at 3 s, at most 3 times", () =>
    Effect.gen(function* () {
      const { exit, times } = yield* attemptTimes(sendRetry, Infinity)
      assert.deepStrictEqual(exit, Exit.fail("down" as const))
      expect(times).toHaveLength(sendPolicy.times + 1)
      gapsOf(times).forEach((gap, n) => {
        const nominal = 300 * 2 ** n
        expect(gap).toBeGreaterThanOrEqual(Math.min(0.8 * nominal, 3_000) - SLACK_MS)
        expect(gap).toBeLessThanOrEqual(Math.min(1.2 * nominal, 3_000) + SLACK_MS)
      })
    }),
  )

  it.effect("resendIfUnsent resends a request refused before it left, never one that may have arrived", () =>
    Effect.gen(function* () {
      const unsent = yield* attemptsOf(resendIfUnsent, refused)
      expect(unsent.times).toHaveLength(sendPolicy.times + 1)
      assert.deepStrictEqual(unsent.exit, Exit.fail(refused))
      const maybeSent = yield* attemptsOf(resendIfUnsent, reset)
      expect(maybeSent.times).toHaveLength(1)
      assert.deepStrictEqual(maybeSent.exit, Exit.fail(reset))
    }),
  )

  it.effect("RetryPolicies.layer replaces a policy for retryRead and resendIfUnsent, keeping the others", () =>
    Effect.gen(function* () {
      const patientRead = yield* attemptsOf(retryRead, reset)
      expect(patientRead.times).toHaveLength(7)
      expect(gapsOf(patientRead.times).every((gap) => gap >= 1_000 * 0.8 - SLACK_MS && gap <= 1_000 * 1.2 + SLACK_MS)).toBe(true)
      const neverResent = yield* attemptsOf(resendIfUnsent, refused)
      expect(neverResent.times).toHaveLength(1)
      const policies = yield* RetryPolicies
      expect(policies.syncReconnect).toBe(syncReconnectPolicy)
    }).pipe(
      Effect.provide(
        RetryPolicies.layer({
          idempotentRead: { base: "1 second", max: "1 second", times: 6 },
          send: { base: "1 second", max: "1 second", times: 0 },
        }),
      ),
    ),
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
