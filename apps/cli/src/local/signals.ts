import { Effect, type Scope } from "effect"

/**
 * While a long-running command stops, further Ctrl-C/SIGTERM are ignored (the terminal and the
 * launcher may both deliver one) instead of killing the process before it stopped cleanly; one
 * that comes seconds later, from a person who is tired of waiting, exits at once.
 */
export const patientSignals: Effect.Effect<void, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => {
    let first: number | undefined
    const onSignal = () => {
      const now = Date.now()
      if (first === undefined) first = now
      else if (now - first > 3_000) {
        console.error("wxfleet: stopping took too long; exiting now")
        process.exit(130)
      }
    }
    process.on("SIGINT", onSignal)
    process.on("SIGTERM", onSignal)
    return onSignal
  }),
  (onSignal) =>
    Effect.sync(() => {
      process.off("SIGINT", onSignal)
      process.off("SIGTERM", onSignal)
    }),
)
