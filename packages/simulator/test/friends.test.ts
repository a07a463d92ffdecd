import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { acceptOutgoingRequest, joinGroup, requestFriend, type Simulator, type World } from "../src/index.js"
import { startWorld } from "./support/fixtures.js"
import { api, baseRequest, qrLogin, sync, type LoggedIn } from "./support/webClient.js"

let sim: Simulator
let world: World
let roomId: string

beforeEach(async () => {
  const started = await startWorld()
  sim = started.sim
  world = started.world
  roomId = started.group.roomId
})
afterEach(() => sim.close())

const post = async (c: LoggedIn, endpoint: string, body: Record<string, unknown>, query = "") =>
  JSON.parse((await c.browser.postJson(api(c, endpoint, query), { BaseRequest: baseRequest(c), ...body })).text) as {
    BaseResponse: { Ret: number; ErrMsg: string }
  }

const verify = (
  c: LoggedIn,
  opcode: number,
  list: ReadonlyArray<{ Value: string; VerifyUserTicket: string }>,
  greeting = "",
) =>
  post(
    c,
    "webwxverifyuser",
    {
      Opcode: opcode,
      VerifyUserListSize: list.length,
      VerifyUserList: list,
      VerifyContent: greeting,
      SceneListCount: 1,
      SceneList: [33],
      skey: c.skey,
    },
    `r=${Date.now()}&lang=zh_CN`,
  )

const opLog = (c: LoggedIn, body: Record<string, unknown>) => post(c, "webwxoplog", body)

/** The UserName an account's current session uses for a wxid. */
const userNameIn = (account: string, wxid: string): string => world.account(account).session!.userName(wxid)

const notices = (messages: ReadonlyArray<Record<string, unknown>>) => messages.filter((m) => m["MsgType"] === 10000)

