import { assert, describe, expect, it } from "@effect/vitest"
import { Simulator } from "@wxfleet/simulator"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { init, logout, statusNotify } from "../src/session/Session.js"
import { protocolLayer } from "./support/layer.js"
import { loginAs } from "./support/session.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300 })
sim.world.addAccount({ wxid: "wxid_s1", nickName: "S1", home: "wx2.qq.com" })
sim.world.addAccount({ wxid: "wxid_s2", nickName: "S2", home: "wx.qq.com" })
sim.world.addPerson({ wxid: "wxid_peer", nickName: "Peer" })
sim.world.befriend("wxid_s1", "wxid_peer")
afterAll(() => sim.close())
const layer = protocolLayer(sim)

const activity = (account: string) => sim.world.account(account).activity
const userNameIn = (account: string, wxid: string) => sim.world.account(account).session!.userName(wxid)

describe("init", () => {
  it.effect("answers who we are, the recent chats (ChatSet without its trailing comma), InviteStartCount and the first SyncKey", () =>
    Effect.gen(function* () {
      const { session, init: first } = yield* loginAs(sim, "wxid_s1")
      const userName = sim.world.account("wxid_s1").session!.userName("wxid_s1")
      expect(first.self).toEqual({ uin: sim.world.account("wxid_s1").person.uin, userName, nickName: "S1" })
      expect(first.chatSet[0]).toBe("filehelper")
      expect(first.chatSet).toContain(userNameIn("wxid_s1", "wxid_peer"))
      expect(first.chatSet).not.toContain("")
      expect(first.recentContacts.map((c) => c["UserName"])).toEqual(first.chatSet)
      expect(first.inviteStartCount).toBe(40)
      const data = yield* session.data.get
      expect(data.self).toEqual({ userName, nickName: "S1" })
      expect(data.syncKey.List.map((k) => k.Key)).toEqual([1, 2, 3, 1000])
    }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with SessionExpired after the phone ended the session, MalformedResponse on garbage", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_s2")
      sim.faults.malformNext({ host: "wx.qq.com", path: "/webwxinit", kind: "truncated" })
      const garbled = yield* Effect.flip(init(session))
      assert(garbled._tag === "MalformedResponse", `failed with ${garbled._tag}`)
      expect([garbled.endpoint, garbled.host]).toEqual(["webwxinit", "wx.qq.com"])
      sim.world.logout("wxid_s2", 1101)
      const ended = yield* Effect.flip(init(session))
      assert(ended._tag === "SessionExpired", `failed with ${ended._tag}`)
      expect([ended.code, ended.endpoint, ended.host]).toEqual([1101, "webwxinit", "wx.qq.com"])
    }).pipe(Effect.provide(layer)),
  )
})

describe("statusNotify", () => {
  it.effect("Code 3 tells the phone we are inited, from us to us", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_s1")
      const before = activity("wxid_s1").length
      yield* statusNotify(session, 3)
      const notified = activity("wxid_s1").slice(before)
      expect(notified).toEqual([expect.objectContaining({ type: "statusnotify", code: 3, to: "wxid_s1" })])
    }).pipe(Effect.provide(layer)),
  )

  it.effect("Code 1 marks a chat read", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_s1")
      yield* statusNotify(session, 1, userNameIn("wxid_s1", "wxid_peer"))
      expect(activity("wxid_s1").at(-1)).toEqual(
        expect.objectContaining({ type: "statusnotify", code: 1, to: "wxid_peer" }),
      )
    }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with SessionExpired carrying the code the phone ended the session with", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_s2")
      sim.world.logout("wxid_s2", 1102)
      const error = yield* Effect.flip(statusNotify(session, 3))
      expect(error._tag).toBe("SessionExpired")
      expect(error._tag === "SessionExpired" && error.code).toBe(1102)
    }).pipe(Effect.provide(layer)),
  )
})

describe("logout", () => {
  it.effect("posts webwxlogout type 0 then 1; the session is gone afterwards (1100)", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_s2")
      const before = activity("wxid_s2").length
      yield* logout(session)
      expect(activity("wxid_s2").slice(before)).toEqual([expect.objectContaining({ type: "logout" })])
      expect(sim.world.account("wxid_s2").session).toBeUndefined()
      const error = yield* Effect.flip(statusNotify(session, 3))
      expect(error._tag === "SessionExpired" && error.code).toBe(1100)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("treats the redirect as success even when the session had already ended", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_s2")
      sim.world.logout("wxid_s2", 1101)
      yield* logout(session)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with TransportError when the home host is down", () =>
    Effect.gen(function* () {
      const { session } = yield* loginAs(sim, "wxid_s2")
      sim.faults.hostDown("wx.qq.com")
      const error = yield* Effect.flip(logout(session)).pipe(
        Effect.ensuring(Effect.sync(() => sim.faults.hostUp("wx.qq.com"))),
      )
      expect(error._tag).toBe("TransportError")
      expect(sim.world.account("wxid_s2").session).toBeDefined()
    }).pipe(Effect.provide(layer)),
  )
})
