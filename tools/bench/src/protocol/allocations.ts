import { Session } from "node:inspector/promises"
import { type ProtocolConfig, Send, type Transport, WebwxSync } from "@wxfleet/protocol"
import type { Effect } from "effect"
import { withChildClient } from "./ChildSimulator.js"
import { loginToFirstSync } from "./client.js"

export interface AllocationFigures {
  readonly calls: number
  /** Bytes allocated (garbage included) per `Send.sendText`, request to decoded answer. */
  readonly bytesPerSend: number
  /** Bytes allocated per `WebwxSync.webwxsync` with nothing new (the answer still carries its keys). */
  readonly bytesPerSync: number
}

/** Every byte allocated while `calls` run one after another, from V8's sampling heap profiler. */
const allocatedBy = async (calls: number, one: () => Promise<unknown>): Promise<number> => {
  for (let i = 0; i < Math.min(calls, 500); i++) await one()
  const inspector = new Session()
  inspector.connect()
  try {
    // Objects already collected are kept in the profile: it counts what was allocated, not what is left.
    await inspector.post("HeapProfiler.startSampling", {
      samplingInterval: 512,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    } as never)
    for (let i = 0; i < calls; i++) await one()
    const { profile } = await inspector.post("HeapProfiler.getSamplingProfile")
    await inspector.post("HeapProfiler.stopSampling")
    let total = 0
    const walk = (node: typeof profile.head): void => {
      total += node.selfSize
      node.children.forEach(walk)
    }
    walk(profile.head)
    return total / calls
  } finally {
    inspector.disconnect()
  }
}

/**
 * What the client allocates per call of the two calls a fleet makes most (a send, a sync round's
 * webwxsync), against the simulator in its own process. Garbage is what the young generation
 * collects; unlike CPU time on a shared machine, this figure repeats to within a percent.
 */
export const measureAllocations = async (
  calls: number,
  progress: (line: string) => void = () => {},
): Promise<AllocationFigures> =>
  withChildClient(async (sim, runtime) => {
    const [account] = await sim.populate("wxid_alloc", 1, 20)
    const { session } = await runtime.runPromise(loginToFirstSync(account!, sim.phone))
    const run = (effect: Effect.Effect<unknown, unknown, Transport | ProtocolConfig>) => () =>
      runtime.runPromise(effect)
    progress(`counting what ${calls} sends and ${calls} webwxsync calls allocate`)
    // webwxsync first: the sends to filehelper come back through sync, as on the real server.
    const bytesPerSync = await allocatedBy(calls, run(WebwxSync.webwxsync(session)))
    const bytesPerSend = await allocatedBy(calls, run(Send.sendText(session, "filehelper", "hello")))
    return { calls, bytesPerSend, bytesPerSync }
  })
