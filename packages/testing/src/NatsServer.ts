import { spawn, type ChildProcess } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Layer } from "effect"

/** Where the nats-server binary is: `NATS_SERVER_BIN`, then the PATH, then Debian's location. */
export const natsServerBinary = (): string => {
  if (process.env["NATS_SERVER_BIN"]) return process.env["NATS_SERVER_BIN"]
  for (const dir of (process.env["PATH"] ?? "").split(":")) {
    if (dir && existsSync(join(dir, "nats-server"))) return join(dir, "nats-server")
  }
  return "/usr/sbin/nats-server"
}

/** A nats-server process just spawned, and when it says it is ready. */
export interface SpawnedNatsServer {
  readonly child: ChildProcess
  /** Resolves once the server logs "Server is ready"; rejects with what it logged if it exits or cannot start first. */
  readonly ready: Promise<void>
}

export interface NatsServerOptions {
  /** The server's max_payload in bytes (nats-server's default: 1 MB), set through a config file in the store. */
  readonly maxPayload?: number
}

/**
 * Spawns nats-server with JetStream on `host:port`, its store in `storeDir`: how the tests, the
 * benchmarks and the CLI's local server start one. `detached` puts it in its own process group.
 */
export const spawnNatsServer = (options: NatsServerOptions & {
  readonly host: string
  readonly port: number
  readonly storeDir: string
  readonly detached?: boolean
}): SpawnedNatsServer => {
  const binary = natsServerBinary()
  const args = ["-a", options.host, "-p", String(options.port), "-js", "-sd", options.storeDir]
  if (options.maxPayload !== undefined) {
    const config = join(options.storeDir, "server.conf")
    writeFileSync(config, `max_payload: ${options.maxPayload}\n`)
    args.push("-c", config)
  }
  const child = spawn(binary, args, {
    stdio: ["ignore", "ignore", "pipe"],
    detached: options.detached ?? false,
  })
  const ready = new Promise<void>((resolve, reject) => {
    let log = ""
    const onData = (chunk: Buffer) => {
      log += chunk.toString("utf8")
      if (log.includes("Server is ready")) {
        child.stderr?.off("data", onData)
        child.stderr?.resume()
        resolve()
      }
    }
    child.stderr?.on("data", onData)
    child.once("error", (error) => reject(new Error(`cannot start nats-server (${binary}): ${error.message}`)))
    child.once("exit", (code) => {
      if (!log.includes("Server is ready")) reject(new Error(`nats-server exited with ${code}: ${log.trim().split("\n").slice(-3).join(" | ")}`))
    })
  })
  return { child, ready }
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/**
 * A real nats-server with JetStream on a free loopback port and a temporary store directory, so
 * tests are isolated from each other and from the machine's own server, and can kill it (even
 * with SIGKILL) and start it again on the same port and store to test faults.
 */
export class NatsServer {
  private child: ChildProcess | undefined

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly options: NatsServerOptions,
  ) {}

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), await mkdtemp(join(tmpdir(), "wxfleet-nats-")), options)
    await server.launch()
    return server
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`
  }

  get running(): boolean {
    return this.child !== undefined
  }

  private launch(): Promise<void> {
    const { child, ready } = spawnNatsServer({ host: "127.0.0.1", port: this.port, storeDir: this.storeDir, ...this.options })
    this.child = child
    child.once("exit", () => {
      if (this.child === child) this.child = undefined
    })
    return ready
  }

  /** Stops the server; SIGKILL by default, the way a crash looks to clients. */
  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.child
    if (!child) return
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
    child.kill(signal)
    await exited
    this.child = undefined
  }

  /** Starts it again on the same port with the same store, so streams and KV survive. */
  async restart(): Promise<void> {
    await this.stop()
    await this.launch()
  }

  /** Stops the server and removes its store. */
  async dispose(): Promise<void> {
    await this.stop()
    await rm(this.storeDir, { recursive: true, force: true })
  }
}

/** The server as an Effect service for `@effect/vitest`'s `layer(...)`: started and disposed with the layer. */
export class NatsServerService extends Context.Tag("@wxfleet/testing/NatsServerService")<NatsServerService, NatsServer>() {
  static readonly layer: Layer.Layer<NatsServerService> = Layer.scoped(
    NatsServerService,
    Effect.acquireRelease(
      Effect.promise(() => NatsServer.start()),
      (server) => Effect.promise(() => server.dispose()),
    ),
  )
}
