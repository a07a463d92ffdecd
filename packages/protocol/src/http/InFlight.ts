import { Effect, type Fiber } from "effect"

/**
 * The abort of the request a fiber awaits. A fiber awaits one thing at a time: what it runs
 * concurrently runs in fibers forked from it.
 */
export interface InFlight {
  abort: (() => void) | undefined
}

/**
 * The long-lived fibers (sessions' sync loops) that abort their requests themselves, by fiber:
 * a fiber forked from one is not in here, so its interruption is its own and its requests abort
 * on their own, as usual. (A FiberRef would do the same but copies the fiber's FiberRefs.)
 */
const inFlightOf = new WeakMap<Fiber.RuntimeFiber<unknown, unknown>, InFlight>()

/** Where `fiber` keeps the abort of the request it awaits, if it runs inside `abortOnInterrupt`. */
export const inFlightFor = (fiber: Fiber.RuntimeFiber<unknown, unknown>): InFlight | undefined => inFlightOf.get(fiber)

/**
 * Runs `effect` with one finalizer for all the requests it makes itself, instead of one per
 * request: an Effect.async with a canceler wraps its wait in interruption machinery that a held
 * long poll keeps alive for its whole hold (~1.4 KB, 10,000 of them in a fleet) and that adds
 * steps to every call. Interrupting `effect` aborts the request it awaits (only an interruption
 * can end it while a request is in flight).
 */
export const abortOnInterrupt = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime((fiber) => {
    if (inFlightOf.has(fiber)) return effect
    const inFlight: InFlight = { abort: undefined }
    inFlightOf.set(fiber, inFlight)
    return Effect.ensuring(
      effect,
      Effect.sync(() => {
        inFlightOf.delete(fiber)
        const { abort } = inFlight
        inFlight.abort = undefined
        abort?.()
      }),
    )
  })