describe("friend requests", () => {
  it("delivers a stranger's request from fmessage, and accepting it makes them friends", async () => {
    world.addPerson({ wxid: "wxid_dave", nickName: "Dave", sex: 1, province: "Zhejiang", city: "Hangzhou" })
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const { ticket } = requestFriend(world, "wxid_dave", "wxid_bot1", { greeting: 'Hi "bot" & co', scene: 14 })
    expect(ticket).toMatch(/^v2_[0-9a-f]+@stranger$/)

    const { body } = await sync(bot1)
    const request = body.AddMsgList.find((m) => m["MsgType"] === 37)!
    expect(request).toMatchObject({ FromUserName: "fmessage", ToUserName: bot1.self, Status: 3 })
    const content = request["Content"] as string
    expect(content).toMatch(
      /^&lt;msg fromusername="wxid_dave" encryptusername="v1_[0-9a-f]{64}@stranger" fromnickname="Dave" content="Hi &amp;quot;bot&amp;quot; &amp;amp; co" {2}shortpy="" /,
    )
    expect(content).toContain(` scene="14" `)
    expect(content).toContain(` province="Zhejiang" city="Hangzhou" `)
    expect(content).toContain(` ticket="${ticket}" opcode="2" `)
    expect(content).toMatch(/&gt;&lt;brandlist count="0" ver="\d+"&gt;&lt;\/brandlist&gt;&lt;\/msg&gt;$/)
    const recommend = request["RecommendInfo"] as Record<string, unknown>
    expect(recommend).toEqual({
      UserName: expect.stringMatching(/^@[0-9a-f]{32}$/),
      NickName: "Dave",
      QQNum: 0,
      Province: "Zhejiang",
      City: "Hangzhou",
      Content: 'Hi "bot" & co',
      Signature: "",
      Alias: "",
      Scene: 14,
      VerifyFlag: 0,
      AttrStatus: expect.any(Number),
      Sex: 1,
      Ticket: ticket,
      OpCode: 2,
    })
    const dave = recommend["UserName"] as string

    expect(await verify(bot1, 3, [{ Value: dave, VerifyUserTicket: ticket }])).toEqual({
      BaseResponse: { Ret: 0, ErrMsg: "" },
    })
    const after = await sync(bot1)
    expect(after.body.ModContactList).toEqual([
      expect.objectContaining({ UserName: dave, NickName: "Dave", ContactFlag: 3 }),
    ])
    expect(notices(after.body.AddMsgList)).toEqual([
      expect.objectContaining({
        FromUserName: dave,
        ToUserName: bot1.self,
        Content: "你已添加了Dave，现在可以开始聊天了。",
      }),
    ])
    expect(world.account("wxid_bot1").friends.get("wxid_dave")).toEqual({ remarkName: "", contactFlag: 3 })
    expect(world.account("wxid_bot1").activity).toContainEqual(
      expect.objectContaining({ type: "verify", wxid: "wxid_dave", opcode: 3 }),
    )

    // A used ticket is gone.
    expect((await verify(bot1, 3, [{ Value: dave, VerifyUserTicket: ticket }])).BaseResponse.Ret).toBe(1)
  })

  it("uses the default greeting and scene, and refuses requests from friends", async () => {
    world.addPerson({ wxid: "wxid_erin", nickName: "Erin" })
    const bot1 = await qrLogin(sim, "wxid_bot1")
    requestFriend(world, "wxid_erin", "wxid_bot1")
    const { body } = await sync(bot1)
    expect(body.AddMsgList[0]!["RecommendInfo"]).toMatchObject({ Content: "我是Erin", Scene: 3 })
    expect(() => requestFriend(world, "wxid_alice", "wxid_bot1")).toThrow(/already a friend/)
    expect(() => requestFriend(world, "wxid_nobody", "wxid_bot1")).toThrow(/unknown person/)
  })

  it("refuses to accept with a wrong ticket, someone else's request or a bad list", async () => {
    world.addPerson({ wxid: "wxid_dave", nickName: "Dave" })
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const { ticket } = requestFriend(world, "wxid_dave", "wxid_bot1")
    const { ticket: bot2Ticket } = requestFriend(world, "wxid_dave", "wxid_bot2")
    const dave = userNameIn("wxid_bot1", "wxid_dave")

    const refusals = [
      verify(bot1, 3, [{ Value: dave, VerifyUserTicket: "v2_0000@stranger" }]),
      verify(bot1, 3, [{ Value: dave, VerifyUserTicket: bot2Ticket }]),
      verify(bot1, 3, [{ Value: userNameIn("wxid_bot1", "wxid_bob"), VerifyUserTicket: ticket }]),
      verify(bot1, 3, [{ Value: "@0123456789abcdef0123456789abcdef", VerifyUserTicket: ticket }]),
      verify(bot1, 3, []),
      verify(bot1, 1, [{ Value: dave, VerifyUserTicket: ticket }]),
      post(bot1, "webwxverifyuser", { Opcode: 3, VerifyUserList: "nope" }),
      post(bot1, "webwxverifyuser", { Opcode: 3, VerifyUserList: [{ Value: dave, VerifyUserTicket: 7 }] }),
    ]
    for (const answer of await Promise.all(refusals)) expect(answer).toEqual({ BaseResponse: { Ret: 1, ErrMsg: "" } })
    expect(world.account("wxid_bot1").friends.has("wxid_dave")).toBe(false)
    expect(world.account("wxid_bot1").activity.filter((a) => a.type === "verify")).toEqual([])

    const notJson = await bot1.browser.request(api(bot1, "webwxverifyuser"), { body: "{oops" })
    expect(JSON.parse(notJson.text)).toEqual({ BaseResponse: { Ret: 1200, ErrMsg: "" } })
    const wrongSid = await bot1.browser.postJson(api(bot1, "webwxverifyuser"), {
      BaseRequest: { ...baseRequest(bot1), Sid: "nope" },
      Opcode: 3,
      VerifyUserList: [{ Value: dave, VerifyUserTicket: ticket }],
    })
    expect(JSON.parse(wrongSid.text)).toEqual({ BaseResponse: { Ret: 1100, ErrMsg: "" } })

    // The request is still pending and can be accepted after all that.
    expect((await verify(bot1, 3, [{ Value: dave, VerifyUserTicket: ticket }])).BaseResponse.Ret).toBe(0)
  })

  it("sends a request to a stranger that stays pending until the stranger accepts", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const carol = userNameIn("wxid_bot1", "wxid_carol")
    expect(
      (await verify(bot1, 2, [{ Value: carol, VerifyUserTicket: "" }], "Hi Carol, from the hikers")).BaseResponse.Ret,
    ).toBe(0)
    expect(world.account("wxid_bot1").activity).toContainEqual(
      expect.objectContaining({ type: "verify", wxid: "wxid_carol", opcode: 2 }),
    )
    expect(world.account("wxid_bot1").friends.has("wxid_carol")).toBe(false)
    expect((await sync(bot1)).body.ModContactList).toEqual([])

    acceptOutgoingRequest(world, "wxid_carol", "wxid_bot1")
    const { body } = await sync(bot1)
    expect(body.ModContactList).toEqual([
      expect.objectContaining({ UserName: carol, NickName: "Carol", ContactFlag: 3 }),
    ])
    expect(notices(body.AddMsgList).map((m) => [m["FromUserName"], m["Content"]])).toEqual([
      [carol, "你已添加了Carol，现在可以开始聊天了。"],
    ])
    expect(world.account("wxid_bot1").friends.has("wxid_carol")).toBe(true)
    expect(() => acceptOutgoingRequest(world, "wxid_carol", "wxid_bot1")).toThrow(/no pending friend request/)
    expect(() => acceptOutgoingRequest(world, "wxid_bob", "wxid_bot1")).toThrow(/no pending friend request/)
  })

  it("asks an existing friend again without effect and refuses self, special accounts and rooms", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const alice = userNameIn("wxid_bot1", "wxid_alice")
    expect((await verify(bot1, 2, [{ Value: alice, VerifyUserTicket: "" }])).BaseResponse.Ret).toBe(0)
    expect(() => acceptOutgoingRequest(world, "wxid_alice", "wxid_bot1")).toThrow(/no pending/)
    expect(world.account("wxid_bot1").friends.get("wxid_alice")?.remarkName).toBe("Alice (work)")

    for (const value of [bot1.self, "filehelper", userNameIn("wxid_bot1", roomId), "wxid_nobody"]) {
      expect((await verify(bot1, 2, [{ Value: value, VerifyUserTicket: "" }])).BaseResponse.Ret).toBe(1)
    }
  })

  it("delivers a request between fleet accounts and tells both when it is accepted", async () => {
    world.addAccount({ wxid: "wxid_bot3", nickName: "Bot Three" })
    joinGroup(world, roomId, "wxid_alice", ["wxid_bot3"])
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const bot3 = await qrLogin(sim, "wxid_bot3")
    await sync(bot1)
    await sync(bot3)

    const asked = await verify(
      bot1,
      2,
      [{ Value: userNameIn("wxid_bot1", "wxid_bot3"), VerifyUserTicket: "" }],
      "Fleet says hi",
    )
    expect(asked.BaseResponse.Ret).toBe(0)
    const request = (await sync(bot3)).body.AddMsgList.find((m) => m["MsgType"] === 37)!
    const recommend = request["RecommendInfo"] as Record<string, string | number>
    expect(recommend).toMatchObject({ NickName: "Bot One", Content: "Fleet says hi", Scene: 33, OpCode: 2 })
    expect(recommend["UserName"]).toBe(userNameIn("wxid_bot3", "wxid_bot1"))

    const accepted = await verify(bot3, 3, [
      { Value: recommend["UserName"] as string, VerifyUserTicket: recommend["Ticket"] as string },
    ])
    expect(accepted.BaseResponse.Ret).toBe(0)
    expect(notices((await sync(bot3)).body.AddMsgList).map((m) => m["Content"])).toEqual([
      "你已添加了Bot One，现在可以开始聊天了。",
    ])
    const bot1Side = await sync(bot1)
    expect(notices(bot1Side.body.AddMsgList).map((m) => m["Content"])).toEqual([
      "你已添加了Bot Three，现在可以开始聊天了。",
    ])
    expect(bot1Side.body.ModContactList).toEqual([
      expect.objectContaining({ UserName: userNameIn("wxid_bot1", "wxid_bot3") }),
    ])
    expect(world.account("wxid_bot1").friends.has("wxid_bot3")).toBe(true)
    expect(world.account("wxid_bot3").friends.has("wxid_bot1")).toBe(true)
    expect(() => acceptOutgoingRequest(world, "wxid_bot3", "wxid_bot1")).toThrow(/no pending/)
  })
})

