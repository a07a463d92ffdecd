import { spawn, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"

const BIN = fileURLToPath(new URL("../bin/wxfleet.mjs", import.meta.url))

/** A running `wxfleet` process with its output so far and a way to wait for what a test expects. */
export class CliProcess {
  stdout = ""
  stderr = ""
  readonly exited: Promise<number | null>
  private waiters: Array<() => void> = []

  private constructor(readonly child: ChildProcess) {
    const wake = () => {
      const waiters = this.waiters
      this.waiters = []
      for (const w of waiters) w()
    }
    child.stdout!.on("data", (chunk: Buffer) => {
      this.stdout += chunk.toString("utf8")
      wake()
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8")
      wake()
    })
    this.exited = new Promise((resolve) => child.once("exit", (code) => {
      wake()
      resolve(code)
    }))
  }

  /** Runs `wxfleet <args>` in its own process group (as a terminal would), without colours. */
  static start(args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}, cwd?: string): CliProcess {
    const merged: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...env }
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k]
    return new CliProcess(
      spawn(process.execPath, [BIN, ...args], { env: merged, stdio: ["ignore", "pipe", "pipe"], detached: true, ...(cwd === undefined ? {} : { cwd }) }),
    )
  }

  /** Runs to the end: exit code and output. */
  static async run(args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) {
    const p = CliProcess.start(args, env)
    const code = await p.exited
    return { code, stdout: p.stdout, stderr: p.stderr }
  }

  /** Resolves once stdout (or stderr) satisfies the predicate. */
  async waitFor(predicate: (out: string) => boolean, timeoutMs = 30_000, stream: "stdout" | "stderr" = "stdout"): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const out = stream === "stdout" ? this.stdout : this.stderr
      if (predicate(out)) return out
      const left = deadline - Date.now()
      if (left <= 0 || this.child.exitCode !== null)
        throw new Error(`not seen within ${timeoutMs} ms (exit ${this.child.exitCode}):\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  /** Ctrl-C at a terminal: SIGINT to the whole process group. */
  interrupt(): void {
    process.kill(-this.child.pid!, "SIGINT")
  }

  /** A service manager's stop: SIGTERM to the launcher, which passes it on. */
  terminate(): void {
    this.child.kill("SIGTERM")
  }

  kill(): void {
    try {
      process.kill(-this.child.pid!, "SIGKILL")
    } catch {
      // already gone
    }
  }
}
