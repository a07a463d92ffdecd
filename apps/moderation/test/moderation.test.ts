import * as NodeContext from "@effect/platform-node/NodeContext"
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ModerationEvent } from "@wxfleet/contracts"
import { Nats } from "@wxfleet/nats"
import { joinGroup, speak, type MessageSpec } from "@wxfleet/simulator"
import { defaultWorkerConfig, MARKER, WorkerConfig } from "@wxfleet/worker"
import { TestFleet } from "@wxfleet/worker/testing"
import { Duration, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { APP, ModerationLive } from "../src/index.js"

const fleet = await TestFleet.start()
const world = fleet.world
world.addAccount({ wxid: "wxid_mod", nickName: "Moderator" })
for (const [wxid, nickName] of [
  ["wxid_ann", "Ann"],
  ["wxid_ben", "Ben"],
  ["wxid_cat", "Cat"],
  ["wxid_dan", "Dan"],
  ["wxid_eve", "Eve"],
  ["wxid_fay", "Fay"],
] as const) {
  world.addPerson({ wxid, nickName })
}
world.befriend("wxid_mod", "wxid_ann")
const hikers = world.addGroup({
  topic: "Hikers",
  owner: "wxid_mod",
  members: ["wxid_ann", "wxid_ben", "wxid_cat", "wxid_dan", "wxid_fay"],
})
const climbers = world.addGroup({
  topic: "Climbers",
  owner: "wxid_mod",
  members: ["wxid_fay", "wxid_ben"],
})
const runners = world.addGroup({
  topic: "Runners",
  owner: "wxid_mod",
  members: ["wxid_fay", "wxid_ann"],
})
const bookClub = world.addGroup({
  topic: "Book club",
  owner: "wxid_ben",
  members: ["wxid_mod", "wxid_dan"],
})
const groups = [hikers, climbers, runners, bookClub]

const file = join(await mkdtemp(join(tmpdir(), "wxfleet-moderation-")), "moderation.yaml")
await writeFile(
  file,
  `accounts:
  "*":
    groups:
      "*":
        admins: [Ann]
        bannedWords: { words: [darn], action: warn }
        links: { action: remove }
        cards: { action: warn }
        flood: { messages: 3, within: 10 seconds, action: remove }
        spam: { groups: 3, within: 1 minute, action: remove }
        notify: [filehelper, Ann]
        welcome: "Welcome {members} to {group}!"
`,
)

const moderation = ModerationLive(file).pipe(
  Layer.provide(
    Layer.mergeAll(
      Nats.layer({ servers: fleet.nats.url, name: "moderation" }),
      WorkerConfig.layer({
        ...defaultWorkerConfig(APP),
        backoff: [Duration.millis(500), Duration.seconds(1)],
        maxDeliver: 3,
        concurrency: 8,
      }),
      NodeContext.layer,
    ),
  ),
)

beforeAll(async () => {
  await fleet.login("mod", "wxid_mod")
  await fleet.start(moderation)
  // The contact list has rooms without members: a room change tells their names.
  for (const group of groups) world.contactChanged(group.roomId)
  const topics = new Set<string>()
  await fleet.log.waitFor<{ contact?: { displayName: string; members?: Array<unknown> } }>(
    (s, d) => {
      if (s === "wx.evt.mod.contact" && (d.contact?.members?.length ?? 0) > 0)
        topics.add(d.contact!.displayName)
      return topics.size === groups.length
    },
  )
}, 60_000)
afterAll(() => fleet.close())

const say = (from: string, roomId: string, spec: MessageSpec | string) =>
  speak(world, from, roomId, typeof spec === "string" ? { kind: "text", text: spec } : spec)

const audit = (predicate: (event: ModerationEvent) => boolean) =>
  fleet.log.waitFor<ModerationEvent>((s, d) => s === "wx.evt.mod.moderation" && predicate(d))

const isMember = (roomId: string, wxid: string) =>
  world.group(roomId).members.some((m) => m.wxid === wxid)

describe("moderation", () => {
  it("warns a banned word with an @-mention, notifies the admins and audits", async () => {
    say("wxid_ben", hikers.roomId, "darn this weather")
    const [warning] = await fleet.waitForSent("wxid_mod", (s) => s.to === hikers.roomId)
    expect(warning!.content).toBe(
      `@Ben\u2005please keep to the group rules: that word is not allowed here${MARKER}`,
    )
    const notices = await fleet.waitForSent(
      "wxid_mod",
      (s) => s.content.includes('banned word "darn"'),
      2,
    )
    expect(notices.map((n) => n.to).sort()).toEqual(["filehelper", "wxid_ann"])
    expect(notices[0]!.content).toMatch(
      /^\[moderation\] Hikers: Ben — banned word "darn"; warn: done/,
    )
    const event = await audit((e) => e.violation === "banned_word")
    expect(event).toMatchObject({
      account: "mod",
      group: "Hikers",
      member: { name: "Ben" },
      detail: 'banned word "darn"',
    })
    expect(event.actions).toEqual([
      { action: "warn", ok: true },
      { action: "notify", ok: true },
      { action: "notify", ok: true },
    ])
  })

  it("removes a link spammer", async () => {
    say("wxid_dan", hikers.roomId, "cheap watches at http://spam.example/deals")
    const event = await audit((e) => e.violation === "link" && e.group === "Hikers")
    expect(event.member.name).toBe("Dan")
    expect(event.actions[0]).toEqual({ action: "remove", ok: true })
    expect(isMember(hikers.roomId, "wxid_dan")).toBe(false)
  })

  it("removes a member who floods the group", async () => {
    for (let i = 1; i <= 4; i++) say("wxid_cat", hikers.roomId, `message number ${i}`)
    const event = await audit((e) => e.violation === "flood")
    expect(event).toMatchObject({
      member: { name: "Cat" },
      detail: "more than 3 messages within 10s",
    })
    expect(event.actions[0]).toEqual({ action: "remove", ok: true })
    expect(isMember(hikers.roomId, "wxid_cat")).toBe(false)
  })

  it("removes a member who spams the same text across groups", async () => {
    for (const group of [hikers, climbers, runners])
      say("wxid_fay", group.roomId, "Join my course today")
    const event = await audit((e) => e.violation === "spam")
    expect(event).toMatchObject({ member: { name: "Fay" }, detail: "the same text in 3 groups" })
    expect(event.actions[0]).toEqual({ action: "remove", ok: true })
    // Whichever of the three was counted last is the one acted on.
    const where = [hikers, climbers, runners].find((g) => g.topic === event.group)!
    expect(isMember(where.roomId, "wxid_fay")).toBe(false)
  })

  it("reports the typed error when it may not remove (not the owner)", async () => {
    say("wxid_dan", bookClub.roomId, "more deals at www.spam.example")
    const event = await audit((e) => e.violation === "link" && e.group === "Book club")
    expect(event.actions[0]).toMatchObject({
      action: "remove",
      ok: false,
      error: { tag: "RequestRejected" },
    })
    expect(isMember(bookClub.roomId, "wxid_dan")).toBe(true)
    const [notice] = await fleet.waitForSent(
      "wxid_mod",
      (s) => s.to === "filehelper" && s.content.includes("Book club"),
    )
    expect(notice!.content).toMatch(/remove: failed \(RequestRejected/)
  })

  it("warns a contact card, leaves admins alone and welcomes new members", async () => {
    say("wxid_ben", climbers.roomId, { kind: "card", wxid: "wxid_eve" })
    const card = await audit((e) => e.violation === "card")
    expect(card.actions[0]).toEqual({ action: "warn", ok: true })

    say("wxid_ann", runners.roomId, "the route is at https://maps.example/route")
    joinGroup(world, runners.roomId, "wxid_ann", ["wxid_eve"])
    const [welcome] = await fleet.waitForSent(
      "wxid_mod",
      (s) => s.to === runners.roomId && s.content.startsWith("Welcome"),
    )
    expect(welcome!.content).toBe(`Welcome Eve to Runners!${MARKER}`)
    await fleet.messageEvent("mod", "the route is at https://maps.example/route")
    await fleet.drained(APP)
    expect(
      fleet.log.received.filter(
        (r) =>
          r.subject === "wx.evt.mod.moderation" &&
          (r.data as ModerationEvent).member.name === "Ann",
      ),
    ).toEqual([])
  })
})
