import { spawn, type ChildProcess } from "node:child_process"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

/** tools/bench: where `--import tsx` is resolved from. */
const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..")

/** What every child of this scenario reports over IPC; the rest is each child's own. */
export interface ChildReport {
  readonly type: string
}

/** Lines kept from a child's output, for the report when something goes wrong. */
const KEPT_LINES = 40

/**
 * A TypeScript entry point of this directory run as its own Node process (`node --import tsx`,
 * as the supervisor runs), talking to the harness over an IPC channel.
 */
export class NodeChild<Report extends ChildReport, Command> {
  readonly tail: Array<string> = []
  private readonly listeners: Array<(report: Report) => void> = []
  private readonly exited: Promise<number | null>

  private constructor(
    private readonly child: ChildProcess,
    readonly name: string,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)))
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue
      createInterface({ input: stream }).on("line", (line) => {
        this.tail.push(line)
        if (this.tail.length > KEPT_LINES) this.tail.shift()
      })
    }
    child.on("message", (report) => {
      for (const listener of this.listeners) listener(report as Report)
    })
  }

  /** Starts `entry` (a file of this directory) and resolves once it reports `ready`. */
  static async start<Report extends ChildReport, Command>(
    name: string,
    entry: string,
    env: Readonly<Record<string, string>>,
    timeoutMs = 60_000,
  ): Promise<NodeChild<Report, Command>> {
    const environment: NodeJS.ProcessEnv = { ...process.env, ...env }
    // This process's NODE_OPTIONS (e.g. a test runner's) are not the child's.
    delete environment["NODE_OPTIONS"]
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@wxfleet/source",
        join(dirname(fileURLToPath(import.meta.url)), entry),
      ],
      { cwd: BENCH_DIR, env: environment, stdio: ["ignore", "pipe", "pipe", "ipc"] },
    )
    const node = new NodeChild<Report, Command>(child, name)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(node.failure("did not start in time")), timeoutMs)
      child.once("exit", (code) => reject(node.failure(`exited with ${code}`)))
      node.onReport((report) => {
        if (report.type !== "ready") return
        clearTimeout(timer)
        resolve()
      })
    }).catch(async (error: unknown) => {
      await node.stop()
      throw error
    })
    return node
  }

  get pid(): number {
    return this.child.pid ?? 0
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  onReport(listener: (report: Report) => void): void {
    this.listeners.push(listener)
  }

  send(command: Command): void {
    this.child.send(command as object)
  }

  /** An error naming the child, with its last lines. */
  failure(what: string): Error {
    return new Error(`${this.name} ${what}:\n${this.tail.join("\n")}`)
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return
    this.child.kill("SIGTERM")
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs)
    await this.exited
    clearTimeout(timer)
  }
}
