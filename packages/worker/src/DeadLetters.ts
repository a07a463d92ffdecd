import { DeadLetter, subjects } from "@wxfleet/contracts"
import { publishPersistent, type Nats, type NatsError } from "@wxfleet/nats"
import { Effect, Schema } from "effect"
import { WorkerConfig } from "./WorkerConfig.js"

const encode = Schema.encodeSync(DeadLetter)

export interface Failed {
  readonly reason: string
  readonly deliveries: number
  readonly subject: string
  readonly payload: Uint8Array
  readonly streamSequence: number
}

/**
 * Records a message the worker gives up on to `<prefix>.dlq.<app>` (kept by WX_DEADLETTER). The
 * stream sequence names it, so recording it again (a copy that died before terminating it, the
 * max-deliveries advisory) stores it once.
 */
export const recordDeadLetter = (
  failed: Failed,
): Effect.Effect<void, NatsError, Nats | WorkerConfig> =>
  Effect.gen(function* () {
    const config = yield* WorkerConfig
    const letter = encode({
      app: config.app,
      reason: failed.reason,
      deliveries: failed.deliveries,
      subject: failed.subject,
      payload: Buffer.from(failed.payload).toString("utf8"),
      streamSequence: failed.streamSequence,
      at: new Date().toISOString(),
    })
    yield* publishPersistent(
      subjects(config.prefix).deadLetter(config.app),
      JSON.stringify(letter),
      {
        msgId: `${config.app}.${failed.streamSequence}`,
      },
    )
    yield* Effect.logWarning(
      `dead-lettered ${failed.subject} #${failed.streamSequence}: ${failed.reason}`,
    )
  })
