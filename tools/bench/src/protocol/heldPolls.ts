import { SyncLoop } from "@wxfleet/protocol"
import { Effect, Fiber } from "effect"
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
    const loops = loggedIn.map((session) =>
      runtime.runFork(SyncLoop.runSyncLoop(session, (event) => (event._tag === "Batch" ? event.commit : Effect.void))),
    )
    // Every loop is in its poll well within this (the simulator answers at once, then holds).
    await sleep(2_000)
    collect()
    const heapAfter = process.memoryUsage().heapUsed
    await runtime.runPromise(Fiber.interruptAll(loops))
    return {
      sessions,
      heapBytesPerHeldLoop: (heapAfter - heapBefore) / sessions,
    }
  })
