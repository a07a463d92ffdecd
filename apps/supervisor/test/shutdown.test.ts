import { Duration, Effect, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { addAndScan, startInfrastructure, supervisorLayer } from "./support/harness.js"

const infra = await startInfrastructure({ syncHoldMs: 1_000 })
const { sim, recorder } = infra
const world = sim.world
world.addAccount({ wxid: "wxid_s1", nickName: "Stopping", home: "wx.qq.com" })
world.addPerson({ wxid: "wxid_ann", nickName: "Ann" })
world.befriend("wxid_s1", "wxid_ann")
world.addAccount({ wxid: "wxid_s2", nickName: "Removed", home: "wx.qq.com" })
world.befriend("wxid_s2", "wxid_ann")
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

/** The account's UserName for Ann, from the contacts command. */
const annOf = async (account: string) => {
  const contacts = (await recorder.request(`wx.cmd.${account}.contacts`, {}))["contacts"] as Array<{ userName: string; displayName: string }>
  return contacts.find((c) => c.displayName === "Ann")!.userName
}

/** 40 sends for `account`, paced 200 ms apart: most of them wait for their turn for seconds. */
const queueSends = (account: string, to: string) =>
  Array.from(
    { length: 40 },
    (_, i) => recorder.request(`wx.cmd.${account}.send_text`, { to, text: `queued ${i}` }, 30_000) as Promise<Reply>,
  )

const slowPace = { sendInterval: Duration.millis(200), sendJitter: 0 }

describe("stopping an account", () => {
  it("answers its sends still waiting for their turn AccountNotRunning, unsent", async () => {
    const supervisor = ManagedRuntime.make(supervisorLayer(infra.nats, sim, slowPace))
    await supervisor.runPromise(Effect.void)
    try {
      await addAndScan(recorder, sim, "s2")
      const ann = await annOf("s2")
      const before = sentBy("wxid_s2")
      const sends = queueSends("s2", ann)
      await sendsReach("wxid_s2", before + 2)
      expect((await recorder.request("wx.fleet.remove", { account: "s2" }))["ok"]).toBe(true)
      const replies = await Promise.all(sends)
      const refused = replies.filter((r) => !r.ok)
      expect(refused.length).toBeGreaterThan(30)
      for (const r of refused) expect(r.error?.tag, JSON.stringify(r)).toBe("AccountNotRunning")
      expect(sentBy("wxid_s2") - before).toBe(replies.length - refused.length)
    } finally {
      await supervisor.dispose()
    }
  }, 60_000)
})

describe("stopping the supervisor", () => {
  it("answers sends still waiting for their pacing turn ShuttingDown, unsent, instead of waiting them out", async () => {
    // 200 ms between one account's sends: 40 queued sends would hold a stop for ~8 s.
    const supervisor = ManagedRuntime.make(supervisorLayer(infra.nats, sim, slowPace))
    await supervisor.runPromise(Effect.void)
    await addAndScan(recorder, sim, "s1")
    const ann = await annOf("s1")
    const before = sentBy("wxid_s1")
    const sends = queueSends("s1", ann)
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
