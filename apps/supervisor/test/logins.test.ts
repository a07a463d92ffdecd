import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { Metrics } from "../src/metrics/Metrics.js"
import { startInfrastructure, supervisorLayer } from "./support/harness.js"

const infra = await startInfrastructure()
const { sim, recorder } = infra
const world = sim.world
for (const n of [1, 2]) {
  world.addAccount({ wxid: `wxid_gate${n}`, nickName: `Gate ${n}`, home: "wx8.qq.com" })
  world.addPerson({ wxid: `wxid_pal${n}`, nickName: `Pal ${n}` })
  world.befriend(`wxid_gate${n}`, `wxid_pal${n}`)
}
afterAll(() => infra.close())

type SessionEvent = { state: string; qr?: { uuid: string } }
const inState = (account: string, state: string) => (subject: string, data: SessionEvent) =>
  subject === `wx.evt.${account}.session` && data.state === state

// One login slot for the whole fleet.
layer(supervisorLayer(infra.nats, sim, { loginConcurrency: 1 }), { timeout: 60_000, excludeTestServices: true })("logins", (it) => {
  it.effect("makes one session ready at a time with one login slot, while a scan waits in none", () =>
    Effect.flatMap(Metrics, (metrics) => Effect.promise(async () => {
      const waitingForSlot = async () =>
        Number(/gate="login"} (\d+)/.exec(await metrics.registry.getSingleMetricAsString("wxfleet_gate_waiting"))?.[1])
      for (const account of ["gate1", "gate2"]) await recorder.request("wx.fleet.add", { account })
      // Both QR codes are out before anyone scans: waiting for a person holds no slot.
      const qr = await Promise.all(["gate1", "gate2"].map((a) => recorder.waitFor<SessionEvent>(inState(a, "awaiting_scan"))))
      // Calls to the accounts' API host take 400 ms, so making a session ready (webwxinit, status
      // notify, contacts) takes over a second: the second waits for the first's slot.
      sim.faults.setLatency("wx8.qq.com", 400)
      try {
        const ready = ["gate1", "gate2"].map((a) => recorder.waitFor(inState(a, "logged_in"), 30_000).then(() => Date.now()))
        for (const [index, n] of [1, 2].entries()) {
          world.scan(qr[index]!.qr!.uuid, `wxid_gate${n}`)
          world.confirm(qr[index]!.qr!.uuid)
        }
        // The operator sees the second one wait for the slot while the first is made ready.
        await expect.poll(waitingForSlot, { timeout: 5_000, interval: 20 }).toBe(1)
        const [first, second] = (await Promise.all(ready)).sort((a, b) => a - b)
        expect(second! - first!).toBeGreaterThan(800)
        expect(await waitingForSlot()).toBe(0)
      } finally {
        sim.faults.setLatency("wx8.qq.com", 0)
      }
    })),
  )
})
