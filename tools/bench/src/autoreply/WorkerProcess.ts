import { spawn, type ChildProcess } from "node:child_process"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { appEntryArgs } from "../proc.js"

/** auto-reply's entry point, found through its package. */
const AUTO_REPLY_MAIN = join(
  dirname(createRequire(import.meta.url).resolve("@wxfleet/auto-reply")),
  "main.ts",
)

/**
 * A copy of auto-reply as an operator runs it (`wxfleet-auto-reply`): bundled into the app's
 * `dist/`, in its own process, configured through `WXFLEET_*`.
 */
export class WorkerProcess {
  readonly tail: Array<string> = []
  errors = 0
  private readonly exited: Promise<number | null>

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)))
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue
      createInterface({ input: stream }).on("line", (line) => {
        if (/level=(ERROR|FATAL)/.test(line)) this.errors++
        this.tail.push(line)
        if (this.tail.length > 40) this.tail.shift()
      })
    }
  }

  /** Starts a copy and resolves once it consumes (it says so in its log). */
  static async start(
    env: Readonly<Record<string, string>>,
    nodeArgs: ReadonlyArray<string> = [],
    timeoutMs = 60_000,
  ): Promise<WorkerProcess> {
    const entry = await appEntryArgs(AUTO_REPLY_MAIN, join(dirname(dirname(AUTO_REPLY_MAIN)), "dist"))
    const child = spawn(
      process.execPath,
      [...nodeArgs, ...entry],
      {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    )
    const worker = new WorkerProcess(child)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`auto-reply did not start:\n${worker.tail.join("\n")}`)),
        timeoutMs,
      )
      child.once("exit", (code) =>
        reject(new Error(`auto-reply exited with ${code}:\n${worker.tail.join("\n")}`)),
      )
      createInterface({ input: child.stdout! }).on("line", (line) => {
        if (!line.includes("consuming")) return
        clearTimeout(timer)
        resolve()
      })
    })
    return worker
  }

  get pid(): number {
    return this.child.pid ?? 0
  }

  /** SIGTERM: the copy finishes what it holds and leaves. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return
    this.child.kill("SIGTERM")
    await this.exited
  }
}
