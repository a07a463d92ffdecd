import { AckPolicy, DeliverPolicy, type JsMsg } from "@nats-io/jetstream"
import { EVENTS_STREAM, type MessageEvent, MessageEventFromSupervisor, subjects } from "@wxfleet/contracts"
import { Nats, NatsError, serve, tryNats } from "@wxfleet/nats"
import {
  Cause,
  Duration,
  Effect,
  FiberSet,
  Layer,
  Metric,
  MetricKey,
  MetricLabel,
  Option,
  ParseResult,
  Schedule,
  Schema,
  type Scope,
} from "effect"
import { CommandFailed, Commands, type ActionKey } from "./Commands.js"
import { recordDeadLetter } from "./DeadLetters.js"
import { Directory } from "./Directory.js"
import { Unprocessable } from "./errors.js"
import { FleetNames } from "./FleetNames.js"
import { Guard, type GuardOptions } from "./Guard.js"
import { ensureWorkerStreams } from "./Streams.js"
import { WorkerConfig, type WorkerConfigShape } from "./WorkerConfig.js"

/** One delivery of a message event to the handler. */
export interface Delivery {
  /** 1 on the first delivery. */
  readonly deliveries: number
  /** The idempotency key of one action this message causes (`purpose`: "reply", "warn"…). */
  readonly key: (purpose: string) => ActionKey
}

export interface WorkerSpec<E, R> {
  /** The guard's options for an account (from the app's rules). */
  readonly guard: (account: string) => Effect.Effect<GuardOptions, never, R>
  /**
   * Handles a message event the guard let through. Failing means "try again later"; failing with
   * `Unprocessable` or a `CommandFailed` that asking again cannot fix dead-letters it at once.
   */
  readonly handle: (event: MessageEvent, delivery: Delivery) => Effect.Effect<void, E, R>
}

/**
 * Handled, ignored by the guard, retried, dead-lettered: per app and copy. The labels are part of
 * the key rather than added with `Metric.tagged`, which builds and hashes a new key on every
 * update (a visible share of a copy's CPU).
 */
export const outcomeCounter = (
  config: WorkerConfigShape,
  outcome: Outcome,
): Metric.Metric.Counter<number> =>
  Metric.fromMetricKey(
    MetricKey.counter("wxfleet_worker_messages_total", {
      description: "Message events taken from the durable consumer, by outcome",
    }).pipe(
      MetricKey.taggedWithLabels([
        MetricLabel.make("app", config.app),
        MetricLabel.make("instance", config.instance),
        MetricLabel.make("outcome", outcome),
      ]),
    ),
  )

const OUTCOMES = ["handled", "ignored", "retried", "dead_lettered"] as const
export type Outcome = (typeof OUTCOMES)[number]

const NANOS_PER_MILLI = 1_000_000
const nanos = (d: Duration.Duration) => Duration.toMillis(d) * NANOS_PER_MILLI

// Events come from the supervisor, which decoded each raw entry already (MessageEventFromSupervisor).
const decodeEvent = Schema.decodeUnknownEither(Schema.parseJson(MessageEventFromSupervisor))

