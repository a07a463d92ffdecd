import { spawn, type ChildProcess } from "node:child_process"
import { once } from "node:events"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { setTimeout as sleep } from "node:timers/promises"
import { Agent, request } from "undici"

/** The simulator's launcher, found beside the package's entry point. */
const WXSIM_BIN = join(
  dirname(createRequire(import.meta.url).resolve("@wxfleet/simulator")),
  "..",
  "bin",
  "wxsim.mjs",
)

export interface SimulatorProcessOptions {
  readonly syncHoldMs: number
  /** How long the child may take to print its upstream (tsx compiles on the way). */
  readonly startTimeoutMs?: number
  /** Where the serving process writes a V8 CPU profile of its run, if set. */
  readonly cpuProfileDir?: string | undefined
}

/** The simulator CLI running as a child process, and a client for its control API. */
export class SimulatorProcess {
  /** Pid of the process that serves (the launcher runs it as its own child). */
  serverPid = 0
  private readonly controlAgent = new Agent({ connections: 16 })
  private stopping: Promise<void> | undefined

  private constructor(
    private readonly child: ChildProcess,
    /** e.g. `http://127.0.0.1:41234` */
    readonly url: string,
  ) {}

  static async launch(options: SimulatorProcessOptions): Promise<SimulatorProcess> {
    const child = spawn(
      process.execPath,
      [WXSIM_BIN, "--port", "0", "--sync-hold-ms", String(options.syncHoldMs)],
      {
        stdio: ["ignore", "pipe", "inherit"],
        env: options.cpuProfileDir === undefined ? process.env : { ...process.env, WXSIM_CPU_PROF_DIR: options.cpuProfileDir },
      },
    )
    const lines = createInterface({ input: child.stdout! })
    const upstream = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the simulator did not start in time")),
        options.startTimeoutMs ?? 60_000,
      )
      child.once("exit", (code) =>
        reject(new Error(`the simulator exited with ${code} before it started`)),
      )
      lines.on("line", (line) => {
        const match = /^WXFLEET_UPSTREAM=(http:\/\/[^/]+)\/\{host\}$/.exec(line)
        if (!match) return
        clearTimeout(timer)
        resolve(match[1]!)
      })
    }).catch(async (error: unknown) => {
      child.kill("SIGKILL")
      throw error
    })
    const sim = new SimulatorProcess(child, upstream)
    sim.serverPid = (await sim.control<{ pid: number }>("GET", "/health")).pid
    return sim
  }

  /** One control call; throws with the simulator's message when it answers `ok: false`. */
  async control<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const res = await request(`${this.url}/__sim${path}`, {
      method,
      dispatcher: this.controlAgent,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    })
    const answer = (await res.body.json()) as { ok: boolean; error?: string } & T
    if (!answer.ok) throw new Error(`control ${method} ${path}: ${res.statusCode} ${answer.error}`)
    return answer
  }

  /** The event-loop lag and the protocol calls answered (by endpoint) since the last reading. */
  async reading(): Promise<{
    readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number }
    readonly calls: Readonly<Record<string, number>>
  }> {
    return this.control("POST", "/process/event-loop")
  }

  /** Waits until the simulator holds `expected` synccheck polls (or `timeoutMs` passed); returns how many it holds. */
  async waitForHeldPolls(
    expected: number,
    timeoutMs: number,
    checkDeadline: () => void = () => {},
  ): Promise<number> {
    const until = performance.now() + timeoutMs
    for (;;) {
      const { heldPolls } = await this.control<{ heldPolls: number }>("GET", "/health")
      if (heldPolls >= expected || performance.now() > until) return heldPolls
      checkDeadline()
      await sleep(200)
    }
  }

  /** Stops the simulator (SIGTERM, then SIGKILL after a grace period); later calls wait for the first. */
  stop(graceMs = 5_000): Promise<void> {
    this.stopping ??= this.terminate(graceMs)
    return this.stopping
  }

  private async terminate(graceMs: number): Promise<void> {
    await this.controlAgent.destroy()
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = once(this.child, "exit")
    this.child.kill("SIGTERM")
    const timer = setTimeout(() => {
      // A killed launcher cannot pass the signal on: end the server itself too.
      this.child.kill("SIGKILL")
      if (this.serverPid > 0) {
        try {
          process.kill(this.serverPid, "SIGKILL")
        } catch {
          // It was already gone.
        }
      }
    }, graceMs)
    await exited
    clearTimeout(timer)
  }
}
