import { Nats } from "@wxfleet/nats"
import { LeanUndiciClient, ProtocolConfig, Transport, Upstream } from "@wxfleet/protocol"
import { Effect, Layer } from "effect"
import { serveCommands } from "./commands/CommandRouter.js"
import { readConfigFile } from "./config/ConfigFile.js"
import { SupervisorConfig } from "./config/SupervisorConfig.js"
import { EventPublisher } from "./events/EventPublisher.js"
import { Fleet } from "./fleet/Fleet.js"
import { serveFleet } from "./fleet/FleetRouter.js"
import { SupervisorLease } from "./fleet/SupervisorLease.js"
import { HealthServerLive } from "./http/HealthServer.js"
import { Metrics } from "./metrics/Metrics.js"
import { AccountRegistry } from "./state/AccountRegistry.js"
import { SessionStore } from "./state/SessionStore.js"
import { StateSaver } from "./state/StateSaver.js"

/** Runs `effect` once this supervisor holds the fleet's lease (decision 0006). */
const whenLeaseHeld = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.flatMap(SupervisorLease, (lease) => Effect.zipRight(lease.held, effect))

/** Starts the accounts of the KV list and of the config file. */
const startAccounts = Effect.gen(function* () {
  const config = yield* SupervisorConfig
  const fleet = yield* Fleet
  const fromFile = config.configFile === undefined ? [] : (yield* readConfigFile(config.configFile)).accounts
  yield* fleet.startAll(fromFile)
})

/**
 * The whole supervisor, top to bottom like the architecture diagram: commands and fleet
 * operations over NATS and the health server, over the fleet of sessions, over the event
 * publisher and the encrypted state in KV, over NATS and the protocol client.
 */
export const SupervisorLive = Layer.mergeAll(
  Layer.scopedDiscard(whenLeaseHeld(serveCommands)),
  Layer.scopedDiscard(whenLeaseHeld(serveFleet)),
  Layer.effectDiscard(whenLeaseHeld(startAccounts)),
  HealthServerLive,
).pipe(
  Layer.provideMerge(Fleet.Default),
  Layer.provideMerge(
    Layer.mergeAll(EventPublisher.Default, SessionStore.Default, StateSaver.Default, AccountRegistry.Default),
  ),
  Layer.provideMerge(Metrics.layer),
  // Held before accounts start or commands are served, given back last: one supervisor per fleet.
  Layer.provideMerge(SupervisorLease.Default),
)

/** The protocol client over undici (the lean client: a fleet's CPU goes to requests), sending to `WXFLEET_UPSTREAM` when set. */
export const ProtocolLive = (upstream?: string) =>
  Layer.mergeAll(Transport.Default, ProtocolConfig.layerFromEnv).pipe(
    Layer.provide(
      Layer.mergeAll(
        LeanUndiciClient.layer,
        upstream === undefined ? Upstream.layerFromEnv : Upstream.layer(upstream),
      ),
    ),
  )

export { Nats, SupervisorConfig }
