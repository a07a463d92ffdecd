import { Config, Context, Duration, Effect, Layer } from "effect"

/** Deadlines and pacing of the protocol client; every value has a default and an env name. */
export interface ProtocolConfigShape {
  /** Deadline of an ordinary request (init, sync, contacts, send). */
  readonly requestTimeout: Duration.Duration
  /** Deadline of a synccheck long poll; the server holds it about 25 s (the official client waits 35 s). */
  readonly synccheckTimeout: Duration.Duration
  /** Deadline of a login poll, which the server also holds. */
  readonly loginPollTimeout: Duration.Duration
  /** Deadline of one upload chunk or the headers of a download. */
  readonly mediaTimeout: Duration.Duration
}

export const defaultProtocolConfig: ProtocolConfigShape = {
  requestTimeout: Duration.seconds(15),
  synccheckTimeout: Duration.seconds(35),
  loginPollTimeout: Duration.seconds(35),
  mediaTimeout: Duration.seconds(60),
}

export class ProtocolConfig extends Context.Tag("@wxfleet/protocol/ProtocolConfig")<ProtocolConfig, ProtocolConfigShape>() {
  static readonly layer = (overrides: Partial<ProtocolConfigShape> = {}): Layer.Layer<ProtocolConfig> =>
    Layer.succeed(ProtocolConfig, { ...defaultProtocolConfig, ...overrides })

  /** `WXFLEET_REQUEST_TIMEOUT`, `WXFLEET_SYNCCHECK_TIMEOUT`, `WXFLEET_LOGIN_POLL_TIMEOUT`, `WXFLEET_MEDIA_TIMEOUT` (e.g. "35 seconds"). */
  static readonly layerFromEnv: Layer.Layer<ProtocolConfig> = Layer.effect(
    ProtocolConfig,
    Config.all({
      requestTimeout: Config.withDefault(Config.duration("WXFLEET_REQUEST_TIMEOUT"), defaultProtocolConfig.requestTimeout),
      synccheckTimeout: Config.withDefault(
        Config.duration("WXFLEET_SYNCCHECK_TIMEOUT"),
        defaultProtocolConfig.synccheckTimeout,
      ),
      loginPollTimeout: Config.withDefault(
        Config.duration("WXFLEET_LOGIN_POLL_TIMEOUT"),
        defaultProtocolConfig.loginPollTimeout,
      ),
      mediaTimeout: Config.withDefault(Config.duration("WXFLEET_MEDIA_TIMEOUT"), defaultProtocolConfig.mediaTimeout),
    }).pipe(Effect.orElseSucceed(() => defaultProtocolConfig)),
  )
}
