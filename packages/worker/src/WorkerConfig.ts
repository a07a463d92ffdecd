import { hostname } from "node:os"
import { Config, ConfigError, Context, Duration, Effect, Either, Layer } from "effect"

export interface WorkerConfigShape {
  /** The app's name: its durable consumer, its dead-letter subject, its idempotency keys. */
  readonly app: string
  /** Tells this copy from the others in metrics and logs. */
  readonly instance: string
  /** Subject prefix (contract): `wx` unless configured. */
  readonly prefix: string
  /**
   * Waits before each redelivery of a message whose handling failed (or whose handler went
   * silent): the consumer's `backoff`. The first entry is also the ack deadline, which a handler
   * still at work pushes back.
   */
  readonly backoff: ReadonlyArray<Duration.Duration>
  /** Deliveries of one message before it is dead-lettered. */
  readonly maxDeliver: number
  /** Messages handled at once by this copy. */
  readonly concurrency: number
  /** How long a command may take to be answered (the supervisor paces sends per account). */
  readonly commandTimeout: Duration.Duration
  /** How long a contact list is trusted before it is asked for again. */
  readonly contactsTtl: Duration.Duration
}

export const defaultWorkerConfig = (app: string): WorkerConfigShape => ({
  app,
  instance: `${hostname()}-${process.pid}`,
  prefix: "wx",
  backoff: [Duration.seconds(5), Duration.seconds(15), Duration.seconds(60), Duration.minutes(5)],
  maxDeliver: 5,
  concurrency: 64,
  commandTimeout: Duration.seconds(45),
  contactsTtl: Duration.minutes(10),
})

/** `"1 second, 5 seconds, 1 minute"`: a comma-separated list of durations. */
const durationList = (name: string) =>
  Config.string(name).pipe(
    Config.mapOrFail((text) => {
      const parts = text.split(",").map((part) => Duration.decodeUnknown(part.trim()))
      return parts.length > 0 && parts.every((part) => part._tag === "Some")
        ? Either.right<ReadonlyArray<Duration.Duration>>(parts.map((part) => part.value))
        : Either.left(
            ConfigError.InvalidData(
              [],
              `${name} must be durations separated by commas, e.g. "5 seconds, 1 minute"`,
            ),
          )
    }),
  )

export class WorkerConfig extends Context.Tag("@wxfleet/worker/WorkerConfig")<
  WorkerConfig,
  WorkerConfigShape
>() {
  static readonly layer = (config: WorkerConfigShape): Layer.Layer<WorkerConfig> =>
    Layer.succeed(WorkerConfig, config)

  /** `WXFLEET_PREFIX` and the `WXFLEET_WORKER_*` settings, with defaults. */
  static readonly layerFromEnv = (app: string): Layer.Layer<WorkerConfig> => {
    const d = defaultWorkerConfig(app)
    return Layer.effect(
      WorkerConfig,
      Config.all({
        app: Config.succeed(app),
        instance: Config.string("WXFLEET_WORKER_INSTANCE").pipe(Config.withDefault(d.instance)),
        prefix: Config.string("WXFLEET_PREFIX").pipe(Config.withDefault(d.prefix)),
        backoff: durationList("WXFLEET_WORKER_BACKOFF").pipe(Config.withDefault(d.backoff)),
        maxDeliver: Config.integer("WXFLEET_WORKER_MAX_DELIVER").pipe(
          Config.withDefault(d.maxDeliver),
        ),
        concurrency: Config.integer("WXFLEET_WORKER_CONCURRENCY").pipe(
          Config.withDefault(d.concurrency),
        ),
        commandTimeout: Config.duration("WXFLEET_WORKER_COMMAND_TIMEOUT").pipe(
          Config.withDefault(d.commandTimeout),
        ),
        contactsTtl: Config.duration("WXFLEET_WORKER_CONTACTS_TTL").pipe(
          Config.withDefault(d.contactsTtl),
        ),
      }).pipe(Effect.orDie),
    )
  }
}
