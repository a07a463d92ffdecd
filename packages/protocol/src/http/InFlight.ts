import { Effect, FiberRef } from "effect"

/**
 * The abort of the request a fiber awaits. A fiber awaits one thing at a time: what it runs
 * concurrently runs in fibers forked from it.
 */
export interface InFlight {
  abort: (() => void) | undefined
}

/**
 * Where a long-lived fiber (a session's sync loop) keeps the abort of the request it awaits. A
 * fiber forked from it starts without one: its interruption is its own, so its requests abort
 * on their own, as usual.
 */
export const currentInFlight: FiberRef.FiberRef<InFlight | undefined> = FiberRef.unsafeMake<InFlight | undefined>(
  undefined,
  { fork: () => undefined, join: (parent) => parent },
)

/**
 * Runs `effect` with one interruption finalizer for all the requests it makes itself, instead of
 * one per request: an Effect.async with a canceler wraps its wait in interruption machinery that
 * a held long poll keeps alive for its whole hold (~1.4 KB, 10,000 of them in a fleet) and that
 * adds steps to every call. Interrupting `effect` aborts the request it awaits.
 */
export const abortOnInterrupt = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.suspend(() => {
    const inFlight: InFlight = { abort: undefined }
    return Effect.onInterrupt(Effect.locally(effect, currentInFlight, inFlight), () =>
      Effect.sync(() => {
        const { abort } = inFlight
        inFlight.abort = undefined
        abort?.()
      }),
    )
  })
