import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { requestFriend, Simulator } from "@wxfleet/simulator"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { isGroup } from "../src/contacts/Contact.js"
import { allContacts, batchGet, groupDetails } from "../src/contacts/Contacts.js"
import { acceptFriend, addFriend, setPinned, setRemark } from "../src/contacts/Friends.js"
import { jsonBody, protocolLayer, tappedLayer } from "./support/layer.js"
import { loginAs } from "./support/session.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300, contactPageSize: 4 })
const { world } = sim
world.addAccount({ wxid: "wxid_c1", nickName: "C1", home: "wx2.qq.com" })
world.addAccount({ wxid: "wxid_c2", nickName: "C2", home: "wx8.qq.com" })
for (let i = 0; i < 9; i++) {
  world.addPerson({ wxid: `wxid_friend${i}`, nickName: `Friend ${i}` })
  world.befriend("wxid_c1", `wxid_friend${i}`)
}
world.addPerson({ wxid: "wxid_flag", nickName: 'China<span class="emoji emoji1f1e81f1f3"></span>' })
world.befriend("wxid_c1", "wxid_flag", { remarkName: "", contactFlag: 3 })
world.addPerson({ wxid: "wxid_bob", nickName: "Bob" })
world.befriend("wxid_c1", "wxid_bob", { remarkName: "Bobby", contactFlag: 3 })
world.addPerson({ wxid: "gh_news", nickName: "News", verifyFlag: 24 })
world.befriend("wxid_c1", "gh_news")
world.befriend("wxid_c2", "wxid_bob")
const strangers = Array.from(
  { length: 60 },
  (_, i) => world.addPerson({ wxid: `wxid_m${i}`, nickName: `Member ${i}` }).wxid,
)
const bigRoom = world.addGroup({ topic: "Big room", owner: "wxid_m0", members: ["wxid_c1", ...strangers] })
const smallRoom = world.addGroup({
  topic: "Small room",
  owner: "wxid_c1",
  members: [{ wxid: "wxid_bob", displayName: "B in room" }, "wxid_friend1", "wxid_m1"],
})
world.addPerson({ wxid: "wxid_stranger", nickName: "Stranger" })
afterAll(() => sim.close())
const layer = protocolLayer(sim)

const userNameIn = (account: string, wxid: string) => world.account(account).session!.userName(wxid)
const lastActivity = (account: string) => world.account(account).activity.at(-1)

describe("allContacts", () => {
  it.effect("lists every friend and saved room across pages, decoded", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c1")
      const contacts = yield* allContacts(session)
      const account = world.account("wxid_c1")
      expect(contacts.length).toBe(account.friends.size + account.groups.size)
      expect(contacts.length).toBeGreaterThan(4)
      expect(new Set(contacts.map((c) => c.userName)).size).toBe(contacts.length)
      const byName = new Map(contacts.map((c) => [c.userName, c]))
      expect(byName.get("filehelper")?.kind).toBe("special")
      expect(byName.get("weixin")?.kind).toBe("special")
      expect(byName.get(userNameIn("wxid_c1", "gh_news"))?.kind).toBe("official")
      expect(byName.get(userNameIn("wxid_c1", "wxid_flag"))?.displayName).toBe("China🇨🇳")
      expect(byName.get(userNameIn("wxid_c1", "wxid_bob"))?.displayName).toBe("Bobby")
      const room = byName.get(userNameIn("wxid_c1", smallRoom.roomId))
      expect(room?.kind).toBe("group")
      expect(room !== undefined && isGroup(room) && room.members).toEqual([])
    }).pipe(Effect.provide(layer)),
  )

  it.effect("ends the listing when the server repeats a Seq instead of looping", () =>
    Effect.gen(function* () {
      let pages = 0
      const repeating = tappedLayer(sim, ({ url, request }) => {
        if (!url.pathname.endsWith("/webwxgetcontact")) return undefined
        pages++
        const body = {
          BaseResponse: { Ret: 0, ErrMsg: "" },
          MemberCount: 1,
          MemberList: [{ UserName: `@p${pages}` }],
          Seq: 77,
        }
        return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(JSON.stringify(body))))
      })
      const contacts = yield* Effect.flatMap(loginAs(sim, "wxid_c2"), ({ session }) => allContacts(session)).pipe(
        Effect.provide(repeating),
      )
      expect(pages).toBe(2)
      expect(contacts.map((c) => c.userName)).toEqual(["@p1", "@p2"])
    }),
  )

  it.effect("fails with SessionExpired (1101) once the session was ended elsewhere", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c2")
      world.logout("wxid_c2", 1101)
      const error = yield* Effect.flip(allContacts(session))
      expect(error._tag === "SessionExpired" && error.code).toBe(1101)
    }).pipe(Effect.provide(layer)),
  )
})

