import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Nats } from "@wxfleet/nats"
import { Effect, Layer } from "effect"
import { SupervisorConfig } from "./config/SupervisorConfig.js"
import { ProtocolLive, SupervisorLive } from "./Supervisor.js"

/** `wxfleet-supervisor`: configured from `WXFLEET_*`; SIGTERM/SIGINT stop it gracefully (exit 0). */
const MainLive = SupervisorLive.pipe(
  Layer.provide(Layer.mergeAll(Nats.layerFromEnv("wxfleet-supervisor"), ProtocolLive(), SupervisorConfig.layerFromEnv)),
)

// This process exports no traces: with the tracer off, spans cost nothing per request or message.
NodeRuntime.runMain(Layer.launch(MainLive).pipe(Effect.withTracerEnabled(false)))