/** `message._tag: …`: where the event is wrong, not the whole schema it was checked against. */
const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .slice(0, 3)
    .map((issue) =>
      issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`,
    )
    .join("; ")

/** While the consumer cannot be read (NATS away, stream missing), try again, less and less often. */
const reconsume = Schedule.exponential("250 millis").pipe(
  Schedule.modifyDelay((_, d) => Duration.min(d, Duration.seconds(10))),
)

/** How long a fetch waits for messages when none are there. */
const FETCH_EXPIRES_MS = 5_000

/** How long a stopping copy lets its handlers finish before leaving their messages to the others. */
const DRAIN_TIMEOUT = Duration.seconds(10)

const errorMessage = (error: unknown): string =>
  error instanceof Error
    ? error.message
    : typeof error === "object" && error !== null && "message" in error
      ? String(error.message)
      : String(error)

/** Failures that asking again cannot fix. */
const isPermanent = (error: unknown): boolean =>
  error instanceof Unprocessable || (error instanceof CommandFailed && !error.transient)

/** The durable consumer (contract): one per app, shared by all its copies. */
const ensureConsumer = Effect.gen(function* () {
  const config = yield* WorkerConfig
  const { manager } = yield* Nats
  if (config.backoff.length === 0 || config.maxDeliver <= config.backoff.length) {
    return yield* Effect.dieMessage(
      "the worker needs a backoff and more deliveries than backoff entries",
    )
  }
  const consumer = {
    durable_name: config.app,
    ack_policy: AckPolicy.Explicit,
    // Only what arrives from now on: a new worker does not answer the stream's history.
    deliver_policy: DeliverPolicy.New,
    filter_subject: subjects(config.prefix).allMessages,
    max_deliver: config.maxDeliver,
    backoff: config.backoff.map(nanos),
    // The server makes the first backoff the ack deadline anyway; say so.
    ack_wait: nanos(config.backoff[0]!),
  }
  const exists = yield* tryNats("consumer info", () =>
    manager.consumers.info(EVENTS_STREAM, config.app).then(
      () => true,
      () => false,
    ),
  )
  if (exists) {
    const { deliver_policy: _, ...tunable } = consumer
    yield* tryNats("update consumer", () =>
      manager.consumers.update(EVENTS_STREAM, config.app, tunable),
    )
  } else {
    yield* tryNats("create consumer", () => manager.consumers.add(EVENTS_STREAM, consumer))
  }
})

/**
 * A worker: reads `<prefix>.evt.*.message` through the app's durable consumer (copies share it,
 * so each message is handled once), lets the guard drop what no worker reacts to, and runs the
 * handler. A failure is redelivered after the backoff; after the last allowed delivery, or at
 * once when it cannot succeed or does not decode, the message is dead-lettered and terminated.
 */
export const runWorker = <E, R>(
  spec: WorkerSpec<E, R>,
): Effect.Effect<void, NatsError, WorkerConfig | Nats | Guard | Scope.Scope | R> =>
  Effect.gen(function* () {
    const config = yield* WorkerConfig
    const nats = yield* Nats
    const guard = yield* Guard
    yield* ensureWorkerStreams
    yield* ensureConsumer
    // Built once: a tagged counter per message meant hashing its key and tags each time.
    const counts = new Map(
      OUTCOMES.map((o) => [o, Metric.increment(outcomeCounter(config, o))]),
    )
    const count = (outcome: Outcome) => counts.get(outcome)!
    const keepAliveEvery = Duration.millis(Math.max(100, Duration.toMillis(config.backoff[0]!) / 3))
    /**
     * Messages whose handler is at work, with when it started. One fiber pushes their ack
     * deadlines back, so no other copy gets them: a timer fiber per message cost more than
     * the rest of its handling.
     */
    const working = new Map<JsMsg, number>()
    yield* Effect.sync(() => {
      const due = Date.now() - Duration.toMillis(keepAliveEvery)
      for (const [msg, since] of working) if (since <= due) msg.working()
    }).pipe(Effect.repeat(Schedule.spaced(keepAliveEvery)), Effect.forkScoped)

    const deadLetter = (msg: JsMsg, reason: string) =>
      recordDeadLetter({
        reason,
        deliveries: msg.info.deliveryCount,
        subject: msg.subject,
        payload: msg.data,
        streamSequence: msg.seq,
      }).pipe(
        // No reason on the wire: nats-server 2.9 ignores a `+TERM` that carries one (it is in the dead letter).
        Effect.zipRight(Effect.sync(() => msg.term())),
        Effect.zipRight(count("dead_lettered")),
        // Not recorded: keep the message in the stream for a later try rather than lose it.
        Effect.catchAll((error) =>
          Effect.zipRight(Effect.logError("cannot dead-letter", error), retryLater(msg)),
        ),
      )

    /*
     * The server measures a delayed nak from "now minus the first backoff" against this attempt's
     * backoff entry, so a nak delayed by the first entry waits exactly the attempt's entry.
     */
    const retryLater = (msg: JsMsg) =>
      Effect.zipRight(
        Effect.sync(() => msg.nak(Duration.toMillis(config.backoff[0]!))),
        count("retried"),
      )

    const failed = (msg: JsMsg, cause: Cause.Cause<unknown>) => {
      const error = Cause.squash(cause)
      const reason = errorMessage(error)
      if (isPermanent(error)) return deadLetter(msg, reason)
      if (msg.info.deliveryCount >= config.maxDeliver) {
        return deadLetter(msg, `failed ${msg.info.deliveryCount} times; last: ${reason}`)
      }
      return Effect.zipRight(
        Effect.logWarning(`will retry ${msg.subject} #${msg.seq}: ${reason}`),
        retryLater(msg),
      )
    }

    /** The guard let it through: run the handler, then acknowledge. */
    const handleAdmitted = (msg: JsMsg, event: MessageEvent) => {
      const delivery: Delivery = {
        deliveries: msg.info.deliveryCount,
        key: (purpose) => ({
          base: `${config.app}:${event.message.id}:${purpose}`,
          deliveries: msg.info.deliveryCount,
        }),
      }
      working.set(msg, Date.now())
      return Effect.zipRight(
        Effect.ensuring(
          spec.handle(event, delivery),
          Effect.sync(() => working.delete(msg)),
        ),
        Effect.suspend(() => {
          msg.ack()
          return count("handled")
        }),
      )
    }

    // Steps rather than a generator: every message of the fleet comes through here.
    const handle = (msg: JsMsg) =>
      Effect.suspend((): Effect.Effect<void, unknown, R | WorkerConfig | Nats> => {
        const decoded = decodeEvent(msg.string())
        if (decoded._tag === "Left")
          return deadLetter(msg, `undecodable event: ${describeParseError(decoded.left)}`)
        const event = decoded.right
        return Effect.flatMap(
          Effect.flatMap(spec.guard(event.account), (options) => guard.check(event, options)),
          (ignored) => {
            if (Option.isNone(ignored)) return handleAdmitted(msg, event)
            msg.ack()
            return count("ignored")
          },
        )
      }).pipe(
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause) ? Effect.void : failed(msg, cause),
        ),
        // No span per message: nothing reads them, and they were a visible share of a copy's CPU.
        Effect.annotateLogs({ app: config.app, subject: msg.subject }),
      )

    /*
     * Pulls only as many messages as there are free handler slots: a message is never left
     * waiting in this copy, unacknowledged, while another copy could take it (`consume()` of the
     * client keeps pulling however slow the handlers are).
     */
    const consume = Effect.gen(function* () {
      const consumer = yield* tryNats("get consumer", () =>
        nats.jetstream.consumers.get(EVENTS_STREAM, config.app),
      )
      const slots = yield* Effect.makeSemaphore(config.concurrency)
      /** Free slots now, without waiting (releasing none answers how many are available). */
      const free = slots.release(0)
      const running = yield* FiberSet.make<void, never>()
      // Stopping: no more fetches; the handlers finish (their messages acknowledged) or, past the
      // drain timeout, are interrupted and their messages go to the other copies.
      yield* Effect.addFinalizer(() =>
        FiberSet.awaitEmpty(running).pipe(Effect.timeout(DRAIN_TIMEOUT), Effect.ignore),
      )
      yield* Effect.logInfo(
        `consuming ${subjects(config.prefix).allMessages} as ${config.app} (${config.instance})`,
      )

      const fetchBatch = Effect.gen(function* () {
        let taken = yield* slots.take(1)
        while (taken < config.concurrency && (yield* free) > 0) taken += yield* slots.take(1)
        const batch = yield* tryNats("fetch", () =>
          consumer.fetch({ max_messages: taken, expires: FETCH_EXPIRES_MS }),
        ).pipe(Effect.tapError(() => slots.release(taken)))
        const messages = batch[Symbol.asyncIterator]()
        // Stopping while the fetch waits ends it now rather than when it expires.
        const next = tryNats("fetch", () => messages.next()).pipe(
          Effect.onInterrupt(() => Effect.sync(() => batch.stop())),
        )
        let received = 0
        yield* Effect.gen(function* () {
          for (let result = yield* next; result.done !== true; result = yield* next) {
            received++
            yield* FiberSet.run(running, Effect.ensuring(handle(result.value), slots.release(1)))
          }
        }).pipe(Effect.ensuring(Effect.suspend(() => slots.release(taken - received))))
      })
      return yield* Effect.forever(fetchBatch)
    }).pipe(Effect.scoped)

    yield* consume.pipe(
      Effect.tapError((error) =>
        Effect.logWarning("consuming stopped; starting again", error.message),
      ),
      Effect.retry(reconsume),
      Effect.annotateLogs({ app: config.app }),
      Effect.forkScoped,
    )
    yield* followMaxDeliveries
  })

