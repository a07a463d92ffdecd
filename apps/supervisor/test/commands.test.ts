import { expect, layer } from "@effect/vitest"
import { requestFriend } from "@wxfleet/simulator"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { Metrics } from "../src/metrics/Metrics.js"
import { addAndScan as addAndScanIn, startInfrastructure, supervisorLayer } from "./support/harness.js"

const infra = await startInfrastructure({ syncHoldMs: 1_000 })
const { sim, recorder } = infra
const world = sim.world
world.addAccount({ wxid: "wxid_c1", nickName: "Commander", home: "wx8.qq.com" })
for (const [wxid, nickName] of [
  ["wxid_ann", "Ann"],
  ["wxid_ben", "Ben"],
  ["wxid_cat", "Cat"],
] as const) {
  world.addPerson({ wxid, nickName })
  world.befriend("wxid_c1", wxid)
}
world.addPerson({ wxid: "wxid_stranger", nickName: "Stranger" })
const crew = world.addGroup({ topic: "Crew", owner: "wxid_c1", members: ["wxid_ann", "wxid_ben"] })
const foreign = world.addGroup({ topic: "Not mine", owner: "wxid_ann", members: ["wxid_c1", "wxid_ben"] })
afterAll(() => infra.close())

type Reply = { ok: boolean; error?: { tag: string; message: string; details?: Record<string, unknown> } } & Record<string, unknown>
const cmd = (op: string, body: unknown) => recorder.request(`wx.cmd.c1.${op}`, body) as Promise<Reply>
const activity = () => world.account("wxid_c1").activity

const addAndScan = (account: string) => addAndScanIn(recorder, sim, account)

/** The account's UserNames of people and rooms, from the contacts command. */
let names: Record<string, string> = {}

const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex")

