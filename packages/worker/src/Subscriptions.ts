import { serve, type Nats, type NatsError } from "@wxfleet/nats"
import { Effect, Schema, type Scope } from "effect"

/**
 * Follows a live event subject (core NATS, not the stream: a missed one only makes a cache less
 * fresh), decoding each event and applying them one at a time, in order. Events that do not
 * decode are ignored.
 */
export const followEvents = <A, I, R>(
  subject: string,
  schema: Schema.Schema<A, I>,
  apply: (event: A) => Effect.Effect<void, never, R>,
): Effect.Effect<void, NatsError, Nats | Scope.Scope | R> => {
  const decode = Schema.decodeUnknownOption(Schema.parseJson(schema))
  return serve(
    subject,
    (msg) => {
      const event = decode(msg.string())
      return event._tag === "Some"
        ? Effect.as(apply(event.value), undefined)
        : Effect.succeed(undefined)
    },
    { concurrency: 1 },
  )
}
