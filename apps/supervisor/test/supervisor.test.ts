import { expect, layer } from "@effect/vitest"
import { Kvm } from "@nats-io/kv"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { afterAll } from "vitest"
import { Metrics } from "../src/metrics/Metrics.js"
import { startInfrastructure, supervisorLayer } from "./support/harness.js"

const infra = await startInfrastructure()
const { sim, recorder } = infra
const world = sim.world
world.addAccount({ wxid: "wxid_fleet1", nickName: "Fleet One", home: "wx2.qq.com" })
world.addPerson({ wxid: "wxid_amy", nickName: "Amy" })
world.befriend("wxid_fleet1", "wxid_amy")
afterAll(() => infra.close())

type SessionEvent = { account: string; state: string; qr?: { uuid: string; payload: string }; self?: { userName: string } }

const sessionEvent = (account: string, state: string) => (subject: string, data: SessionEvent) =>
  subject === `wx.evt.${account}.session` && data.state === state

// The supervisor runs on the real clock: its pacing and schedules must not wait on a TestClock.
layer(supervisorLayer(infra.nats, sim), { timeout: 60_000, excludeTestServices: true })("supervisor", (it) => {
  it.effect("logs an account in by QR code, publishes its messages and carries out its commands", () =>
    Effect.promise(async () => {
      const added = await recorder.request("wx.fleet.add", { account: "fleet1" })
      expect(added).toEqual({ ok: true, account: "fleet1" })

      const awaiting = await recorder.waitFor<SessionEvent>(sessionEvent("fleet1", "awaiting_scan"))
      expect(awaiting.qr?.payload).toBe(`https://login.weixin.qq.com/l/${awaiting.qr?.uuid}`)
      world.scan(awaiting.qr!.uuid, "wxid_fleet1")
      await recorder.waitFor(sessionEvent("fleet1", "scanned"))
      world.confirm(awaiting.qr!.uuid)
      const loggedIn = await recorder.waitFor<SessionEvent>(sessionEvent("fleet1", "logged_in"))
      expect(loggedIn.self?.userName).toMatch(/^@[0-9a-f]{32}$/)

      world.say("wxid_amy", "wxid_fleet1", { MsgType: 1, Content: "hello fleet" })
      const event = await recorder.waitFor<{ message: { _tag: string; text: string; chat: string } }>(
        (subject, data) => subject === "wx.evt.fleet1.message" && data.message._tag === "Text" && data.message.text === "hello fleet",
      )

      const reply = await recorder.request("wx.cmd.fleet1.send_text", { to: event.message.chat, text: "hi Amy" })
      expect(reply["ok"]).toBe(true)
      expect(reply["msgId"]).toMatch(/^\d+$/)
      const sent = world.account("wxid_fleet1").activity.find((a) => a.type === "sent")
      expect(sent && sent.type === "sent" && sent.content).toBe("hi Amy")

      const list = await recorder.request("wx.fleet.list", {})
      expect(list["accounts"]).toEqual([expect.objectContaining({ account: "fleet1", state: "logged_in" })])
    }),
  )

  it.effect("measures how late a message reaches NATS from its CreateTime", () =>
    Effect.flatMap(Metrics, (metrics) => Effect.promise(async () => {
      const delays = async () => {
        const text = await metrics.registry.getSingleMetricAsString("wxfleet_message_delay_seconds")
        const read = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN)
        return { count: read(/_count (\d+)/), within2s: read(/_bucket{le="2"} (\d+)/) }
      }
      const before = await delays()
      // Every call to the account's API host (webwxsync) now takes 2.1 s: the message is that late.
      sim.faults.setLatency("wx2.qq.com", 2_100)
      try {
        world.say("wxid_amy", "wxid_fleet1", { MsgType: 1, Content: "late on purpose" })
        await recorder.waitFor<{ message: { text?: string } }>(
          (subject, data) => subject === "wx.evt.fleet1.message" && data.message.text === "late on purpose",
          15_000,
        )
      } finally {
        sim.faults.setLatency("wx2.qq.com", 0)
      }
      // The event reaches the recorder as JetStream stores it, the acknowledgement the supervisor
      // a moment later: the delay is observed then.
      await expect.poll(async () => (await delays()).count - before.count, { timeout: 5_000, interval: 20 }).toBe(1)
      const after = await delays()
      expect(after.within2s - before.within2s).toBe(0)
    })),
  )

  it.effect("answers bad commands with a typed error, never silence", () =>
    Effect.promise(async () => {
      expect(await recorder.request("wx.cmd.nobody.send_text", { to: "@x", text: "hi" })).toEqual({
        ok: false,
        error: { tag: "UnknownAccount", message: 'no account "nobody" in this fleet' },
      })
      const invalid = await recorder.request("wx.cmd.fleet1.send_text", { to: "@x" })
      expect((invalid["error"] as { tag: string }).tag).toBe("InvalidCommand")
      const unknownOp = await recorder.request("wx.cmd.fleet1.dance", {})
      expect((unknownOp["error"] as { tag: string }).tag).toBe("UnknownOperation")
      const notJson = await recorder.connection.request("wx.cmd.fleet1.send_text", "{nope", { timeout: 5_000 })
      expect((notJson.json<{ error: { tag: string } }>()).error.tag).toBe("InvalidCommand")
      const badAccount = await recorder.request("wx.fleet.add", { account: "has.dot" })
      expect((badAccount["error"] as { tag: string }).tag).toBe("InvalidCommand")
    }),
  )

  it.effect("makes a repeated idempotency key a no-op that answers the first reply", () =>
    Effect.promise(async () => {
      const to = (await recorder.waitFor<{ message: { chat: string } }>((s) => s === "wx.evt.fleet1.message")).message.chat
      const before = world.account("wxid_fleet1").activity.filter((a) => a.type === "sent").length
      const first = await recorder.request("wx.cmd.fleet1.send_text", { to, text: "once", idempotencyKey: "k-1" })
      const again = await recorder.request("wx.cmd.fleet1.send_text", { to, text: "once", idempotencyKey: "k-1" })
      expect(again).toEqual(first)
      expect(world.account("wxid_fleet1").activity.filter((a) => a.type === "sent").length).toBe(before + 1)
      // Asked together: one runs, the other waits for its reply (the same supervisor's claim).
      const together = await Promise.all(
        [1, 2].map(() => recorder.request("wx.cmd.fleet1.send_text", { to, text: "together", idempotencyKey: "k-2" })),
      )
      expect(together[0]).toMatchObject({ ok: true })
      expect(together[1]).toEqual(together[0])
      expect(world.account("wxid_fleet1").activity.filter((a) => a.type === "sent").length).toBe(before + 2)
    }),
  )

  it.effect("answers OutcomeUnknown at once for a key that a supervisor which stopped had taken, and sends nothing", () =>
    Effect.promise(async () => {
      const to = (await recorder.waitFor<{ message: { chat: string } }>((s) => s === "wx.evt.fleet1.message")).message.chat
      const before = world.account("wxid_fleet1").activity.filter((a) => a.type === "sent").length
      // What a supervisor killed between its claim and its reply leaves in the bucket.
      const kv = await new Kvm(recorder.connection).open("wx_idempotency")
      const digest = createHash("sha256").update("k-crashed").digest("hex").slice(0, 40)
      await kv.put(`fleet1.send_text.${digest}`, "pending 0123456789abcdef 9c5e1a0e-6f0d-4c57-9b1e-1d2f3a4b5c6d")
      const started = Date.now()
      const reply = (await recorder.request("wx.cmd.fleet1.send_text", { to, text: "maybe sent", idempotencyKey: "k-crashed" })) as {
        ok: boolean
        error?: { tag: string }
      }
      expect(reply.ok).toBe(false)
      expect(reply.error?.tag).toBe("OutcomeUnknown")
      // Not after the 30 s a running claim is waited for.
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(world.account("wxid_fleet1").activity.filter((a) => a.type === "sent").length).toBe(before)
    }),
  )
})
