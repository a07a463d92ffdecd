import { Effect, Schema } from "effect"
import { MalformedResponse } from "../../Errors.js"
import { idempotentRead, isSafeToResend, isTransient, sendRetry } from "../../Schedules.js"

/** Decodes a parsed JSON answer with a Schema; a mismatch is a MalformedResponse carrying the answer. */
export const decodeAnswer = <A, I>(
  schema: Schema.Schema<A, I>,
  json: unknown,
  where: { readonly endpoint: string; readonly host: string },
): Effect.Effect<A, MalformedResponse> =>
  Schema.decodeUnknown(schema)(json).pipe(
    Effect.mapError(
      (error) =>
        new MalformedResponse({
          endpoint: where.endpoint,
          host: where.host,
          reason: error.message,
          raw: JSON.stringify(json).slice(0, 4_000),
        }),
    ),
  )

/** Reads are asked again after a transport failure; an answer that was read is never re-asked. */
export const retryRead = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.retry(effect, { schedule: idempotentRead, while: isTransient })

/** Changes are sent again only when the server cannot have seen them. */
export const resendIfUnsent = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.retry(effect, { schedule: sendRetry, while: isSafeToResend })
