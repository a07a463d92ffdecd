import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type PubAck } from "@nats-io/jetstream"
import { Kvm, type KV, type KvOptions } from "@nats-io/kv"
import { type Msg, type NatsConnection } from "@nats-io/transport-node"
import { Config, Context, Data, Effect, FiberSet, Layer, Option, type Scope } from "effect"
import { AckedPublisher, toHeaders, type PersistentMessage } from "./AckedPublisher.js"
import { connectCoalescing, connectPlain } from "./CoalescingTransport.js"
import { FifoGate } from "./FifoGate.js"
import { settleAnsweredRequestsQuietly } from "./QuietRequests.js"

/** A NATS operation failed; `operation` says which, `reason` what the client reported. */
export class NatsError extends Data.TaggedError("NatsError")<{
  readonly operation: string
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `NATS ${this.operation}: ${this.reason}`
  }
}

const natsError = (operation: string) => (cause: unknown) =>
  new NatsError({ operation, reason: cause instanceof Error ? cause.message : String(cause), cause })

/** Runs a NATS client call, its rejection becoming a NatsError naming the operation. */
export const tryNats = <A>(operation: string, call: () => Promise<A>): Effect.Effect<A, NatsError> =>
  Effect.tryPromise({ try: call, catch: natsError(operation) })

export interface NatsShape {
  readonly connection: NatsConnection
  readonly jetstream: JetStreamClient
  readonly manager: JetStreamManager
  /** Batches of JetStream publishes with their acknowledgements on one subscription. */
  readonly acked: AckedPublisher
}

export interface NatsOptions {
  readonly servers: string | ReadonlyArray<string>
  /** Shown in the server's connection list. */
  readonly name?: string
  /** Coalesce the writes of one event-loop turn into one syscall (default true). */
  readonly coalesceWrites?: boolean
}

/**
 * One NATS connection as a scoped resource: it reconnects forever while the scope lives (a
 * server restart is survived) and drains on shutdown so in-flight messages are delivered.
 */
export class Nats extends Context.Tag("@wxfleet/nats/Nats")<Nats, NatsShape>() {
  static readonly layer = (options: NatsOptions): Layer.Layer<Nats, NatsError> =>
    Layer.scoped(
      Nats,
      Effect.gen(function* () {
        const connection = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: () => {
              settleAnsweredRequestsQuietly()
              return (options.coalesceWrites === false ? connectPlain : connectCoalescing)({
                servers: typeof options.servers === "string" ? options.servers : [...options.servers],
                ...(options.name === undefined ? {} : { name: options.name }),
                maxReconnectAttempts: -1,
                reconnectTimeWait: 250,
                pingInterval: 10_000,
                // Stack traces captured up front for every request and publish ack cost a fleet
                // several % of its CPU; our errors name the operation instead (NatsError).
                noAsyncTraces: true,
              })
            },
            catch: natsError("connect"),
          }),
          (nc) => Effect.promise(() => (nc.isClosed() ? Promise.resolve() : nc.drain().catch(() => nc.close()))),
        )
        const manager = yield* Effect.tryPromise({ try: () => jetstreamManager(connection), catch: natsError("jetstream") })
        // Closed before the connection drains (finalizers run in reverse): what still waits fails.
        const acked = yield* Effect.acquireRelease(
          Effect.sync(() => new AckedPublisher(connection)),
          (publisher) => Effect.sync(() => publisher.close()),
        )
        return { connection, jetstream: jetstream(connection), manager, acked }
      }),
    )

  /** `WXFLEET_NATS_URL` (default `nats://127.0.0.1:4222`). */
  static readonly layerFromEnv = (name?: string): Layer.Layer<Nats, NatsError> =>
    Layer.unwrapEffect(
      Effect.map(
        Config.string("WXFLEET_NATS_URL").pipe(Config.withDefault("nats://127.0.0.1:4222"), Effect.orDie),
        (servers) => Nats.layer({ servers: servers.split(","), ...(name === undefined ? {} : { name }) }),
      ),
    )
}