describe("webwxoplog", () => {
  it("sets a remark name (emoji as spans) and sends the friend's ModContact", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const bob = userNameIn("wxid_bot1", "wxid_bob")
    expect(await opLog(bot1, { UserName: bob, CmdId: 2, RemarkName: "Bobby 😀" })).toEqual({
      BaseResponse: { Ret: 0, ErrMsg: "" },
    })
    const { body } = await sync(bot1)
    expect(body.ModContactList).toEqual([
      expect.objectContaining({
        UserName: bob,
        RemarkName: 'Bobby <span class="emoji emoji1f600"></span>',
        ContactFlag: 3,
      }),
    ])
    expect(world.account("wxid_bot1").activity).toContainEqual(
      expect.objectContaining({ type: "remark", wxid: "wxid_bob", remarkName: "Bobby 😀" }),
    )
  })

  it("pins and unpins with ContactFlag 0x800, and a pin without RemarkName clears the remark", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const alice = userNameIn("wxid_bot1", "wxid_alice")
    expect((await opLog(bot1, { UserName: alice, CmdId: 3, OP: 1, RemarkName: "Alice (work)" })).BaseResponse.Ret).toBe(
      0,
    )
    expect((await sync(bot1)).body.ModContactList).toEqual([
      expect.objectContaining({ UserName: alice, ContactFlag: 2051, RemarkName: "Alice (work)" }),
    ])
    expect((await opLog(bot1, { UserName: alice, CmdId: 3, OP: 0 })).BaseResponse.Ret).toBe(0)
    expect((await sync(bot1)).body.ModContactList).toEqual([
      expect.objectContaining({ UserName: alice, ContactFlag: 3, RemarkName: "" }),
    ])
    const activity = world.account("wxid_bot1").activity.filter((a) => a.type === "pin" || a.type === "remark")
    expect(activity).toEqual([
      expect.objectContaining({ type: "pin", wxid: "wxid_alice", pinned: true }),
      expect.objectContaining({ type: "remark", wxid: "wxid_alice", remarkName: "" }),
      expect.objectContaining({ type: "pin", wxid: "wxid_alice", pinned: false }),
    ])
  })

  it("pins and unpins a room (an @@ UserName) with CmdId 3, as the official client's setTopContact", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const room = userNameIn("wxid_bot1", roomId)
    expect(room.startsWith("@@")).toBe(true)
    expect(await opLog(bot1, { UserName: room, CmdId: 3, OP: 1, RemarkName: "" })).toEqual({
      BaseResponse: { Ret: 0, ErrMsg: "" },
    })
    expect((await sync(bot1)).body.ModContactList).toEqual([
      expect.objectContaining({ UserName: room, ContactFlag: 2051, RemarkName: "" }),
    ])
    const batch = await post(bot1, "webwxbatchgetcontact", { Count: 1, List: [{ UserName: room, EncryChatRoomId: "" }] }, "type=ex&r=1")
    expect((batch as unknown as { ContactList: Array<Record<string, unknown>> }).ContactList).toEqual([
      expect.objectContaining({ UserName: room, ContactFlag: 2051 }),
    ])
    // The pin is the account's own: another fleet member of the room is not told.
    expect(world.account("wxid_bot2").log.filter((e) => e.type === "modContact")).toEqual([])

    expect(await opLog(bot1, { UserName: room, CmdId: 3, OP: 0 })).toEqual({ BaseResponse: { Ret: 0, ErrMsg: "" } })
    expect((await sync(bot1)).body.ModContactList).toEqual([expect.objectContaining({ UserName: room, ContactFlag: 3 })])
    const inspected = await fetch(`${sim.url}/__sim/accounts/wxid_bot1/activity?type=pin,remark`)
    const { activity } = (await inspected.json()) as { activity: Array<Record<string, unknown>> }
    expect(activity).toEqual([
      expect.objectContaining({ type: "pin", wxid: roomId, pinned: true }),
      expect.objectContaining({ type: "pin", wxid: roomId, pinned: false }),
    ])
  })

  it("refuses strangers, a room's remark, unknown commands and bad values", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const bob = userNameIn("wxid_bot1", "wxid_bob")
    const refusals = [
      { UserName: userNameIn("wxid_bot1", "wxid_carol"), CmdId: 2, RemarkName: "Caz" },
      { UserName: userNameIn("wxid_bot1", roomId), CmdId: 2, RemarkName: "Hikers" },
      { UserName: "@0123456789abcdef0123456789abcdef", CmdId: 2, RemarkName: "x" },
      { UserName: bob, CmdId: 5, RemarkName: "x" },
      { UserName: bob, CmdId: 3, OP: 2, RemarkName: "" },
      { UserName: bob, CmdId: 2, RemarkName: 42 },
      { CmdId: 2, RemarkName: "x" },
    ]
    for (const body of refusals) expect(await opLog(bot1, body)).toEqual({ BaseResponse: { Ret: 1, ErrMsg: "" } })
    const wrongSkey = await bot1.browser.postJson(api(bot1, "webwxoplog"), {
      BaseRequest: { ...baseRequest(bot1), Skey: "@crypt_0_0" },
      UserName: bob,
      CmdId: 2,
      RemarkName: "x",
    })
    expect(JSON.parse(wrongSkey.text)).toEqual({ BaseResponse: { Ret: 1101, ErrMsg: "" } })
    expect(world.account("wxid_bot1").activity.filter((a) => a.type === "remark" || a.type === "pin")).toEqual([])
    expect((await sync(bot1)).body.ModContactList).toEqual([])
  })
})
