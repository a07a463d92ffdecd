import { Duration, Effect, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { addAndScan, startInfrastructure, supervisorLayer } from "./support/harness.js"

const infra = await startInfrastructure({ syncHoldMs: 1_000 })
const { sim, recorder } = infra
const world = sim.world
world.addAccount({ wxid: "wxid_s1", nickName: "Stopping", home: "wx.qq.com" })
world.addPerson({ wxid: "wxid_ann", nickName: "Ann" })
world.befriend("wxid_s1", "wxid_ann")
afterAll(() => infra.close())

type Reply = { ok: boolean; error?: { tag: string; message: string } } & Record<string, unknown>

const sentBy = (wxid: string) => world.account(wxid).activity.filter((a) => a.type === "sent").length

/** Resolves once the account has sent `count` messages more than `before`. */
const sendsReach = (wxid: string, count: number) =>
  new Promise<void>((resolve) => {
    if (sentBy(wxid) >= count) return resolve()
    const listener = (account: string) => {
      if (account !== wxid || sentBy(wxid) < count) return
      world.events.off("activity", listener)
      resolve()
    }
    world.events.on("activity", listener)
  })

describe("stopping the supervisor", () => {
  it("answers sends still waiting for their pacing turn ShuttingDown, unsent, instead of waiting them out", async () => {
    // 200 ms between one account's sends: 40 queued sends would hold a stop for ~8 s.
    const supervisor = ManagedRuntime.make(
      supervisorLayer(infra.nats, sim, { sendInterval: Duration.millis(200), sendJitter: 0 }),
    )
    await supervisor.runPromise(Effect.void)
    await addAndScan(recorder, sim, "s1")
    const contacts = (await recorder.request("wx.cmd.s1.contacts", {}))["contacts"] as Array<{ userName: string; displayName: string }>
    const ann = contacts.find((c) => c.displayName === "Ann")!.userName

    const before = sentBy("wxid_s1")
    const sends = Array.from(
      { length: 40 },
      (_, i) => recorder.request("wx.cmd.s1.send_text", { to: ann, text: `queued ${i}` }, 30_000) as Promise<Reply>,
    )
    await sendsReach("wxid_s1", before + 2)
    const stopping = performance.now()
    await supervisor.dispose()
    const stopMs = performance.now() - stopping

    const replies = await Promise.all(sends)
    const sent = replies.filter((r) => r.ok)
    const refused = replies.filter((r) => !r.ok)
    expect(refused.length).toBeGreaterThan(30)
    for (const r of refused) expect(r.error?.tag, JSON.stringify(r)).toBe("ShuttingDown")
    // What was refused never went out; what was answered ok did.
    expect(sentBy("wxid_s1") - before).toBe(sent.length)
    // The stop waited for the send under way, not for the queue (~8 s).
    expect(stopMs).toBeLessThan(4_000)
  }, 60_000)
})
