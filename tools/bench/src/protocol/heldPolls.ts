import { SyncLoop } from "@wxfleet/protocol"
import { Effect, Fiber } from "effect"
import { writeFile } from "node:fs/promises"
import { Session } from "node:inspector/promises"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { setTimeout as sleep } from "node:timers/promises"
import { forEachConcurrently } from "../stats.js"
import { withChildClient } from "./ChildSimulator.js"
import { type FirstSync, loginToFirstSync } from "./client.js"

export interface HeldPollFigures {
  readonly sessions: number
  /** This process's heap (after a full collection) per session, while every sync loop holds its poll. */
  readonly heapBytesPerHeldLoop: number
  /**
   * What one round (synccheck answered, webwxsync, the batch handled, the next poll sent) leaves
   * alive per session while the next poll is held: what the scavenger copies, and then promotes,
   * for every message a fleet receives.
   */
  readonly bytesKeptPerRound: number
}

/** A full collection, twice, so what is left is what is alive. */
const collect = (() => {
  setFlagsFromString("--expose-gc")
  const gc = runInNewContext("gc") as () => void
  return () => {
    gc()
    gc()
  }
})()

/**
 * What a logged-in session costs while its sync loop holds a synccheck poll, the state a fleet's
 * sessions spend nearly all their time in: `sessions` accounts log in against the simulator in
 * its own process (so this heap is the client's alone), then each runs `runSyncLoop`; the heap
 * grown between the two, per session. It is what the young generation copies (and promotes) on
 * each poll that outlives a scavenge, so it costs CPU as well as memory.
 */
export const measureHeldPolls = async (
  sessions: number,
  progress: (line: string) => void = () => {},
  /** Where to write the sampled heap profile of what a round keeps (a `.heapprofile` for DevTools). */
  profileFile?: string,
): Promise<HeldPollFigures> =>
  withChildClient(async (sim, runtime) => {
    const accounts = await sim.populate("wxid_held", sessions, 20)
    progress(`logging ${sessions} sessions in`)
    const loggedIn: Array<FirstSync["session"]> = []
    await forEachConcurrently(accounts, 16, async (account) => {
      loggedIn.push((await runtime.runPromise(loginToFirstSync(account, sim.phone))).session)
    })
    await sleep(200)
    collect()
    const heapBefore = process.memoryUsage().heapUsed
    let batches = 0
    let allBatched = () => {}
    const loops = loggedIn.map((session) =>
      runtime.runFork(
        SyncLoop.runSyncLoop(session, (event) =>
          event._tag === "Batch"
            ? Effect.tap(event.commit, () => {
                if (++batches === sessions) allBatched()
              })
            : Effect.void,
        ),
      ),
    )
    // Every loop is in its poll well within this (the simulator answers at once, then holds).
    await sleep(2_000)
    collect()
    const heapAfter = process.memoryUsage().heapUsed

    /** Every session receives a message; resolves once each loop has handled its batch and sent its next poll. */
    const oneRound = async (text: string) => {
      batches = 0
      const roundDone = new Promise<void>((resolve) => (allBatched = resolve))
      await sim.sayToSelf(accounts, text)
      await roundDone
      // The next poll leaves right after the batch is handled; give every loop time to send it.
      await sleep(1_000)
      collect()
    }
    // A round first unsampled: the shared pool opens the connections a burst of webwxsync needs.
    await oneRound("a first round")
    // Then one more each, sampled: whatever is still alive from it once the next poll is held.
    progress(`sampling what one round keeps while the next poll is held`)
    const inspector = new Session()
    inspector.connect()
    await inspector.post("HeapProfiler.startSampling", { samplingInterval: 256 })
    await oneRound("one more round")
    const { profile } = await inspector.post("HeapProfiler.getSamplingProfile")
    await inspector.post("HeapProfiler.stopSampling")
    inspector.disconnect()
    if (profileFile !== undefined) await writeFile(profileFile, JSON.stringify(profile))
    let kept = 0
    const walk = (node: typeof profile.head): void => {
      kept += node.selfSize
      node.children.forEach(walk)
    }
    walk(profile.head)

    await runtime.runPromise(Fiber.interruptAll(loops))
    return {
      sessions,
      heapBytesPerHeldLoop: (heapAfter - heapBefore) / sessions,
      bytesKeptPerRound: kept / sessions,
    }
  })
