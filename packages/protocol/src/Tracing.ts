import { Effect, type Tracer } from "effect"

/** The tracer every Effect program has unless one is provided (an OpenTelemetry layer, say). */
const builtInTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

/**
 * `Effect.withSpan`, but only when a tracer is installed. With Effect's built-in tracer nobody
 * reads the spans, yet each costs ~5 KB while its effect runs (the span, a copy of the fiber's
 * context and refs): a fleet holding 10,000 synccheck polls kept 50 MB of them, and its young
 * generation copied one per sync round.
 */
export const traced =
  (name: string, options?: Tracer.SpanOptions) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.tracerWith((tracer) => (tracer === builtInTracer ? effect : Effect.withSpan(effect, name, options)))

/** Whether a tracer other than the built-in one is installed (spans are then worth making). */
export const tracing: Effect.Effect<boolean> = Effect.tracerWith((tracer) => Effect.succeed(tracer !== builtInTracer))
