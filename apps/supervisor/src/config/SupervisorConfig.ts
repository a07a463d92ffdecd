import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Redacted } from "effect"
import { parseHeapSetting, type HeapSetting } from "../heap.js"

export interface SupervisorConfigShape {
  /** Subject prefix (contract): `wx` unless configured. */
  readonly prefix: string
  /** Encrypts session state at rest (`WXFLEET_SECRET_KEY`). */
  readonly secretKey: Redacted.Redacted<string>
  /** Minimum time between two sends of one account, before jitter. */
  readonly sendInterval: Duration.Duration
  /** Up to this fraction of the interval is added at random, so sends never look machine-made. */
  readonly sendJitter: number
  /**
   * Sends of one account waiting for their pacing turn at most (`WXFLEET_SEND_BACKLOG`, default
   * 200: five minutes at the default interval); one more is refused at once with
   * `SendBacklogFull`, not sent, so a flood for one account neither waits unboundedly nor holds
   * memory that other accounts need.
   */
  readonly sendBacklog?: number
  /** After a 1205 the account's interval is multiplied by this, then decays back. */
  readonly rateLimitBackoff: number
  /** How often a logged-in session sends the official client's status notify heartbeat. */
  readonly heartbeatInterval: Duration.Duration
  /** How long an idempotency key remembers its first reply. */
  readonly idempotencyTtl: Duration.Duration
  /**
   * After a sync batch, the session state (SyncKey) is saved at most this often unless its
   * cookies or keys changed (`WXFLEET_STATE_SAVE_INTERVAL`, default 5 s). A restart resumes from
   * the last save: batches after it are fetched again and JetStream drops them as duplicates
   * (their Nats-Msg-Id), so this trades a few seconds of refetching for one KV write per batch.
   * Zero saves after every batch.
   */
  readonly stateSaveInterval?: Duration.Duration
  /**
   * Routine state saves (SyncKey only) a second for the whole fleet at most
   * (`WXFLEET_STATE_SAVE_RATE`, default 200): the interval holds up to rate × interval busy
   * sessions (1,000 by default); beyond that each session is saved less often instead of the
   * saves taking the supervisor's CPU from its messages.
   */
  readonly stateSaveRate?: number
  /**
   * webwxsync calls in flight at once for the whole fleet (`WXFLEET_SYNC_CONCURRENCY`, default
   * 2,048); more sessions with news wait their turn before their call's deadline starts.
   */
  readonly syncConcurrency?: number
  /**
   * Operations running at once for the whole fleet (`WXFLEET_COMMAND_CONCURRENCY`, default
   * 2,048); more wait in line. A send waiting for its account's pacing turn does not hold one
   * (its wait is bounded by `sendBacklog` instead), so one account's backlog never holds up
   * another account's commands.
   */
  readonly commandConcurrency?: number
  /**
   * Sessions logging in or resuming at once for the whole fleet (`WXFLEET_LOGIN_CONCURRENCY`,
   * default 128): the check of a stored session, webwxinit and the contact listing. A restart
   * resumes every account together; without a bound, 10,000 of them at once made webwxsync
   * calls time out (1,476 reconnects) and took three minutes. Waiting for a scan or a push
   * confirmation holds none.
   */
  readonly loginConcurrency?: number
  /**
   * How long an account's `contacts` listing answers again (`WXFLEET_CONTACTS_TTL`, default
   * 10 s), unless its contacts changed since; callers asking while one runs share it either way.
   * Zero keeps nothing beyond the listing in flight.
   */
  readonly contactsTtl?: Duration.Duration
  /** `WXFLEET_HEAP_GROWING_PERCENT`: "auto" (the default) or a percentage; see heap.ts. */
  readonly heapGrowingPercent?: HeapSetting
  /** Port of /healthz and /metrics; 0 picks a free one. */
  readonly httpPort: number
  /** Optional JSON file listing accounts and their options. */
  readonly configFile: string | undefined
}

export const DEFAULT_STATE_SAVE_INTERVAL = Duration.seconds(5)
export const DEFAULT_STATE_SAVE_RATE = 200
/**
 * Enough that a busy fleet's webwxsync calls do not queue here: a permit is held for the call's
 * whole round trip, slow under load, and with 256 a 10,000-session fleet at 2,500 messages/s kept
 * a line that made its p50 latency 1.5 s (130–570 ms with 2,048). A burst of every poll at once
 * still waits here past 2,048, not all of it in the HTTP pool (512 connections a host) with its
 * deadlines running: after an outage 10,000 sessions were back within 15 s, none timed out.
 */