export interface StreamSpec {
  readonly name: string
  readonly subjects: ReadonlyArray<string>
  /** How long messages are kept; unlimited when absent. */
  readonly maxAgeMs?: number
  /** Window in which a repeated `Nats-Msg-Id` is dropped as a duplicate. */
  readonly duplicateWindowMs?: number
}

const NANOS_PER_MS = 1_000_000

/** Creates the stream if it is missing, or updates its subjects and limits. Durations are nanoseconds on the wire. */
export const ensureStream = (spec: StreamSpec): Effect.Effect<void, NatsError, Nats> =>
  Effect.gen(function* () {
    const { manager } = yield* Nats
    const config = {
      name: spec.name,
      subjects: [...spec.subjects],
      ...(spec.maxAgeMs === undefined ? {} : { max_age: spec.maxAgeMs * NANOS_PER_MS }),
      ...(spec.duplicateWindowMs === undefined ? {} : { duplicate_window: spec.duplicateWindowMs * NANOS_PER_MS }),
    }
    const existing = yield* Effect.tryPromise({
      try: () => manager.streams.info(spec.name).then(() => true, () => false),
      catch: natsError("stream info"),
    })
    yield* Effect.tryPromise({
      try: () => (existing ? manager.streams.update(spec.name, config) : manager.streams.add(config)),
      catch: natsError(`ensure stream ${spec.name}`),
    })
  })

export interface PublishOptions {
  /** `Nats-Msg-Id`: JetStream drops a repeat within the stream's duplicate window. */
  readonly msgId?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
}

/** Publishes to JetStream and waits for the stream's acknowledgement. */
export const publishPersistent = (
  subject: string,
  payload: string | Uint8Array,
  options: PublishOptions = {},
): Effect.Effect<PubAck, NatsError, Nats> =>
  Effect.flatMap(Nats, ({ jetstream }) =>
    Effect.tryPromise({
      try: () =>
        jetstream.publish(subject, payload, {
          ...(options.msgId === undefined ? {} : { msgID: options.msgId }),
          ...(options.headers === undefined ? {} : { headers: toHeaders(options.headers) }),
          timeout: options.timeoutMs ?? 5_000,
        }),
      catch: natsError(`publish ${subject}`),
    }),
  )

/**
 * Publishes messages in order and waits for all their acknowledgements at once: the publishes
 * leave on the connection in this order (so the stream stores them in order) without one round
 * trip each. Fails when any is not acknowledged within `timeoutMs`; send the batch again then
 * (with `msgId`s, what was stored is dropped as a duplicate).
 */
export const publishPersistentBatch = (
  messages: ReadonlyArray<PersistentMessage>,
  timeoutMs = 5_000,
): Effect.Effect<void, NatsError, Nats> =>
  Effect.flatMap(Nats, (nats) =>
    Effect.async<void, NatsError>((resume) =>
      publishPersistentBatchThen(nats, messages, (error) => resume(error === undefined ? Effect.void : Effect.fail(error)), timeoutMs),
    ),
  )

/**
 * `publishPersistentBatch` outside Effect, for a caller's callback path: `done` is called once,
 * with the error when any message was not acknowledged.
 */
export const publishPersistentBatchThen = (
  nats: NatsShape,
  messages: ReadonlyArray<PersistentMessage>,
  done: (error: NatsError | undefined) => void,
  timeoutMs = 5_000,
): void =>
  nats.acked.publish(
    messages,
    (error) => done(error === undefined ? undefined : natsError(`publish ${messages.length} messages`)(error)),
    timeoutMs,
  )

