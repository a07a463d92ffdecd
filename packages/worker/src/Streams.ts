import { DEADLETTER_STREAM, EVENTS_STREAM, subjects } from "@wxfleet/contracts"
import { Nats, tryNats, type NatsError } from "@wxfleet/nats"
import { Duration, Effect } from "effect"
import { WorkerConfig } from "./WorkerConfig.js"

/** How long a repeated `Nats-Msg-Id` is dropped: the supervisor's window for events. */
const DUPLICATE_WINDOW = Duration.minutes(30)

const NANOS_PER_MILLI = 1_000_000

/**
 * Creates a stream that is missing and leaves an existing one alone: its owner (the supervisor
 * for WX_EVENTS, an operator who tuned limits) decides its config, never a worker.
 */
const createIfMissing = (name: string, subject: string): Effect.Effect<void, NatsError, Nats> =>
  Effect.gen(function* () {
    const { manager } = yield* Nats
    const exists = () =>
      manager.streams.info(name).then(
        () => true,
        () => false,
      )
    if (yield* tryNats(`stream info ${name}`, exists)) return
    yield* tryNats(`create stream ${name}`, () =>
      manager.streams.add({
        name,
        subjects: [subject],
        duplicate_window: Duration.toMillis(DUPLICATE_WINDOW) * NANOS_PER_MILLI,
      }),
    ).pipe(
      // Another copy may have created it a moment before us.
      Effect.catchAll((error) =>
        Effect.flatMap(tryNats(`stream info ${name}`, exists), (created) =>
          created ? Effect.void : Effect.fail(error),
        ),
      ),
    )
  })

/** The events stream workers read and the dead-letter stream they write, created when missing. */
export const ensureWorkerStreams: Effect.Effect<void, NatsError, Nats | WorkerConfig> = Effect.gen(
  function* () {
    const s = subjects((yield* WorkerConfig).prefix)
    yield* createIfMissing(EVENTS_STREAM, s.allEvents)
    yield* createIfMissing(DEADLETTER_STREAM, s.allDeadLetters)
  },
)
