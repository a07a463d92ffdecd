import { expect, layer } from "@effect/vitest"
import { once } from "node:events"
import { Duration, Effect } from "effect"
import { afterAll } from "vitest"
import { startInfrastructure, supervisorLayer } from "./support/harness.js"

const infra = await startInfrastructure({ syncHoldMs: 1_000 })
const { sim, recorder } = infra
const world = sim.world
world.addAccount({ wxid: "wxid_s1", nickName: "Session One", home: "wx2.qq.com" })
world.addPerson({ wxid: "wxid_pal", nickName: "Pal" })
world.befriend("wxid_s1", "wxid_pal")
afterAll(() => infra.close())

type Event = { account: string; state?: string; qr?: { uuid: string }; message?: { _tag: string; text?: string } }

const states = () =>
  recorder.received.filter((r) => r.subject === "wx.evt.s1.session").map((r) => (r.data as Event).state)

const texts = () =>
  recorder.received
    .filter((r) => r.subject === "wx.evt.s1.message")
    .map((r) => (r.data as Event).message)
    .filter((m) => m?._tag === "Text")
    .map((m) => m?.text)

const stateCount = (state: string) => states().filter((s) => s === state).length

const waitForState = (state: string, nth: number) =>
  recorder.waitFor(() => stateCount(state) >= nth, 30_000)

const waitForTexts = (wanted: ReadonlyArray<string>) =>
  recorder.waitFor(() => wanted.every((t) => texts().includes(t)), 30_000)

/** Status-notify heartbeats (code 3) the account has sent. */
const heartbeats = () =>
  world.account("wxid_s1").activity.filter((a) => a.type === "statusnotify" && a.code === 3).length

const waitForActivity = (done: () => boolean, timeoutMs: number) =>
  new Promise<void>((resolve, reject) => {
    const check = () => {
      if (!done()) return
      cleanup()
      resolve()
    }
    const timer = setTimeout(() => {
      cleanup()
      reject(new Error(`no such activity within ${timeoutMs} ms (${heartbeats()} heartbeats)`))
    }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      world.events.off("activity", check)
    }
    world.events.on("activity", check)
    check()
  })

layer(supervisorLayer(infra.nats, sim, { heartbeatInterval: Duration.millis(1_500) }), { timeout: 120_000, excludeTestServices: true })("sessions", (it) => {
  it.effect("logs in by QR code once", () =>
    Effect.promise(async () => {
      await recorder.request("wx.fleet.add", { account: "s1" })
      const awaiting = await recorder.waitFor<Event>((s, d) => s === "wx.evt.s1.session" && d.state === "awaiting_scan")
      world.scan(awaiting.qr!.uuid, "wxid_s1")
      world.confirm(awaiting.qr!.uuid)
      await waitForState("logged_in", 1)
    }),
  )

  it.effect("sends the status-notify heartbeat while logged in, like the official client", () =>
    Effect.promise(async () => {
      // One at login; then one per heartbeat interval (1.5 s here), between sync rounds.
      const before = heartbeats()
      await waitForActivity(() => heartbeats() >= before + 2, 10_000)
      expect(heartbeats()).toBeGreaterThanOrEqual(before + 2)
    }),
  )

  it.effect("continues on another webpush host when its host goes down mid long-poll, losing nothing", () =>
    Effect.promise(async () => {
      const held = once(world.events, "pollHeld")
      world.say("wxid_pal", "wxid_s1", { MsgType: 1, Content: "before the outage" })
      await waitForTexts(["before the outage"])
      await held
      const host = "webpush.wx2.qq.com"
      sim.faults.hostDown(host)
      try {
        await waitForState("reconnecting", 1)
        for (let i = 0; i < 5; i++) world.say("wxid_pal", "wxid_s1", { MsgType: 1, Content: `during ${i}` })
        await waitForTexts(["during 0", "during 1", "during 2", "during 3", "during 4"])
        await waitForState("logged_in", 2)
      } finally {
        sim.faults.hostUp(host)
      }
      const reconnecting = recorder.received.find(
        (r) => r.subject === "wx.evt.s1.session" && (r.data as Event).state === "reconnecting",
      )?.data as { host: string; reason: { tag: string } }
      expect(reconnecting.host).not.toBe(host)
      expect(reconnecting.reason.tag).toBe("TransportError")
    }),
  )

  it.effect("after the phone logs it out, logs in again by push login with no new QR code", () =>
    Effect.promise(async () => {
      const scansBefore = stateCount("awaiting_scan")
      world.logout("wxid_s1", 1101)
      await waitForState("logged_out", 1)
      const loggedOut = recorder.received.find(
        (r) => r.subject === "wx.evt.s1.session" && (r.data as Event).state === "logged_out",
      )?.data as { reason: { tag: string; details: { code: number } } }
      expect(loggedOut.reason.tag).toBe("SessionExpired")
      expect(loggedOut.reason.details.code).toBe(1101)
      await waitForState("logged_in", 3)
      expect(stateCount("awaiting_scan")).toBe(scansBefore)
      world.say("wxid_pal", "wxid_s1", { MsgType: 1, Content: "after push login" })
      await waitForTexts(["after push login"])
    }),
  )

})
