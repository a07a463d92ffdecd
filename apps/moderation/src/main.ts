import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Nats } from "@wxfleet/nats"
import { WorkerConfig } from "@wxfleet/worker"
import { Config, Effect, Layer } from "effect"
import { APP, ModerationLive } from "./Moderation.js"

/** `wxfleet-moderation`: policies from `WXFLEET_MODERATION_CONFIG`; run as many copies as the load needs. */
const MainLive = Layer.unwrapEffect(
  Effect.map(Config.string("WXFLEET_MODERATION_CONFIG").pipe(Effect.orDie), ModerationLive),
).pipe(
  Layer.provide(
    Layer.mergeAll(
      Nats.layerFromEnv(`wxfleet-${APP}`),
      WorkerConfig.layerFromEnv(APP),
      NodeContext.layer,
    ),
  ),
)

// This process exports no traces: with the tracer off, spans cost nothing per request or message.
NodeRuntime.runMain(Layer.launch(MainLive).pipe(Effect.withTracerEnabled(false)))
