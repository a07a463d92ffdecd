import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Nats } from "@wxfleet/nats"
import { WorkerConfig } from "@wxfleet/worker"
import { Config, Effect, Layer } from "effect"
import { APP, AutoReplyLive } from "./AutoReply.js"

/** `wxfleet-auto-reply`: rules from `WXFLEET_AUTOREPLY_CONFIG`; run as many copies as the load needs. */
const MainLive = Layer.unwrapEffect(
  Effect.map(Config.string("WXFLEET_AUTOREPLY_CONFIG").pipe(Effect.orDie), AutoReplyLive),
).pipe(
  Layer.provide(
    Layer.mergeAll(
      Nats.layerFromEnv(`wxfleet-${APP}`),
      WorkerConfig.layerFromEnv(APP),
      NodeHttpClient.layerUndici,
      NodeContext.layer,
    ),
  ),
)

// This process exports no traces: with the tracer off, spans cost nothing per request or message.
NodeRuntime.runMain(Layer.launch(MainLive).pipe(Effect.withTracerEnabled(false)))
