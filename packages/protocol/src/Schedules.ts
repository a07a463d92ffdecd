import { Context, Duration, Effect, Layer, Schedule } from "effect"
import { RequestTimeout, TransportError, UnexpectedStatus, type HttpFailure } from "./Errors.js"

/** A retry policy as data: exponential from `base`, capped at `max`, jittered, at most `times` retries. */
export interface RetryPolicy {
  readonly base: Duration.DurationInput
  readonly max: Duration.DurationInput
  readonly times: number
}

/** Schedules already built, by policy: a schedule is an immutable value, and each is ~15 closures. */
const built = new WeakMap<RetryPolicy, Schedule.Schedule<unknown>>()

/** The schedule of a policy: exponential backoff with jitter, capped, bounded (built once per policy). */
export const backoff = (policy: RetryPolicy): Schedule.Schedule<unknown> => {
  let schedule = built.get(policy)
  if (schedule === undefined) {
    const max = Duration.decode(policy.max)
    schedule = Schedule.exponential(policy.base).pipe(
      Schedule.jittered,
      Schedule.modifyDelay((_, delay) => Duration.min(delay, max)),
      Schedule.intersect(Schedule.recurs(policy.times)),
    )
    built.set(policy, schedule)
  }
  return schedule
}

/** Reads that change nothing (init, contacts, downloads): a few quick retries. */
export const idempotentReadPolicy: RetryPolicy = { base: "200 millis", max: "5 seconds", times: 4 }

/** synccheck reconnects: patient, since a session outlives a host outage; each retry may rotate hosts. */
export const syncReconnectPolicy: RetryPolicy = { base: "500 millis", max: "30 seconds", times: 1_000_000 }

/** Sends: retried only when the request surely never reached the server. */
export const sendPolicy: RetryPolicy = { base: "300 millis", max: "3 seconds", times: 3 }

export const idempotentRead = backoff(idempotentReadPolicy)
export const syncReconnect = backoff(syncReconnectPolicy)
export const sendRetry = backoff(sendPolicy)

/** The three policies every operation of the client retries under. */
export interface RetryPoliciesShape {
  readonly idempotentRead: RetryPolicy
  readonly syncReconnect: RetryPolicy
  readonly send: RetryPolicy
}

/**
 * The policies in force: the defaults above unless a layer replaces them, so an operator can
 * make reads more patient or sends never resent without touching the code.
 */
export class RetryPolicies extends Context.Reference<RetryPolicies>()("@wxfleet/protocol/RetryPolicies", {
  defaultValue: (): RetryPoliciesShape => ({
    idempotentRead: idempotentReadPolicy,
    syncReconnect: syncReconnectPolicy,
    send: sendPolicy,
  }),
}) {
  /** Replaces some policies, keeping the defaults of the others. */
  static readonly layer = (overrides: Partial<RetryPoliciesShape>): Layer.Layer<RetryPolicies> =>
    Layer.succeed(RetryPolicies, { ...RetryPolicies.defaultValue(), ...overrides })
}

/** Transport failures worth retrying for an idempotent read (not a malformed answer: it would repeat). */
export const isTransient = (error: HttpFailure | { readonly _tag: string }): boolean =>
  error instanceof TransportError ||
  error instanceof RequestTimeout ||
  (error instanceof UnexpectedStatus && error.status >= 500)

/** A send may be retried only if the server cannot have accepted it. */
export const isSafeToResend = (error: unknown): boolean => error instanceof TransportError && error.beforeSend

/**
 * `Effect.retry(effect, { schedule, while: retryable })`, with the schedule (read from
 * `schedule`) and its driver built only once an attempt failed: nearly every call succeeds at
 * once, and building them up front was a tenth of the client's CPU per send.
 */
export const retryAfterFailure = <A, E, R, R2>(
  effect: Effect.Effect<A, E, R>,
  schedule: Effect.Effect<Schedule.Schedule<unknown, E>, never, R2>,
  retryable: (error: E) => boolean = () => true,
): Effect.Effect<A, E, R | R2> =>
  Effect.catchAll(effect, (first) =>
    retryable(first)
      ? Effect.flatMap(Effect.flatMap(schedule, Schedule.driver), (driver) => {
          const again = (error: E): Effect.Effect<A, E, R> =>
            Effect.zipRight(
              Effect.orElseFail(driver.next(error), () => error),
              Effect.catchAll(effect, (next) => (retryable(next) ? again(next) : Effect.fail(next))),
            )
          return again(first)
        })
      : Effect.fail(first),
  )

/** Reads are asked again after a transport failure (`idempotentRead`); an answer that was read is never re-asked. */
export const retryRead = <A, E extends { readonly _tag: string }, R>(
  effect: Effect.Effect<A, E, R>,
): Effect.Effect<A, E, R> =>
  retryAfterFailure(effect, Effect.map(RetryPolicies, (policies) => backoff(policies.idempotentRead)), isTransient)

/** Changes are sent again (`send`) only when the server cannot have seen them. */
export const resendIfUnsent = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  retryAfterFailure(effect, Effect.map(RetryPolicies, (policies) => backoff(policies.send)), isSafeToResend)