describe("batchGet and groupDetails", () => {
  it.effect("gets a room with its members, then all 61 members in batches of at most 50", () =>
    Effect.gen(function* () {
      const batchSizes: Array<number> = []
      const counting = tappedLayer(sim, ({ url, request }) => {
        if (url.pathname.endsWith("/webwxbatchgetcontact")) {
          batchSizes.push((jsonBody(request)["List"] as Array<unknown>).length)
        }
        return undefined
      })
      const { session } = yield* loginAs(sim, "wxid_c1").pipe(Effect.provide(counting))
      const roomName = userNameIn("wxid_c1", bigRoom.roomId)
      const [room] = yield* groupDetails(session, [roomName]).pipe(Effect.provide(counting))
      expect(room?.members.length).toBe(61)
      expect(room?.memberCount).toBe(61)
      expect(room?.encryChatRoomId).toBe(bigRoom.encryChatRoomId)
      expect(room?.isOwner).toBe(false)
      const members = yield* batchGet(
        session,
        room!.members.map((member) => ({ userName: member.userName, room: roomName })),
      ).pipe(Effect.provide(counting))
      expect(members.length).toBe(61)
      expect(members.map((m) => m.nickName)).toContain("Member 59")
      expect(batchSizes).toEqual([1, 50, 11])
    }),
  )

  it.effect("a member who is not our friend is only shown when asked for with the room", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c1")
      const member = userNameIn("wxid_c1", "wxid_m1")
      expect(yield* batchGet(session, [{ userName: member }])).toEqual([])
      const [shown] = yield* batchGet(session, [{ userName: member, room: userNameIn("wxid_c1", smallRoom.roomId) }])
      expect(shown?.nickName).toBe("Member 1")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("resolves member names: group nickname, then our remark, then nickname; knows we own the room", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c1")
      const [room] = yield* groupDetails(session, [userNameIn("wxid_c1", smallRoom.roomId)], {
        remarks: new Map([[userNameIn("wxid_c1", "wxid_friend1"), "Buddy"]]),
      })
      expect(room?.isOwner).toBe(true)
      expect(room?.members.map((m) => m.displayName)).toEqual(["C1", "B in room", "Buddy", "Member 1"])
    }).pipe(Effect.provide(layer)),
  )

  // Live clock: the retry schedule really waits between attempts.
  it.live("retries a read after a transport failure", () =>
    Effect.gen(function* () {
      let failures = 2
      const flaky = tappedLayer(sim, ({ url, request }) =>
        url.pathname.endsWith("/webwxbatchgetcontact") && failures-- > 0
          ? Effect.fail(
              new HttpClientError.RequestError({ request, reason: "Transport", cause: { code: "ECONNRESET" } }),
            )
          : undefined,
      )
      const contacts = yield* Effect.flatMap(loginAs(sim, "wxid_c1"), ({ session }) =>
        batchGet(session, [{ userName: userNameIn("wxid_c1", "wxid_bob") }]),
      ).pipe(Effect.provide(flaky))
      expect(failures).toBe(-1)
      expect(contacts.map((c) => c.displayName)).toEqual(["Bobby"])
    }),
  )

  it.effect("fails with SessionExpired (1102) after the phone ended the session", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c2")
      world.logout("wxid_c2", 1102)
      const error = yield* Effect.flip(batchGet(session, [{ userName: "filehelper" }]))
      expect(error._tag === "SessionExpired" && error.code).toBe(1102)
    }).pipe(Effect.provide(layer)),
  )
})

