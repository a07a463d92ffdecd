import { fork, type ChildProcess } from "node:child_process"
import { once } from "node:events"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { cpuSeconds } from "../proc.js"
import type { ProtocolConfig, Transport } from "@wxfleet/protocol"
import { ManagedRuntime } from "effect"
import { clientLayer, type Phone } from "./client.js"

/** What the benchmark asks the simulator's process to do. */
export type ChildRequest =
  | {
      readonly id: number
      readonly type: "populate"
      /** Accounts are `<prefix>_<index>`; their friends come from one shared pool of people. */
      readonly prefix: string
      readonly count: number
      readonly friendsEach: number
    }
  | { readonly id: number; readonly type: "phone"; readonly account: string; readonly uuid: string }
  /** Each account's phone writes `text` to its filehelper: the account's web sessions receive it. */
  | { readonly id: number; readonly type: "say"; readonly accounts: ReadonlyArray<string>; readonly text: string }

/** What the simulator's process tells the benchmark. */
export type ChildMessage =
  | { readonly type: "ready"; readonly upstream: string }
  | {
      readonly type: "reply"
      readonly id: number
      readonly error?: string
      readonly accounts?: ReadonlyArray<string>
    }

/** A request before it is numbered (Omit over each member of the union). */
type ChildCall = ChildRequest extends infer R ? (R extends unknown ? Omit<R, "id"> : never) : never

const CHILD_SCRIPT = fileURLToPath(new URL("./simulatorChild.ts", import.meta.url))
/** tsx's loader, so the child runs the simulator's TypeScript sources as the CLI does. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

/**
 * The simulator in a process of its own, driven over IPC: its CPU is not the client's, so the
 * benchmark's `process.cpuUsage()` is the client's alone. Its phone acts through `world.scan` and
 * `world.confirm`, one IPC message away.
 */
export class ChildSimulator {
  private nextId = 0
  private readonly pending = new Map<
    number,
    { resolve: (message: ChildMessage) => void; reject: (error: Error) => void }
  >()

  private constructor(
    private readonly child: ChildProcess,
    /** The template for `Upstream.layer`: `http://127.0.0.1:<port>/{host}`. */
    readonly upstream: string,
  ) {
    child.on("message", (message: ChildMessage) => {
      if (message.type !== "reply") return
      const waiter = this.pending.get(message.id)
      this.pending.delete(message.id)
      if (message.error === undefined) waiter?.resolve(message)
      else waiter?.reject(new Error(`simulator: ${message.error}`))
    })
    child.on("exit", (code) => {
      for (const waiter of this.pending.values())
        waiter.reject(new Error(`the simulator exited with ${code}`))
      this.pending.clear()
    })
  }

  static async start(startTimeoutMs = 60_000): Promise<ChildSimulator> {
    const child = fork(CHILD_SCRIPT, [], {
      execArgv: ["--conditions=@wxfleet/source", "--import", TSX_LOADER],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    })
    const upstream = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the simulator did not start in time")),
        startTimeoutMs,
      )
      child.once("exit", (code) =>
        reject(new Error(`the simulator exited with ${code} before it started`)),
      )
      child.on("message", (message: ChildMessage) => {
        if (message.type !== "ready") return
        clearTimeout(timer)
        resolve(message.upstream)
      })
    }).catch((error: unknown) => {
      child.kill("SIGKILL")
      throw error
    })
    return new ChildSimulator(child, upstream)
  }

  private call(request: ChildCall): Promise<ChildMessage> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.child.send({ ...request, id } satisfies ChildRequest)
    })
  }

  /** Creates `count` accounts, each befriending `friendsEach` people of a shared pool. */
  async populate(
    prefix: string,
    count: number,
    friendsEach: number,
  ): Promise<ReadonlyArray<string>> {
    const reply = await this.call({ type: "populate", prefix, count, friendsEach })
    return reply.type === "reply" ? (reply.accounts ?? []) : []
  }

  /** The account's phone scans the QR code and confirms the login. */
  readonly phone: Phone = async (account, uuid) => {
    await this.call({ type: "phone", account, uuid })
  }

  /** Each account's phone writes `text` to its filehelper, which its web session then syncs. */
  async sayToSelf(accounts: ReadonlyArray<string>, text: string): Promise<void> {
    await this.call({ type: "say", accounts, text })
  }

  /** CPU seconds the simulator's process has used so far. */
  cpuSeconds(): number {
    return this.child.pid === undefined ? 0 : cpuSeconds(this.child.pid)
  }

  /** Closes the IPC channel, on which the child closes its server and exits; kills it if it lingers. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = once(this.child, "exit")
    this.child.disconnect()
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs)
    await exited
    clearTimeout(timer)
  }
}

/** The protocol client's runtime over a child simulator. */
export type ClientRuntime = ManagedRuntime.ManagedRuntime<Transport | ProtocolConfig, never>

/**
 * Runs `use` with a simulator in its own process and the protocol client over it; both are
 * stopped afterwards, whatever `use` does.
 */
export const withChildClient = async <A>(use: (sim: ChildSimulator, runtime: ClientRuntime) => Promise<A>): Promise<A> => {
  const sim = await ChildSimulator.start()
  const runtime = ManagedRuntime.make(clientLayer(sim.upstream))
  try {
    return await use(sim, runtime)
  } finally {
    await runtime.dispose()
    await sim.stop()
  }
}
