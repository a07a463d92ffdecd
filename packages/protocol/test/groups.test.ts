import { describe, expect, it } from "@effect/vitest"
import { Simulator } from "@wxfleet/simulator"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { addMembers, createGroup, removeMembers, renameGroup } from "../src/contacts/Groups.js"
import { protocolLayer } from "./support/layer.js"
import { loginAs } from "./support/session.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300 })
const { world } = sim
world.addAccount({ wxid: "wxid_g1", nickName: "G1", home: "wx2.qq.com" })
world.addAccount({ wxid: "wxid_g2", nickName: "G2", home: "web.wechat.com" })
const friends = Array.from({ length: 8 }, (_, i) => {
  const { wxid } = world.addPerson({ wxid: `wxid_f${i}`, nickName: `F${i}` })
  world.befriend("wxid_g1", wxid)
  return wxid
})
const crowd = Array.from({ length: 37 }, (_, i) => world.addPerson({ wxid: `wxid_crowd${i}`, nickName: `C${i}` }).wxid)
world.addPerson({ wxid: "wxid_boss", nickName: "Boss" })
afterAll(() => sim.close())
const layer = protocolLayer(sim)

const userNameIn = (account: string, wxid: string) => world.account(account).session!.userName(wxid)
const memberIds = (roomId: string) => world.group(roomId).members.map((m) => m.wxid)
const lastActivity = (account: string) => world.account(account).activity.at(-1)

describe("createGroup", () => {
  it.effect("creates a named room with the given people and answers its UserName and members", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_g1")
      const wanted = [friends[0]!, friends[1]!].map((wxid) => userNameIn("wxid_g1", wxid))
      const created = yield* createGroup(session, wanted, "Team 🚀 & co")
      expect(created.userName.startsWith("@@")).toBe(true)
      expect(created.topic).toBe("Team 🚀 & co")
      expect(created.members.map((m) => m.userName)).toEqual(wanted)
      expect(created.members.map((m) => m.memberStatus)).toEqual([0, 0])
      const activity = lastActivity("wxid_g1")
      expect(activity).toEqual(
        expect.objectContaining({ type: "group", op: "create", members: [friends[0], friends[1]] }),
      )
      const roomId = activity?.type === "group" ? activity.roomId : ""
      expect(userNameIn("wxid_g1", roomId)).toBe(created.userName)
      expect(world.group(roomId).owner).toBe("wxid_g1")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("is refused (RequestRejected) with fewer than two others", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_g1")
      const error = yield* Effect.flip(createGroup(session, [userNameIn("wxid_g1", friends[2]!)]))
      expect(error._tag === "RequestRejected" && error.ret).toBe(1)
    }).pipe(Effect.provide(layer)),
  )
})

