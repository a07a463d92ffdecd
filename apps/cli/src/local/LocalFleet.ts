import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { APP as AUTO_REPLY, AutoReplyLive } from "@wxfleet/auto-reply"
import { APP as MODERATION, ModerationLive } from "@wxfleet/moderation"
import { Nats } from "@wxfleet/nats"
import { Fleet, HealthAddress, ProtocolLive, SupervisorConfig, SupervisorLive } from "@wxfleet/supervisor"
import { WorkerConfig } from "@wxfleet/worker"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"

/**
 * The fleet's parts as layers for one process, each on its own NATS connection as if it ran
 * alone: what `up` and `demo` start, and stop in reverse order.
 */

/** Why a part did not start: a NatsError, a bad config file… */
export interface StartError {
  readonly _tag: string
  readonly message: string
}

/**
 * The supervisor, configured like `wxfleet-supervisor` from `WXFLEET_*` (the secret key given
 * here), sending to `upstream` (the simulator) when given.
 */
export const supervisorLayer = (options: {
  readonly natsUrl: string
  readonly secretKey: Redacted.Redacted<string>
  readonly upstream?: string
  /** Overrides `WXFLEET_*` settings, e.g. `WXFLEET_HTTP_PORT`. */
  readonly settings?: Readonly<Record<string, string>>
}): Layer.Layer<Fleet | HealthAddress, StartError> => {
  const provider = ConfigProvider.fromMap(
    new Map(Object.entries({ ...options.settings, WXFLEET_SECRET_KEY: Redacted.value(options.secretKey) })),
  ).pipe(ConfigProvider.orElse(() => ConfigProvider.fromEnv()))
  return SupervisorLive.pipe(
    Layer.provide(
      Layer.mergeAll(
        Nats.layer({ servers: options.natsUrl.split(","), name: "wxfleet-supervisor" }),
        ProtocolLive(options.upstream),
        Layer.effect(
          SupervisorConfig,
          SupervisorConfig.pipe(Effect.provide(SupervisorConfig.layerFromEnv), Effect.withConfigProvider(provider)),
        ),
      ),
    ),
  )
}

/** An auto-reply worker (apps/auto-reply) with its rules file, reloaded on change. */
export const autoReplyLayer = (natsUrl: string, rulesFile: string) =>
  AutoReplyLive(rulesFile).pipe(
    Layer.provide(
      Layer.mergeAll(
        Nats.layer({ servers: natsUrl.split(","), name: `wxfleet-${AUTO_REPLY}` }),
        WorkerConfig.layerFromEnv(AUTO_REPLY),
        NodeHttpClient.layerUndici,
        NodeContext.layer,
      ),
    ),
  )

/** A moderation worker (apps/moderation) with its policies file, reloaded on change. */
export const moderationLayer = (natsUrl: string, policiesFile: string) =>
  ModerationLive(policiesFile).pipe(
    Layer.provide(
      Layer.mergeAll(
        Nats.layer({ servers: natsUrl.split(","), name: `wxfleet-${MODERATION}` }),
        WorkerConfig.layerFromEnv(MODERATION),
        NodeContext.layer,
      ),
    ),
  )