// Few command slots and a bounded send backlog, so the backlog test can tell them apart.
layer(supervisorLayer(infra.nats, sim, { commandConcurrency: 8, sendBacklog: 300 }), { timeout: 120_000, excludeTestServices: true })("commands", (it) => {
  it.effect("logs in and lists contacts", () =>
    Effect.promise(async () => {
      await addAndScan("c1")
      const reply = await cmd("contacts", {})
      expect(reply.ok).toBe(true)
      const contacts = reply["contacts"] as Array<{ userName: string; displayName: string; kind: string }>
      names = Object.fromEntries(contacts.map((c) => [c.displayName, c.userName]))
      expect(names["Ann"]).toMatch(/^@[0-9a-f]{32}$/)
      expect(names["Crew"]).toMatch(/^@@[0-9a-f]{64}$/)
      // Rooms come with their members, so a client can name who speaks in a group.
      const room = contacts.find((c) => c.displayName === "Crew") as unknown as {
        members?: Array<{ userName: string; nickName: string }>
        isOwner?: boolean
      }
      expect(room.isOwner).toBe(true)
      expect(room.members?.map((m) => m.nickName).sort()).toEqual(expect.arrayContaining(["Ann", "Ben"]))
      expect(room.members?.find((m) => m.nickName === "Ann")?.userName).toBe(names["Ann"])
    }),
  )

  it.effect("sends text, image, file, video and emoticon, and revokes", () =>
    Effect.promise(async () => {
      const text = await cmd("send_text", { to: names["Ann"], text: "hello Ann" })
      expect(text.ok).toBe(true)
      const data = png.toString("base64")
      for (const op of ["send_image", "send_file", "send_video"]) {
        const fileName = op === "send_image" ? "a.png" : op === "send_video" ? "clip.mp4" : "notes.txt"
        const reply = await cmd(op, { to: names["Ben"], fileName, data })
        expect(reply.ok, `${op}: ${JSON.stringify(reply)}`).toBe(true)
      }
      const sticker = await cmd("send_emoticon", { to: names["Ben"], md5: "e68363487d8f0519c4e1047de403b2e7" })
      expect(sticker.ok).toBe(true)
      const sent = activity().filter((a) => a.type === "sent").map((a) => (a.type === "sent" ? a.msgType : 0))
      expect(sent).toEqual(expect.arrayContaining([1, 3, 6, 43, 47]))

      const revoked = await cmd("revoke", { to: names["Ann"], msgId: text["msgId"], localId: text["localId"] })
      expect(revoked.ok).toBe(true)
      expect(activity().some((a) => a.type === "revoked")).toBe(true)
    }),
  )

  it.effect("manages friends: remark, pin, add, accept", () =>
    Effect.promise(async () => {
      expect((await cmd("set_remark", { userName: names["Cat"], remark: "Cathy" })).ok).toBe(true)
      expect((await cmd("set_pinned", { userName: names["Cat"], pinned: true })).ok).toBe(true)
      expect(activity().some((a) => a.type === "remark" && a.remarkName === "Cathy")).toBe(true)
      expect(activity().some((a) => a.type === "pin" && a.pinned)).toBe(true)
      requestFriend(world, "wxid_stranger", "wxid_c1", { greeting: "hi, it's me" })
      const request = await recorder.waitFor<{ message: { _tag: string; userName: string; ticket: string } }>(
        (s, d) => s === "wx.evt.c1.message" && d.message._tag === "FriendRequest",
      )
      const accepted = await cmd("accept_friend", { userName: request.message.userName, ticket: request.message.ticket })
      expect(accepted.ok).toBe(true)
      expect(world.account("wxid_c1").friends.has("wxid_stranger")).toBe(true)
      const forged = await cmd("accept_friend", { userName: request.message.userName, ticket: "v2_forged@stranger" })
      expect(forged.error?.tag).toBe("RequestRejected")
    }),
  )

  it.effect("manages groups: create, add, rename, remove; a non-owner's removal is a typed error", () =>
    Effect.promise(async () => {
      const created = await cmd("group_create", { members: [names["Ann"], names["Cat"]], topic: "New crew" })
      expect(created.ok).toBe(true)
      expect(created["room"]).toMatch(/^@@/)
      expect((await cmd("group_add", { room: names["Crew"], members: [names["Cat"]] }))["via"]).toBe("addmember")
      expect((await cmd("group_rename", { room: names["Crew"], topic: "Crew 2" })).ok).toBe(true)
      expect(world.group(crew.roomId).topic).toBe("Crew 2")
      expect((await cmd("group_remove", { room: names["Crew"], members: [names["Cat"]] })).ok).toBe(true)
      expect(world.group(crew.roomId).members.some((m) => m.wxid === "wxid_cat")).toBe(false)

      const notOwner = await cmd("group_remove", { room: names["Not mine"], members: [names["Ben"]] })
      expect(notOwner.ok).toBe(false)
      expect(notOwner.error?.tag).toBe("RequestRejected")
      expect(notOwner.error?.details?.["ret"]).toBe(-2)
      expect(world.group(foreign.roomId).members.some((m) => m.wxid === "wxid_ben")).toBe(true)
    }),
  )

  it.effect("shares a contacts listing among callers asking together, keeps it briefly, and lists again once contacts changed", () =>
    Effect.flatMap(Metrics, (metrics) => Effect.promise(async () => {
      const answers = async () =>
        Object.fromEntries((await metrics.contactsListings.get()).values.map((v) => [String(v.labels["answer"]), v.value]))
      type Listed = Array<{ userName: string; displayName: string; nickName: string }>
      const listed = (reply: Reply) => reply["contacts"] as Listed
      const of = (reply: Reply, userName: string | undefined) => listed(reply).find((c) => c.userName === userName)
      // The simulator's protocol calls answered since the last reading (the reading starts afresh).
      const calls = async () => {
        const response = await fetch(`${sim.url}/__sim/process/event-loop`, { method: "POST" })
        return ((await response.json()) as { calls: Record<string, number> }).calls
      }
      // A command that changes contacts: no listing from the tests above answers after it.
      expect((await cmd("set_remark", { userName: names["Ann"], remark: "Annie" })).ok).toBe(true)
      await calls()

      const together = await Promise.all([1, 2, 3, 4].map(() => cmd("contacts", {})))
      expect(together.every((reply) => reply.ok)).toBe(true)
      expect(new Set(together.map((reply) => JSON.stringify(listed(reply)))).size).toBe(1)
      expect(of(together[0]!, names["Ann"])?.displayName).toBe("Annie")
      const first = await calls()
      expect(first["webwxgetcontact"]).toBe(1)
      expect(first["webwxbatchgetcontact"]).toBe(1)
      const counted = await answers()

      // Asked again at once: the same listing answers; WeChat is not asked.
      expect(JSON.stringify(listed(await cmd("contacts", {})))).toBe(JSON.stringify(listed(together[0]!)))
      expect((await calls())["webwxgetcontact"] ?? 0).toBe(0)
      // Of the five answers, one asked WeChat, three shared its listing, one was kept.
      const since = await answers()
      expect([since["listed"]! - (counted["listed"] ?? 0), since["shared"] ?? 0, since["kept"] ?? 0]).toEqual([0, 3, 1])

      // A command that changes contacts: the listing right after it says so, before the sync
      // round that brings the change (slowed down here) could have told the session.
      sim.faults.setLatency("wx8.qq.com", 300)
      try {
        expect((await cmd("set_remark", { userName: names["Ben"], remark: "Benny" })).ok).toBe(true)
        expect(of(await cmd("contacts", {}), names["Ben"])?.displayName).toBe("Benny")
      } finally {
        sim.faults.setLatency("wx8.qq.com", 0)
      }
      await calls()

      // A contact changes on WeChat's side: once the session has seen it (its event is out), the
      // next listing asks WeChat again and says so.
      world.person("wxid_ben").nickName = "Benjamin"
      world.contactChanged("wxid_ben")
      await recorder.waitFor<{ contact?: { nickName: string } }>(
        (s, d) => s === "wx.evt.c1.contact" && d.contact?.nickName === "Benjamin",
      )
      expect(of(await cmd("contacts", {}), names["Ben"])?.nickName).toBe("Benjamin")
      expect((await calls())["webwxgetcontact"]).toBe(1)

      // A listing whose rooms came without members (their call failed) answers, and is not kept.
      expect((await cmd("set_remark", { userName: names["Ben"], remark: "Ben again" })).ok).toBe(true)
      sim.faults.malformNext({ path: "/webwxbatchgetcontact", kind: "html", count: 100 })
      let partial: Reply
      try {
        partial = await cmd("contacts", {})
      } finally {
        sim.faults.clear()
      }
      const members = (reply: Reply) => (of(reply, names["Crew"]) as { members?: Array<unknown> } | undefined)?.members
      expect(partial.ok).toBe(true)
      expect(members(partial)).toEqual([])
      expect(members(await cmd("contacts", {}))?.length).toBeGreaterThan(0)
    })),
  )

  it.effect("answers a 1205 with RateLimited and slows the account down instead of failing it", () =>
    Effect.promise(async () => {
      world.account("wxid_c1").sendsBeforeRateLimit = 1
      expect((await cmd("send_text", { to: names["Ann"], text: "allowed" })).ok).toBe(true)
      const limited = await cmd("send_text", { to: names["Ann"], text: "too many", idempotencyKey: "retry-me" })
      expect(limited.error?.tag).toBe("RateLimited")
      world.account("wxid_c1").sendsBeforeRateLimit = undefined
      // A failure that proves nothing was sent is not remembered: the same key runs again.
      expect((await cmd("send_text", { to: names["Ann"], text: "too many", idempotencyKey: "retry-me" })).ok).toBe(true)
      expect((await cmd("send_text", { to: names["Ann"], text: "later" })).ok).toBe(true)
      // The interval is 20 ms; after a 1205 it is four times wider (decaying by 0.85 a send: 68 ms
      // between these two), as the simulator saw the sends arrive.
      const sentAt = (text: string) => activity().find((a) => a.type === "sent" && a.content === text)?.at ?? Number.NaN
      expect(sentAt("later") - sentAt("too many")).toBeGreaterThanOrEqual(50)
      const state = (await recorder.request("wx.fleet.list", {}))["accounts"] as Array<{ state: string }>
      expect(state[0]?.state).toBe("logged_in")
    }),
  )

  it.effect("a backlog of one account's paced sends holds no command slot and is bounded, refusing the excess unsent", () =>
    Effect.flatMap(Metrics, (metrics) => Effect.promise(async () => {
      world.addAccount({ wxid: "wxid_c2", nickName: "Second", home: "wx8.qq.com" })
      world.befriend("wxid_c2", "wxid_cat")
      await addAndScan("c2")
      const contacts = (await recorder.request("wx.cmd.c2.contacts", {}))["contacts"] as Array<{ userName: string; displayName: string }>
      const cat = contacts.find((c) => c.displayName === "Cat")!.userName
      const sentBy = (wxid: string) => world.account(wxid).activity.filter((a) => a.type === "sent").length
      const before = sentBy("wxid_c1")
      // 330 sends for c1, paced one per ~20 ms: most wait for their turn for seconds. They reach
      // the supervisor before c2's command (one connection, one subscription, in order).
      const backlog = Array.from({ length: 330 }, (_, i) =>
        recorder.request("wx.cmd.c1.send_text", { to: names["Ann"], text: `backlog ${i}` }, 30_000),
      )
      const reply = await recorder.request("wx.cmd.c2.send_text", { to: cat, text: "not held up" })
      expect(reply.ok, JSON.stringify(reply)).toBe(true)
      // The operator sees the backlog: at most 300 waiting, and most of them still are.
      const waiting = Number(/wxfleet_sends_waiting (\d+)/.exec(await metrics.registry.getSingleMetricAsString("wxfleet_sends_waiting"))?.[1])
      expect(waiting).toBeGreaterThan(200)
      expect(waiting).toBeLessThanOrEqual(300)
      // Were c1's waiting sends holding the fleet's 8 command slots, c2's command would have
      // waited for ~320 of c1's sends; here it waits for none (50 leaves a slow machine ~1 s).
      expect(sentBy("wxid_c1") - before).toBeLessThan(50)
      const replies = await Promise.all(backlog)
      // Beyond 300 waiting (WXFLEET_SEND_BACKLOG) a send is refused at once, typed, and not sent.
      const refused = replies.filter((r) => !r["ok"])
      expect(refused.length).toBeGreaterThan(0)
      expect(refused.length).toBeLessThanOrEqual(30)
      for (const r of refused) {
        expect((r["error"] as { tag: string }).tag).toBe("SendBacklogFull")
        expect((r["error"] as { details: { limit: number } }).details.limit).toBe(300)
      }
      expect(sentBy("wxid_c1") - before).toBe(330 - refused.length)
    })),
  )

  it.effect("refuses bad input with a clear, typed error and crashes nothing", () =>
    Effect.promise(async () => {
      const cases: Array<[string, unknown, string]> = [
        ["send_text", { to: names["Ann"] }, "InvalidCommand"],
        ["send_text", { to: names["Ann"], text: 42 }, "InvalidCommand"],
        ["send_image", { to: names["Ann"], fileName: "a.png", data: "%%%" }, "InvalidCommand"],
        ["group_create", { members: [names["Ann"]] }, "InvalidCommand"],
        ["send_text", { to: "@nobody", text: "hi" }, "RequestRejected"],
        ["launch_rocket", {}, "UnknownOperation"],
      ]
      for (const [op, body, tag] of cases) {
        const reply = await cmd(op, body)
        expect(reply.ok, `${op} ${JSON.stringify(body)}`).toBe(false)
        expect(reply.error?.tag, `${op} ${JSON.stringify(body)}: ${reply.error?.message}`).toBe(tag)
        expect(reply.error?.message.length).toBeGreaterThan(0)
      }
      const huge = "A".repeat(1024 * 1024 - 100)
      const tooLarge = await cmd("send_file", { to: names["Ann"], fileName: "big.bin", data: huge })
      expect(["PayloadTooLarge", "InvalidCommand"]).toContain(tooLarge.error?.tag)
      expect((await cmd("send_text", { to: names["Ann"], text: "still alive" })).ok).toBe(true)
    }),
  )
})