describe("Friends", () => {
  it.effect("accepts a friend request with the request's UserName and ticket", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c2")
      const { ticket } = requestFriend(world, "wxid_stranger", "wxid_c2", { greeting: "hi" })
      const wrong = yield* Effect.flip(
        acceptFriend(session, { userName: userNameIn("wxid_c2", "wxid_stranger"), ticket: "v2_forged@stranger" }),
      )
      expect(wrong._tag === "RequestRejected" && wrong.ret).toBe(1)
      yield* acceptFriend(session, { userName: userNameIn("wxid_c2", "wxid_stranger"), ticket })
      expect(lastActivity("wxid_c2")).toEqual(
        expect.objectContaining({ type: "verify", wxid: "wxid_stranger", opcode: 3 }),
      )
      expect(world.account("wxid_c2").friends.has("wxid_stranger")).toBe(true)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("asks a room member to be friends (Opcode 2)", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c1")
      yield* addFriend(session, userNameIn("wxid_c1", "wxid_m2"), "Hello from the big room")
      expect(lastActivity("wxid_c1")).toEqual(expect.objectContaining({ type: "verify", wxid: "wxid_m2", opcode: 2 }))
      const refused = yield* Effect.flip(addFriend(session, "@0000000000000000000000000000dead", "?"))
      expect(refused._tag).toBe("RequestRejected")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("sets a remark, then pins and unpins without losing it", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c1")
      const friend = userNameIn("wxid_c1", "wxid_friend3")
      const link = () => world.account("wxid_c1").friends.get("wxid_friend3")!
      yield* setRemark(session, friend, "Three 🌛")
      expect(link().remarkName).toBe('Three <span class="emoji emoji1f31b"></span>')
      yield* setPinned(session, friend, true)
      expect(link().contactFlag & 0x800).toBe(0x800)
      expect(link().remarkName).toBe('Three <span class="emoji emoji1f31b"></span>')
      const [pinned] = yield* batchGet(session, [{ userName: friend }])
      expect(pinned?.pinned).toBe(true)
      expect(pinned?.displayName).toBe("Three 🌛")
      yield* setPinned(session, friend, false)
      expect(link().contactFlag & 0x800).toBe(0)
      expect(link().remarkName).toBe('Three <span class="emoji emoji1f31b"></span>')
    }).pipe(Effect.provide(layer)),
  )

  it.effect("pins and unpins a room, which the room's contact then shows", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c1")
      const room = userNameIn("wxid_c1", smallRoom.roomId)
      yield* setPinned(session, room, true)
      expect(lastActivity("wxid_c1")).toEqual(expect.objectContaining({ type: "pin", wxid: smallRoom.roomId, pinned: true }))
      const [pinned] = yield* groupDetails(session, [room])
      expect([pinned?.pinned, pinned?.displayName]).toEqual([true, "Small room"])
      yield* setPinned(session, room, false)
      expect(lastActivity("wxid_c1")).toEqual(expect.objectContaining({ type: "pin", wxid: smallRoom.roomId, pinned: false }))
      const [unpinned] = yield* groupDetails(session, [room])
      expect(unpinned?.pinned).toBe(false)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("cannot set a remark on someone who is not a friend", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_c1")
      const error = yield* Effect.flip(setRemark(session, userNameIn("wxid_c1", "wxid_m3"), "nope"))
      expect(error._tag === "RequestRejected" && error.ret).toBe(1)
    }).pipe(Effect.provide(layer)),
  )
})
