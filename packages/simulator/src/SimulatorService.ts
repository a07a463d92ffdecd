import { Context, Effect, Layer } from "effect"
import { Simulator, type SimulatorOptions } from "./Simulator.js"

/** The simulator as an Effect service, for tests written with `@effect/vitest`'s `layer(...)`. */
export class SimulatorService extends Context.Tag("@wxfleet/simulator/SimulatorService")<SimulatorService, Simulator>() {
  /** Starts a simulator on a free port for the layer's lifetime and closes it after. */
  static readonly layer = (options: SimulatorOptions = {}): Layer.Layer<SimulatorService> =>
    Layer.scoped(
      SimulatorService,
      Effect.acquireRelease(
        Effect.promise(() => Simulator.start(options)),
        (simulator) => Effect.promise(() => simulator.close()),
      ),
    )
}
