import { Options } from "@effect/cli"
import { Nats } from "@wxfleet/nats"
import { Config, Console, Effect, Fiber, Layer } from "effect"
import { FleetClient, type FleetError } from "../fleet/FleetClient.js"
import { fleetExit, type CliExit } from "./ExitCode.js"

export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222"

/** `WXFLEET_NATS_URL`, the NATS server(s) of the fleet. */
export const natsUrl = Config.string("WXFLEET_NATS_URL").pipe(Config.withDefault(DEFAULT_NATS_URL), Effect.orDie)

/** `--json`: machine-readable output on stdout. */
export const json = Options.boolean("json").pipe(Options.withDescription("Print JSON (one document per line) for scripts"))

/**
 * Says on stderr what the effect is doing when it takes more than a moment, so a person knows
 * what is awaited; quick runs (and stdout for scripts) stay clean.
 */
export const withProgress =
  (message: string, afterMs = 700) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.fork(Effect.delay(Console.error(message), afterMs)), (notice) =>
      Effect.ensuring(effect, Fiber.interrupt(notice)),
    )

/** The fleet client over a NATS connection of its own to `url`. */
export const FleetLiveAt = (url: string): Layer.Layer<FleetClient, FleetError> =>
  Layer.scopedContext(
    Layer.build(FleetClient.Default.pipe(Layer.provide(Nats.layer({ servers: url.split(","), name: "wxfleet-cli" })))).pipe(
      Effect.catchTag("ConfigError", Effect.die),
      withProgress(`connecting to NATS at ${url}…`),
    ),
  )

/** The fleet client at `WXFLEET_NATS_URL`. */
export const FleetLive: Layer.Layer<FleetClient, FleetError> = Layer.unwrapEffect(Effect.map(natsUrl, FleetLiveAt))

/** Runs a command against the fleet: its failures become exit codes (refused 1, unreachable 3). */
export const withFleet = <A, R>(
  effect: Effect.Effect<A, FleetError | CliExit, R>,
): Effect.Effect<A, CliExit, Exclude<R, FleetClient>> =>
  effect.pipe(
    Effect.provide(FleetLive),
    Effect.mapError((error) => (error._tag === "CliExit" ? error : fleetExit(error))),
  )
