import { spawn, type ChildProcess } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { createWriteStream } from "node:fs"
import { createInterface } from "node:readline"
import { setTimeout as sleep } from "node:timers/promises"
import { appEntryArgs } from "../proc.js"
import { supervisorNodeFlags } from "@wxfleet/supervisor/bin/runFromSources"

/** The supervisor's package directory and entry point, found through its package. */
const SUPERVISOR_SRC = dirname(createRequire(import.meta.url).resolve("@wxfleet/supervisor"))
const SUPERVISOR_MAIN = join(SUPERVISOR_SRC, "main.ts")
const SUPERVISOR_DIR = dirname(SUPERVISOR_SRC)

export interface SupervisorProcessOptions {
  readonly natsUrl: string
  /** `WXFLEET_UPSTREAM`: the simulator's `http://127.0.0.1:<port>/{host}`. */
  readonly upstream: string
  readonly secretKey: string
  readonly httpPort: number
  /** `WXFLEET_CONFIG`: a JSON file listing the accounts to start with. */
  readonly configFile?: string
  /** Node flags before the entry point, e.g. `--cpu-prof` (Node 20 refuses it in NODE_OPTIONS). */
  readonly nodeArgs?: ReadonlyArray<string>
  readonly extraEnv?: Readonly<Record<string, string>>
  /** A file that gets everything the supervisor prints (e.g. a `--trace-gc-nvp` trace), if set. */
  readonly outputFile?: string
}

/** Lines kept from the supervisor's output, for the report when something goes wrong. */
const KEPT_LINES = 40

/**
 * The supervisor as an operator runs it (`wxfleet-supervisor`): bundled into the supervisor's
 * `dist/`, started as `node <the bin's node flags> dist/main.mjs` in its own process, configured through `WXFLEET_*`. It runs
 * under a shell that raises its open-file limit to the hard limit and then execs node, so the
 * pid is node's.
 */
export class SupervisorProcess {
  /** The last lines the supervisor printed (stdout and stderr). */
  readonly tail: Array<string> = []
  /** Lines printed at level WARN, ERROR or FATAL. */
  warnings = 0
  errors = 0
  private stopping: Promise<number | null> | undefined
  private readonly exited: Promise<number | null>

  private constructor(
    private readonly child: ChildProcess,
    readonly httpPort: number,
    outputFile?: string,
  ) {
    const copy = outputFile === undefined ? undefined : createWriteStream(outputFile)
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)))
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue
      createInterface({ input: stream }).on("line", (line) => {
        if (/level=(ERROR|FATAL)/.test(line)) this.errors++
        else if (/level=WARN/.test(line)) this.warnings++
        copy?.write(line + "\n")
        this.tail.push(line)
        if (this.tail.length > KEPT_LINES) this.tail.shift()
      })
    }
  }

  get pid(): number {
    return this.child.pid ?? 0
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  static async start(options: SupervisorProcessOptions): Promise<SupervisorProcess> {
    const entry = await appEntryArgs(SUPERVISOR_MAIN, join(SUPERVISOR_DIR, "dist"))
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.extraEnv,
      WXFLEET_NATS_URL: options.natsUrl,
      WXFLEET_UPSTREAM: options.upstream,
      WXFLEET_SECRET_KEY: options.secretKey,
      WXFLEET_HTTP_PORT: String(options.httpPort),
    }
    if (options.configFile !== undefined) env["WXFLEET_CONFIG"] = options.configFile
    // This process's NODE_OPTIONS (e.g. a test runner's) are not the supervisor's.
    delete env["NODE_OPTIONS"]
    const child = spawn(
      "/bin/sh",
      [
        "-c",
        'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"',
        "supervisor",
        process.execPath,
        // The flags `wxfleet-supervisor` starts node with, so the benchmark measures what operators run.
        ...supervisorNodeFlags((options.nodeArgs ?? []).join(" ")),
        ...(options.nodeArgs ?? []),
        ...entry,
      ],
      { cwd: SUPERVISOR_DIR, env, stdio: ["ignore", "pipe", "pipe"] },
    )
    return new SupervisorProcess(child, options.httpPort, options.outputFile)
  }

  /** `/healthz`: accounts and sessions by state. */
  async health(): Promise<{ accounts: number; sessions: Record<string, number> }> {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}/healthz`)
    return (await res.json()) as { accounts: number; sessions: Record<string, number> }
  }

  /**
   * The supervisor's `/metrics` now, as a reader of its values (NaN for one it does not have).
   * prom-client starts its event-loop lag histogram afresh on every scrape.
   */
  async metrics(): Promise<MetricValues> {
    const text = await fetch(`http://127.0.0.1:${this.httpPort}/metrics`).then((r) => r.text())
    return (name) => Number(new RegExp(`^${name} ([0-9.e+-]+)`, "m").exec(text)?.[1])
  }

  /** Waits until the health server answers (the supervisor's layers are up). */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs
    for (;;) {
      if (!this.running) throw new Error(`the supervisor exited early:\n${this.tail.join("\n")}`)
      try {
        await this.health()
        return
      } catch {
        if (performance.now() > until)
          throw new Error("the supervisor's health server did not answer")
        await sleep(100)
      }
    }
  }

  /** SIGKILL at once, as a crash: no drain, no last save. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL")
    await this.exited
  }

  /** SIGTERM (the supervisor drains and exits, writing a CPU profile if asked), then SIGKILL. */
  stop(graceMs = 30_000): Promise<number | null> {
    this.stopping ??= (async () => {
      if (!this.running) return this.exited
      this.child.kill("SIGTERM")
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs)
      const code = await this.exited
      clearTimeout(timer)
      return code
    })()
    return this.stopping
  }
}

/** Event-loop lag of a process over a stretch of time, in ms. */
export interface EventLoopLag {
  readonly p50: number
  readonly p99: number
  readonly max: number
}

/** A value of a Prometheus text exposition, by name (labels included, regex-escaped). */
export type MetricValues = (name: string) => number

/** prom-client's `nodejs_eventloop_lag_*` among `values`, in ms. */
export const eventLoopLagOf = (values: MetricValues): EventLoopLag => {
  const ms = (name: string) => 1_000 * values(`nodejs_eventloop_lag_${name}_seconds`)
  return { p50: ms("p50"), p99: ms("p99"), max: ms("max") }
}
