import { EVENTS_STREAM, subjects, type EventKind } from "@wxfleet/contracts"
import { ensureStream, Nats, publishPersistentBatch, publishPersistentBatchThen, type PersistentMessage } from "@wxfleet/nats"
import { Schedules } from "@wxfleet/protocol"
import { Duration, Effect, Schedule } from "effect"
import { SupervisorConfig } from "../config/SupervisorConfig.js"
import { Metrics } from "../metrics/Metrics.js"

export interface OutboundEvent {
  readonly account: string
  readonly kind: EventKind
  /** The event, already encoded with its contract Schema. */
  readonly payload: unknown
  /** `Nats-Msg-Id`, so a batch published again after a crash is not stored twice. */
  readonly msgId?: string
  /** A message's CreateTime (Unix seconds, WeChat's clock): how late it reached NATS is measured from it. */
  readonly createdAt?: number
}

/** How long JetStream remembers a Nats-Msg-Id: longer than any crash-and-restart replay. */
export const DUPLICATE_WINDOW = Duration.minutes(30)

/** While NATS is away (restart, network), publishing waits and tries again: events are never dropped. */
const untilPublished = Schedule.exponential("100 millis").pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
)

/**
 * Publishes account events to the WX_EVENTS stream and waits for JetStream's acknowledgement.
 * A batch's events are sent in order and acknowledged together; when any is not acknowledged
 * the batch is sent again from the start (duplicates are dropped by their Nats-Msg-Id), so the
 * caller moves its SyncKey on only after every event is stored.
 */
export class EventPublisher extends Effect.Service<EventPublisher>()("@wxfleet/supervisor/EventPublisher", {
  effect: Effect.gen(function* () {
    const config = yield* SupervisorConfig
    const s = subjects(config.prefix)
    yield* ensureStream({
      name: EVENTS_STREAM,
      subjects: [s.allEvents],
      duplicateWindowMs: Duration.toMillis(DUPLICATE_WINDOW),
    })

    const nats = yield* Nats
    const metrics = yield* Metrics
    const messagesOf = (events: ReadonlyArray<OutboundEvent>): Array<PersistentMessage> =>
      events.map((event) => ({
        subject: s.event(event.account, event.kind),
        // A string: the publisher encodes a batch's frames in one piece.
        payload: JSON.stringify(event.payload),
        ...(event.msgId === undefined ? {} : { msgId: event.msgId }),
      }))

    /**
     * The batch's messages the server can take. One over its max_payload would be refused on
     * every retry and hold the account's later events back for good: it is logged, counted and
     * left out. (The plain path needs no check: the publisher refuses such a batch whole, and
     * the round comes here.)
     */
    const publishable = (events: ReadonlyArray<OutboundEvent>): Effect.Effect<Array<PersistentMessage>> =>
      Effect.suspend(() => {
        const messages = messagesOf(events)
        const kept: Array<PersistentMessage> = []
        const refused: Array<Effect.Effect<void>> = []
        messages.forEach((message, i) => {
          const { bytes, maxPayload } = nats.acked.size(message)
          if (maxPayload === undefined || bytes <= maxPayload) return kept.push(message)
          const event = events[i]!
          metrics.eventsOversized.inc({ kind: event.kind })
          refused.push(
            Effect.logError(`a ${event.kind} event of ${event.account} is too large for NATS; not published`, {
              subject: message.subject,
              ...(message.msgId === undefined ? {} : { msgId: message.msgId }),
              bytes,
              maxPayload,
            }),
          )
        })
        return Effect.as(Effect.all(refused, { discard: true }), kept)
      })

    const publishAll = (events: ReadonlyArray<OutboundEvent>): Effect.Effect<void, never, Nats> => {
      if (events.length === 0) return Effect.void
      return Effect.flatMap(publishable(events), (messages) => {
        const publish = publishPersistentBatch(messages).pipe(
          Effect.tapError((error) => Effect.logWarning("events not acknowledged; publishing again", error.message)),
        )
        // The retry's schedule is built only after a failure: a batch per sync round is published.
        return Schedules.retryAfterFailure(publish, Effect.succeed(untilPublished)).pipe(Effect.orDie)
      })
    }

    /**
     * One attempt of `publishAll` outside Effect, for the sync round's callback path: `done(true)`
     * once every event is acknowledged; on `false` the caller goes the Effect path, which retries.
     */
    const publishAllThen = (events: ReadonlyArray<OutboundEvent>, done: (acknowledged: boolean) => void): void =>
      publishPersistentBatchThen(nats, messagesOf(events), (error) => done(error === undefined))

    return { publishAll, publishAllThen } as const
  }),
}) {}