describe("addMembers", () => {
  it.effect("adds people directly while the room stays below InviteStartCount", () =>
    Effect.gen(function* () {
      const room = world.addGroup({ topic: "Small", owner: "wxid_g1", members: [friends[0]!, friends[1]!] })
      const { session, init } = yield* loginAs(sim, "wxid_g1")
      const added = [friends[2]!, friends[3]!]
      const result = yield* addMembers(
        session,
        userNameIn("wxid_g1", room.roomId),
        added.map((wxid) => userNameIn("wxid_g1", wxid)),
        { inviteStartCount: init.inviteStartCount },
      )
      expect(result.via).toBe("addmember")
      expect(result.members.map((m) => m.nickName)).toEqual(["F2", "F3"])
      expect(memberIds(room.roomId)).toEqual(expect.arrayContaining(added))
      expect(lastActivity("wxid_g1")).toEqual(expect.objectContaining({ op: "addmember", members: added }))
    }).pipe(Effect.provide(layer)),
  )

  it.effect("invites once the room would reach InviteStartCount (38 + 2 >= 40)", () =>
    Effect.gen(function* () {
      const room = world.addGroup({ topic: "Crowded", owner: "wxid_g1", members: crowd })
      expect(room.members.length).toBe(38)
      const { session, init } = yield* loginAs(sim, "wxid_g1")
      expect(init.inviteStartCount).toBe(40)
      const invited = [friends[4]!, friends[5]!]
      const result = yield* addMembers(
        session,
        userNameIn("wxid_g1", room.roomId),
        invited.map((wxid) => userNameIn("wxid_g1", wxid)),
        { inviteStartCount: init.inviteStartCount },
      )
      expect(result).toEqual({ via: "invitemember", members: [] })
      expect(lastActivity("wxid_g1")).toEqual(expect.objectContaining({ op: "invitemember", members: invited }))
      expect(memberIds(room.roomId)).toEqual(expect.arrayContaining(invited))
    }).pipe(Effect.provide(layer)),
  )

  it.effect("one below the threshold still adds (37 + 2 < 40)", () =>
    Effect.gen(function* () {
      const room = world.addGroup({ topic: "Almost", owner: "wxid_g1", members: crowd.slice(1) })
      const { session } = yield* loginAs(sim, "wxid_g1")
      const result = yield* addMembers(
        session,
        userNameIn("wxid_g1", room.roomId),
        [friends[6]!, friends[7]!].map((wxid) => userNameIn("wxid_g1", wxid)),
        { inviteStartCount: 40 },
      )
      expect(result.via).toBe("addmember")
      expect(room.members.length).toBe(39)
    }).pipe(Effect.provide(layer)),
  )
})

describe("removeMembers and renameGroup", () => {
  it.effect("the owner removes members (delmember, comma-separated) and renames the room", () =>
    Effect.gen(function* () {
      const room = world.addGroup({ topic: "Old", owner: "wxid_g1", members: friends.slice(0, 4) })
      const { session } = yield* loginAs(sim, "wxid_g1")
      const roomName = userNameIn("wxid_g1", room.roomId)
      yield* removeMembers(
        session,
        roomName,
        [friends[1]!, friends[2]!].map((wxid) => userNameIn("wxid_g1", wxid)),
      )
      expect(memberIds(room.roomId)).toEqual(["wxid_g1", friends[0], friends[3]])
      expect(lastActivity("wxid_g1")).toEqual(
        expect.objectContaining({ op: "delmember", members: [friends[1], friends[2]] }),
      )
      yield* renameGroup(session, roomName, "New 🌛")
      expect(world.group(room.roomId).topic).toBe('New <span class="emoji emoji1f31b"></span>')
    }).pipe(Effect.provide(layer)),
  )

  it.effect("a member who does not own the room is refused with the typed RequestRejected", () =>
    Effect.gen(function* () {
      const room = world.addGroup({
        topic: "Boss's",
        owner: "wxid_boss",
        members: ["wxid_g1", friends[0]!, friends[1]!],
      })
      const { session } = yield* loginAs(sim, "wxid_g1")
      const error = yield* Effect.flip(
        removeMembers(session, userNameIn("wxid_g1", room.roomId), [userNameIn("wxid_g1", friends[0]!)]),
      )
      expect(error._tag).toBe("RequestRejected")
      expect(error._tag === "RequestRejected" && error.ret).toBe(-2)
      expect(memberIds(room.roomId)).toContain(friends[0])
    }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with SessionExpired (1100) after a logout", () =>
    Effect.gen(function* () {
      const room = world.addGroup({ topic: "Mine", owner: "wxid_g2", members: ["wxid_boss", crowd[0]!] })
      const { session } = yield* loginAs(sim, "wxid_g2")
      const roomName = userNameIn("wxid_g2", room.roomId)
      world.logout("wxid_g2", 1100)
      const error = yield* Effect.flip(renameGroup(session, roomName, "x"))
      expect(error._tag === "SessionExpired" && error.code).toBe(1100)
      expect(world.group(room.roomId).topic).toBe("Mine")
    }).pipe(Effect.provide(layer)),
  )
})
