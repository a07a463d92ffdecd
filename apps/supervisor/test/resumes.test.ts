import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { addAndScan, startInfrastructure, supervisorLayer } from "./support/harness.js"

// Two supervisors one after the other on one NATS: the second resumes what the first stored.
const infra = await startInfrastructure()
const { sim, recorder } = infra
const world = sim.world
world.addAccount({ wxid: "wxid_stuck", nickName: "Stuck", home: "wx2.qq.com" })
world.addAccount({ wxid: "wxid_newbie", nickName: "Newbie", home: "wx8.qq.com" })
afterAll(() => infra.close())

type SessionEvent = { state: string }
const states = (account: string, since: number) =>
  recorder.received
    .slice(since)
    .filter((r) => r.subject === `wx.evt.${account}.session`)
    .map((r) => (r.data as SessionEvent).state)
/** Where the first supervisor's events end. */
let firstEnded = 0

layer(supervisorLayer(infra.nats, sim), { timeout: 60_000, excludeTestServices: true })("first supervisor", (it) => {
  it.effect("logs an account in, and its API host goes down before the next supervisor starts", () =>
    Effect.promise(async () => {
      await addAndScan(recorder, sim, "stuck")
      sim.faults.hostDown("wx2.qq.com")
      firstEnded = recorder.received.length
    }),
  )
})

// One login slot for the whole fleet: the stored session of `stuck` cannot be checked while its
// host is down, and is tried again and again.
layer(supervisorLayer(infra.nats, sim, { loginConcurrency: 1 }), { timeout: 60_000, excludeTestServices: true })(
  "next supervisor, one login slot",
  (it) => {
    it.effect("logs another account in while a stored session waits for its host, which holds the slot only while it tries", () =>
      Effect.promise(async () => {
        try {
          // A new account needs the slot to be made ready (webwxinit, contacts). Were it held
          // through the stuck session's waits between tries, this would never log in.
          await addAndScan(recorder, sim, "newbie")
          expect(states("stuck", 0).filter((s) => s === "logged_in")).toHaveLength(1)
        } finally {
          sim.faults.hostUp("wx2.qq.com")
        }
        // Once its host is back the stored session resumes, with no QR code.
        await recorder.waitFor(() => states("stuck", firstEnded).includes("logged_in"), 40_000)
        expect(states("stuck", firstEnded)).not.toContain("awaiting_scan")
      }),
    )
  },
)