const MaxDeliveries = Schema.parseJson(
  Schema.Struct({ stream_seq: Schema.Number, deliveries: Schema.Number }),
)

/**
 * A message whose last delivery was never answered (the copy handling it stopped) is dropped by
 * the server with an advisory: dead-letter it from the stream, so it is recorded, not lost. One
 * copy of the app (a queue group) takes each advisory.
 */
const followMaxDeliveries = Effect.gen(function* () {
  const config = yield* WorkerConfig
  const { manager } = yield* Nats
  const decode = Schema.decodeUnknownOption(MaxDeliveries)
  yield* serve(
    `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${EVENTS_STREAM}.${config.app}`,
    (advisory) =>
      Option.match(decode(advisory.string()), {
        onNone: () => Effect.succeed(undefined),
        onSome: ({ stream_seq, deliveries }) =>
          tryNats("get message", () =>
            manager.streams.getMessage(EVENTS_STREAM, { seq: stream_seq }),
          ).pipe(
            Effect.flatMap((stored) =>
              stored === null
                ? Effect.void
                : recordDeadLetter({
                    reason: `not acknowledged after ${deliveries} deliveries`,
                    deliveries,
                    subject: stored.subject,
                    payload: stored.data,
                    streamSequence: stream_seq,
                  }),
            ),
            Effect.catchAll((error) =>
              Effect.logError("cannot dead-letter an exhausted message", error),
            ),
            Effect.as(undefined),
          ),
      }),
    { queue: config.app },
  )
})

/** The services a worker's handler may use (commands, the directory, the guard), over NATS and the worker config. */
export const WorkerServicesLive = Guard.Default.pipe(
  Layer.provideMerge(Layer.mergeAll(Directory.Default, FleetNames.Default)),
  Layer.provideMerge(Commands.Default),
)

/** A worker as a layer: it runs while the layer lives, and stops gracefully with it. */
export const workerLayer = <E, R>(spec: WorkerSpec<E, R>) => Layer.scopedDiscard(runWorker(spec))