/**
 * Writes `value` under `key` in `bucket`, a KV bucket of this connection's account (not a mirror,
 * no JetStream domain: its keys are the subjects `$KV.<bucket>.<key>`), through the same publisher:
 * no request, timer and promise per write as the KV client's `put` makes. `create` makes it
 * refused when the key holds anything, a delete marker included (the KV client's `create` takes
 * over a deleted key: use it after a refusal).
 */
export const kvWriteThen = (
  nats: NatsShape,
  bucket: string,
  key: string,
  value: string,
  options: { readonly create?: boolean },
  done: (error: NatsError | undefined) => void,
): void => {
  const message = {
    subject: `$KV.${bucket}.${key}`,
    payload: value,
    ...(options.create === true ? { headers: { "Nats-Expected-Last-Subject-Sequence": "0" } } : {}),
  }
  publishPersistentBatchThen(nats, [message], done)
}


/** Opens (creating if missing) a KV bucket. `ttlMs` is milliseconds, unlike stream durations. */
export const keyValue = (bucket: string, options: Partial<KvOptions> = {}): Effect.Effect<KV, NatsError, Nats> =>
  Effect.flatMap(Nats, ({ jetstream }) =>
    Effect.tryPromise({ try: () => new Kvm(jetstream).create(bucket, options), catch: natsError(`kv ${bucket}`) }),
  )

/** A request/reply round trip (core NATS). */
export const request = (
  subject: string,
  payload: string | Uint8Array,
  timeoutMs = 5_000,
): Effect.Effect<Msg, NatsError, Nats> =>
  Effect.flatMap(Nats, ({ connection }) =>
    Effect.tryPromise({ try: () => connection.request(subject, payload, { timeout: timeoutMs }), catch: natsError(`request ${subject}`) }),
  )

export interface ServeOptions {
  /** Queue group: several servers share the subject and each request goes to one. */
  readonly queue?: string
  /** Requests handled at once (default 64); `Infinity` when the handler bounds its own work. */
  readonly concurrency?: number
}

/**
 * Answers requests on `subject` with `handler` in a fiber of the current scope; closing the
 * scope stops taking requests (unsubscribes) and waits for the ones in flight. The handler
 * cannot fail: it turns every error into its reply, so no request goes unanswered.
 */
export const serve = <R>(
  subject: string,
  handler: (msg: Msg) => Effect.Effect<string | Uint8Array | undefined, never, R>,
  options: ServeOptions = {},
): Effect.Effect<void, NatsError, Nats | R | Scope.Scope> =>
  Effect.gen(function* () {
    const { connection } = yield* Nats
    // Finalizers run in reverse: first the subscription drains (no new requests), then we wait
    // for the requests in flight, then the fiber set closes.
    const inFlight = yield* FiberSet.make<void, never>()
    yield* Effect.addFinalizer(() => FiberSet.awaitEmpty(inFlight))
    const run = yield* FiberSet.runtime(inFlight)<R>()
    const concurrency = options.concurrency ?? 64
    const gate = Number.isFinite(concurrency) ? new FifoGate(concurrency) : undefined
    const answer = (msg: Msg) =>
      Effect.flatMap(handler(msg), (reply) =>
        Effect.sync(() => {
          if (reply !== undefined && msg.reply) msg.respond(reply)
        }),
      )
    const handle = gate === undefined ? answer : (msg: Msg) => gate.withPermit(answer(msg))
    // A callback, not the subscription's async iterator: no promise and no turn per request.
    yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          connection.subscribe(subject, {
            ...(options.queue === undefined ? {} : { queue: options.queue }),
            callback: (error, msg) => {
              if (error === null) run(handle(msg))
            },
          }),
        catch: natsError(`subscribe ${subject}`),
      }),
      (sub) => Effect.promise(() => sub.drain().catch(() => undefined)),
    )
  })

/** The `Nats-Msg-Id` (or any) header of a message, if present. */
export const header = (msg: Msg, name: string): Option.Option<string> => Option.fromNullable(msg.headers?.get(name) || undefined)
