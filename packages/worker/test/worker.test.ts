import { Nats } from "@wxfleet/nats"
import { speak } from "@wxfleet/simulator"
import { Data, Duration, Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  defaultWorkerConfig,
  Unprocessable,
  WorkerConfig,
  workerLayer,
  WorkerServicesLive,
} from "../src/index.js"
import { TestFleet } from "../src/testing/index.js"

/** A probe worker whose handler does what each message's text says: ok, fail, fail-once, refuse, vanish. */
const fleet = await TestFleet.start()
fleet.world.addAccount({ wxid: "wxid_w1", nickName: "Worker One" })
fleet.world.addPerson({ wxid: "wxid_ann", nickName: "Ann" })
fleet.world.befriend("wxid_w1", "wxid_ann")

class Boom extends Data.TaggedError("Boom")<{ readonly message: string }> {}

const deliveries: Array<{ text: string; deliveries: number; at: number }> = []
const probe = workerLayer({
  guard: () => Effect.succeed({ admitFleet: false }),
  handle: (event) =>
    Effect.gen(function* () {
      const text = event.message._tag === "Text" ? event.message.text : ""
      const seen = deliveries.filter((d) => d.text === text).length + 1
      deliveries.push({ text, deliveries: seen, at: Date.now() })
      if (text.startsWith("fail once") && seen === 1)
        return yield* new Boom({ message: "first try fails" })
      if (text.startsWith("always fails")) return yield* new Boom({ message: "it always fails" })
      if (text.startsWith("refused"))
        return yield* new Unprocessable({ reason: "this can never work" })
      if (text.startsWith("vanish")) return yield* Effect.interrupt
      // Outlasts the ack deadline (the first backoff, 1 s) more than twice.
      if (text.startsWith("slow")) yield* Effect.sleep("2500 millis")
    }),
}).pipe(
  Layer.provide(WorkerServicesLive),
  Layer.provide(
    Layer.mergeAll(
      Nats.layer({ servers: fleet.nats.url, name: "probe" }),
      WorkerConfig.layer({
        ...defaultWorkerConfig("probe"),
        backoff: [Duration.seconds(1), Duration.seconds(2)],
        maxDeliver: 3,
        concurrency: 4,
      }),
    ),
  ),
)

beforeAll(async () => {
  await fleet.login("w1", "wxid_w1")
  await fleet.start(probe)
}, 30_000)
afterAll(() => fleet.close())

type Letter = { app: string; reason: string; deliveries: number; subject: string; payload: string }
const deadLetter = (payload: (p: string) => boolean) =>
  fleet.log.waitFor<Letter>((s, d) => s === "wx.dlq.probe" && payload(d.payload))

const say = (text: string) => speak(fleet.world, "wxid_ann", "wxid_w1", { kind: "text", text })

describe("the worker runtime", () => {
  it("dead-letters an event that does not decode, at once, and moves on", async () => {
    await fleet.log.publish("wx.evt.x.message", "not json at all")
    await fleet.log.publish("wx.evt.x.message", JSON.stringify({ account: "x", at: "now" }))
    const garbage = await deadLetter((p) => p === "not json at all")
    expect(garbage).toMatchObject({ app: "probe", subject: "wx.evt.x.message", deliveries: 1 })
    expect(garbage.reason).toMatch(/^undecodable event/)
    const incomplete = await deadLetter((p) => p.includes('"account":"x"'))
    expect(incomplete.reason).toMatch(/message/)
    await fleet.drained("probe")
    const stored = await fleet.deadLetters()
    expect(stored.filter((l) => l.subject === "wx.evt.x.message").map((l) => l.payload)).toEqual([
      "not json at all",
      JSON.stringify({ account: "x", at: "now" }),
    ])
  })

  it("handles a message again after a failure, after the backoff", async () => {
    say("fail once, then fine")
    await fleet.messageEvent("w1", "fail once, then fine")
    await fleet.drained("probe")
    const tries = deliveries.filter((d) => d.text === "fail once, then fine")
    expect(tries.map((t) => t.deliveries)).toEqual([1, 2])
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(900)
  })

  it("keeps a message whose handler outlasts the ack deadline: no other delivery meanwhile", async () => {
    say("slow but sure")
    await fleet.messageEvent("w1", "slow but sure")
    await fleet.drained("probe")
    expect(deliveries.filter((d) => d.text === "slow but sure").map((d) => d.deliveries)).toEqual([1])
  })

  it(
    "dead-letters a message that keeps failing after its last delivery, waiting longer each time",
    { timeout: 15_000 },
    async () => {
      say("always fails")
      const letter = await deadLetter((p) => p.includes("always fails"))
      expect(letter.deliveries).toBe(3)
      expect(letter.reason).toMatch(/failed 3 times; last: it always fails/)
      const tries = deliveries.filter((d) => d.text === "always fails")
      expect(tries).toHaveLength(3)
      expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(900)
      expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(1_900)
    },
  )

  it("dead-letters a message that can never be handled on its first delivery", async () => {
    say("refused")
    const letter = await deadLetter((p) => p.includes("refused"))
    expect(letter).toMatchObject({ deliveries: 1, reason: "this can never work" })
    await fleet.drained("probe")
    expect(deliveries.filter((d) => d.text === "refused")).toHaveLength(1)
  })

  it(
    "dead-letters a message whose handler never answered, from the server's max-deliveries advisory",
    { timeout: 15_000 },
    async () => {
      say("vanish")
      const letter = await deadLetter((p) => p.includes("vanish"))
      expect(letter.reason).toBe("not acknowledged after 3 deliveries")
      expect(deliveries.filter((d) => d.text === "vanish")).toHaveLength(3)
    },
  )
})