export const DEFAULT_SYNC_CONCURRENCY = 2_048
export const DEFAULT_SEND_BACKLOG = 200
export const DEFAULT_CONTACTS_TTL = Duration.seconds(10)

/** See `commandConcurrency`. */
export const DEFAULT_COMMAND_CONCURRENCY = 2_048
export const DEFAULT_LOGIN_CONCURRENCY = 128

export class SupervisorConfig extends Context.Tag("@wxfleet/supervisor/SupervisorConfig")<
  SupervisorConfig,
  SupervisorConfigShape
>() {
  static readonly layer = (config: SupervisorConfigShape): Layer.Layer<SupervisorConfig> =>
    Layer.succeed(SupervisorConfig, config)

  /** Every setting from `WXFLEET_*` env variables, with defaults; only the secret key is required. */
  static readonly layerFromEnv: Layer.Layer<SupervisorConfig, never> = Layer.effect(
    SupervisorConfig,
    Config.all({
      prefix: Config.string("WXFLEET_PREFIX").pipe(Config.withDefault("wx")),
      secretKey: Config.redacted("WXFLEET_SECRET_KEY"),
      sendInterval: Config.duration("WXFLEET_SEND_INTERVAL").pipe(Config.withDefault(Duration.millis(1_500))),
      sendJitter: Config.number("WXFLEET_SEND_JITTER").pipe(Config.withDefault(0.5)),
      sendBacklog: Config.integer("WXFLEET_SEND_BACKLOG").pipe(
        Config.validate({ message: "WXFLEET_SEND_BACKLOG must be at least 1", validation: (n) => n >= 1 }),
        Config.withDefault(DEFAULT_SEND_BACKLOG),
      ),
      rateLimitBackoff: Config.number("WXFLEET_RATE_LIMIT_BACKOFF").pipe(Config.withDefault(4)),
      heartbeatInterval: Config.duration("WXFLEET_HEARTBEAT_INTERVAL").pipe(Config.withDefault(Duration.minutes(5))),
      idempotencyTtl: Config.duration("WXFLEET_IDEMPOTENCY_TTL").pipe(Config.withDefault(Duration.hours(24))),
      stateSaveInterval: Config.duration("WXFLEET_STATE_SAVE_INTERVAL").pipe(Config.withDefault(DEFAULT_STATE_SAVE_INTERVAL)),
      stateSaveRate: Config.number("WXFLEET_STATE_SAVE_RATE").pipe(
        Config.validate({ message: "WXFLEET_STATE_SAVE_RATE must be above 0", validation: (rate) => rate > 0 }),
        Config.withDefault(DEFAULT_STATE_SAVE_RATE),
      ),
      syncConcurrency: Config.integer("WXFLEET_SYNC_CONCURRENCY").pipe(
        Config.validate({ message: "WXFLEET_SYNC_CONCURRENCY must be at least 1", validation: (n) => n >= 1 }),
        Config.withDefault(DEFAULT_SYNC_CONCURRENCY),
      ),
      commandConcurrency: Config.integer("WXFLEET_COMMAND_CONCURRENCY").pipe(
        Config.validate({ message: "WXFLEET_COMMAND_CONCURRENCY must be at least 1", validation: (n) => n >= 1 }),
        Config.withDefault(DEFAULT_COMMAND_CONCURRENCY),
      ),
      loginConcurrency: Config.integer("WXFLEET_LOGIN_CONCURRENCY").pipe(
        Config.validate({ message: "WXFLEET_LOGIN_CONCURRENCY must be at least 1", validation: (n) => n >= 1 }),
        Config.withDefault(DEFAULT_LOGIN_CONCURRENCY),
      ),
      contactsTtl: Config.duration("WXFLEET_CONTACTS_TTL").pipe(Config.withDefault(DEFAULT_CONTACTS_TTL)),
      heapGrowingPercent: Config.string("WXFLEET_HEAP_GROWING_PERCENT").pipe(
        Config.withDefault("auto"),
        Config.mapOrFail((raw) =>
          Either.mapLeft(parseHeapSetting(raw), (message) => ConfigError.InvalidData([], message)),
        ),
      ),
      httpPort: Config.integer("WXFLEET_HTTP_PORT").pipe(Config.withDefault(9464)),
      configFile: Config.option(Config.string("WXFLEET_CONFIG")).pipe(
        Config.map((file) => (file._tag === "Some" ? file.value : undefined)),
      ),
    }).pipe(Effect.orDie),
  )
}
