import { expect, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { afterAll } from "vitest"
import { Metrics } from "../src/metrics/Metrics.js"
import { SessionStore } from "../src/state/SessionStore.js"
import { addAndScan, startInfrastructure, supervisorLayer } from "./support/harness.js"

// A NATS server that takes messages of 16 KB at most (an operator's setting; the default is 1 MB).
const MAX_PAYLOAD = 16_384
const infra = await startInfrastructure({}, { maxPayload: MAX_PAYLOAD })
const { sim, recorder } = infra
const world = sim.world
world.addAccount({ wxid: "wxid_big1", nickName: "Big One", home: "wx2.qq.com" })
world.addPerson({ wxid: "wxid_wordy", nickName: "Wordy" })
world.befriend("wxid_big1", "wxid_wordy")
// An account whose contact hashes alone (4 bytes a contact, base64, sealed) are over the limit.
world.addAccount({ wxid: "wxid_many1", nickName: "Many One", home: "wx2.qq.com" })
for (let i = 0; i < 3_000; i++) {
  world.addPerson({ wxid: `wxid_fan${i}`, nickName: `Fan ${i}` })
  world.befriend("wxid_many1", `wxid_fan${i}`)
}
afterAll(() => infra.close())

type MessageEvent = { message: { text?: string } }

layer(supervisorLayer(infra.nats, sim), { timeout: 60_000, excludeTestServices: true })("oversized events", (it) => {
  it.effect("leaves out an event too large for the server, counted and logged, and goes on with the account's next ones", () =>
    Effect.flatMap(Metrics, (metrics) => Effect.promise(async () => {
      await addAndScan(recorder, sim, "big1")
      const oversized = async () =>
        Number(/wxfleet_events_oversized_total{kind="message"} (\d+)/.exec(await metrics.registry.getSingleMetricAsString("wxfleet_events_oversized_total"))?.[1] ?? 0)
      expect(await oversized()).toBe(0)

      // Its text alone is over the limit; the message after it is small.
      const long = "long ".repeat(MAX_PAYLOAD / 4)
      world.say("wxid_wordy", "wxid_big1", { MsgType: 1, Content: long })
      world.say("wxid_wordy", "wxid_big1", { MsgType: 1, Content: "short again" })
      await recorder.waitFor<MessageEvent>(
        (subject, data) => subject === "wx.evt.big1.message" && data.message.text === "short again",
        15_000,
      )
      // Events of an account are published in order: the long one was handled (left out) before.
      expect(recorder.received.some((r) => r.subject === "wx.evt.big1.message" && (r.data as MessageEvent).message.text?.startsWith("long long") === true)).toBe(false)
      expect(await oversized()).toBe(1)

      // The account goes on: the next message arrives too, and the session is still logged in.
      world.say("wxid_wordy", "wxid_big1", { MsgType: 1, Content: "and another" })
      await recorder.waitFor<MessageEvent>((subject, data) => subject === "wx.evt.big1.message" && data.message.text === "and another")
      const list = await recorder.request("wx.fleet.list", {})
      expect(list["accounts"]).toEqual([expect.objectContaining({ account: "big1", state: "logged_in" })])
    })),
  )

  it.effect("stores a session whose contact hashes would not fit without them, so the account still logs in with a stored session", () =>
    Effect.flatMap(SessionStore, (store) => Effect.gen(function* () {
      yield* Effect.promise(() => addAndScan(recorder, sim, "many1"))
      const stored = yield* store.load("many1")
      expect(Option.isSome(stored)).toBe(true)
      const record = Option.getOrThrow(stored)
      expect(record.knownContacts).toBeUndefined()
      expect(record.uin).toMatch(/^\d+$/)
      // A small account's record keeps its hashes.
      expect(Option.getOrThrow(yield* store.load("big1")).knownContacts).toEqual(expect.any(String))
    })),
  )
})

