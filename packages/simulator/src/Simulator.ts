import { controlHandler } from "./control/control.js"
import { allRoutes } from "./endpoints/routes.js"
import { Faults } from "./faults/Faults.js"
import { listen, type ListeningServer } from "./http/server.js"
import { World, type WorldOptions } from "./world/World.js"

export interface SimulatorOptions extends WorldOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number
  /** Address to bind; loopback by default. */
  readonly bindAddress?: string
}

/** A running simulator: the world, its faults, and the HTTP server that serves every host. */
export class Simulator {
  private http!: ListeningServer

  private constructor(
    readonly world: World,
    readonly faults: Faults,
  ) {}

  static async start(options: SimulatorOptions = {}): Promise<Simulator> {
    const simulator = new Simulator(new World(options), new Faults())
    simulator.http = await listen({
      world: simulator.world,
      faults: simulator.faults,
      routes: allRoutes,
      control: controlHandler(simulator),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.bindAddress === undefined ? {} : { host: options.bindAddress }),
    })
    return simulator
  }

  get port(): number {
    return this.http.port
  }

  /** Base URL of the server, e.g. `http://127.0.0.1:7300`. */
  get url(): string {
    return `http://127.0.0.1:${this.http.port}`
  }

  /** The value for `WXFLEET_UPSTREAM`: `http://127.0.0.1:<port>/{host}`. */
  get upstream(): string {
    return `${this.url}/{host}`
  }

  close(): Promise<void> {
    return this.http.close()
  }
}
