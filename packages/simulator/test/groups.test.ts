import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { joinGroup, leaveGroup, removeFromGroup, renameGroup, type Simulator, type World } from "../src/index.js"
import { startWorld } from "./support/fixtures.js"
import { api, baseRequest, qrLogin, sync, type LoggedIn, type SyncAnswer } from "./support/webClient.js"

const ALICE = 'Alice<span class="emoji emoji1f604"></span>'

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

type Answer = {
  BaseResponse: { Ret: number; ErrMsg: string }
  MemberCount: number
  MemberList: Array<Record<string, unknown>>
  ChatRoomName?: string
}

const post = async (c: LoggedIn, endpoint: string, body: Record<string, unknown>, query: string): Promise<Answer> =>
  JSON.parse(
    (await c.browser.postJson(api(c, endpoint, query), { ...body, BaseRequest: baseRequest(c) })).text,
  ) as Answer

const create = (c: LoggedIn, userNames: ReadonlyArray<string>, topic = "") =>
  post(
    c,
    "webwxcreatechatroom",
    { MemberCount: userNames.length, MemberList: userNames.map((UserName) => ({ UserName })), Topic: topic },
    `r=${Date.now()}`,
  )

const update = (c: LoggedIn, fun: string, body: Record<string, unknown>) =>
  post(c, "webwxupdatechatroom", { ChatRoomName: userNameIn(c, roomId), ...body }, `fun=${fun}`)

/** The UserName a logged-in client's session uses for a wxid. */
const userNameIn = (c: LoggedIn, wxid: string): string => world.sessionsBySid.get(c.sid)!.userName(wxid)

/** The room's system notices in a sync answer, as [from, content]; they never carry a sender prefix. */
const notices = ({ body }: SyncAnswer) =>
  body.AddMsgList.filter((m) => m["MsgType"] === 10000).map((m) => [m["FromUserName"], m["Content"]])

const roomUpdate = (answer: SyncAnswer, c: LoggedIn, room = roomId) =>
  answer.body.ModContactList.find((m) => m["UserName"] === userNameIn(c, room))

const memberNames = (contact: Record<string, unknown> | undefined) =>
  (contact?.["MemberList"] as Array<Record<string, unknown>> | undefined)?.map((m) => m["NickName"])

const OK: Answer = { BaseResponse: { Ret: 0, ErrMsg: "" }, MemberCount: 0, MemberList: [] }
const refused = (ret: number): Answer => ({ BaseResponse: { Ret: ret, ErrMsg: "" }, MemberCount: 0, MemberList: [] })

describe("webwxcreatechatroom", () => {
  it("creates a group owned by the account and tells the fleet members", async () => {
    const [bot1, bot2] = await Promise.all([qrLogin(sim, "wxid_bot1"), qrLogin(sim, "wxid_bot2")])
    const members = ["wxid_alice", "wxid_bob", "wxid_bot2"].map((wxid) => userNameIn(bot1, wxid))
    const answer = await create(bot1, members, "Trip 🚀")
    expect(Object.keys(answer)).toEqual([
      "BaseResponse",
      "Topic",
      "PYInitial",
      "QuanPin",
      "MemberCount",
      "MemberList",
      "ChatRoomName",
      "BlackList",
    ])
    expect(answer).toMatchObject({
      BaseResponse: { Ret: 0, ErrMsg: "Everything is OK" },
      Topic: 'Trip <span class="emoji emoji1f680"></span>',
      PYInitial: "",
      QuanPin: "",
      MemberCount: 3,
      ChatRoomName: expect.stringMatching(/^@@[0-9a-f]{64}$/),
      BlackList: "",
    })
    expect(answer.MemberList.map((m) => [m["UserName"], m["NickName"], m["MemberStatus"]])).toEqual([
      [members[0], ALICE, 0],
      [members[1], "Bob", 0],
      [members[2], "Bot Two", 0],
    ])

    const room = [...world.groups.values()].find((g) => g.topic.startsWith("Trip"))!
    expect(room.owner).toBe("wxid_bot1")
    expect(room.members.map((m) => m.wxid)).toEqual(["wxid_bot1", "wxid_alice", "wxid_bob", "wxid_bot2"])
    expect(userNameIn(bot1, room.roomId)).toBe(answer.ChatRoomName)

    const bot1Sync = await sync(bot1)
    expect(roomUpdate(bot1Sync, bot1, room.roomId)).toMatchObject({ ChatRoomOwner: bot1.self, MemberCount: 4 })
    expect(notices(bot1Sync)).toEqual([[userNameIn(bot1, room.roomId), `你邀请"${ALICE}、Bob、Bot Two"加入了群聊  `]])
    const bot2Sync = await sync(bot2)
    expect(roomUpdate(bot2Sync, bot2, room.roomId)).toMatchObject({ ChatRoomOwner: userNameIn(bot2, "wxid_bot1") })
    expect(notices(bot2Sync)).toEqual([[userNameIn(bot2, room.roomId), `"Bot One"邀请你和"${ALICE}、Bob"加入了群聊`]])
    expect(world.account("wxid_bot2").groups.has(room.roomId)).toBe(true)
    expect(world.account("wxid_bot1").activity).toContainEqual(
      expect.objectContaining({ type: "group", op: "create", roomId: room.roomId, topic: "Trip 🚀" }),
    )
  })

  it("refuses fewer than two others, special and official accounts, and unknown names", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const alice = userNameIn(bot1, "wxid_alice")
    const bob = userNameIn(bot1, "wxid_bob")
    const attempts = [
      create(bot1, [alice]),
      create(bot1, [alice, alice]),
      create(bot1, [alice, "filehelper"]),
      create(bot1, [alice, userNameIn(bot1, "gh_news")]),
      create(bot1, [alice, "@0123456789abcdef0123456789abcdef"]),
      create(bot1, [alice, bot1.self]),
      post(bot1, "webwxcreatechatroom", { MemberList: "nope" }, ""),
      post(bot1, "webwxcreatechatroom", { MemberList: [{ UserName: alice }, { UserName: bob }], Topic: 7 }, ""),
    ]
    for (const answer of await Promise.all(attempts)) {
      expect(answer).toEqual({
        BaseResponse: { Ret: 1, ErrMsg: "" },
        Topic: "",
        PYInitial: "",
        QuanPin: "",
        MemberCount: 0,
        MemberList: [],
        ChatRoomName: "",
        BlackList: "",
      })
    }
    const wrongSid = await bot1.browser.postJson(api(bot1, "webwxcreatechatroom"), {
      BaseRequest: { ...baseRequest(bot1), Sid: "nope" },
      MemberList: [{ UserName: alice }, { UserName: bob }],
    })
    expect(JSON.parse(wrongSid.text)).toMatchObject({ BaseResponse: { Ret: 1100 }, ChatRoomName: "" })
    expect(world.groups.size).toBe(1)
    expect((await sync(bot1)).body.ModContactList).toEqual([])
  })
})

describe("webwxupdatechatroom", () => {
  it("adds members, answering with them, and tells every fleet member", async () => {
    const [bot1, bot2] = await Promise.all([qrLogin(sim, "wxid_bot1"), qrLogin(sim, "wxid_bot2")])
    const answer = await update(bot1, "addmember", { AddMemberList: userNameIn(bot1, "wxid_bob") })
    expect(answer.BaseResponse.Ret).toBe(0)
    expect(answer.MemberCount).toBe(1)
    expect(answer.MemberList).toEqual([
      expect.objectContaining({ UserName: userNameIn(bot1, "wxid_bob"), NickName: "Bob", MemberStatus: 0 }),
    ])
    const bot1Sync = await sync(bot1)
    expect(notices(bot1Sync)).toEqual([[userNameIn(bot1, roomId), `你邀请"Bob"加入了群聊  `]])
    const bot2Sync = await sync(bot2)
    expect(notices(bot2Sync)).toEqual([[userNameIn(bot2, roomId), `"Bot One"邀请"Bob"加入了群聊`]])
    expect(memberNames(roomUpdate(bot2Sync, bot2))).toEqual(["Bot One", ALICE, "Carol", "Bot Two", "Bob"])
    expect(world.account("wxid_bot1").activity).toContainEqual(
      expect.objectContaining({ type: "group", op: "addmember", roomId, members: ["wxid_bob"] }),
    )

    for (const list of [userNameIn(bot1, "wxid_alice"), "filehelper", `${userNameIn(bot1, "wxid_bob")},@00ff`, ""]) {
      expect(await update(bot1, "addmember", { AddMemberList: list })).toEqual(refused(1))
    }
  })

  it("requires invitemember once the room would reach 40 members", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const people = Array.from({ length: 36 }, (_, i) => `wxid_p${i}`)
    for (const [n, wxid] of people.entries()) {
      world.addPerson({ wxid, nickName: `P${n}` })
      world.befriend("wxid_bot1", wxid)
    }
    const names = (wxids: ReadonlyArray<string>) => wxids.map((wxid) => userNameIn(bot1, wxid)).join(",")

    expect(await update(bot1, "addmember", { AddMemberList: names(people) })).toEqual(refused(1))
    expect((await update(bot1, "addmember", { AddMemberList: names(people.slice(0, 35)) })).MemberCount).toBe(35)
    expect(await update(bot1, "addmember", { AddMemberList: names(people.slice(35)) })).toEqual(refused(1))
    expect(await update(bot1, "invitemember", { InviteMemberList: names(people.slice(35)) })).toEqual(OK)
    expect(world.group(roomId).members).toHaveLength(40)
    const { body } = await sync(bot1)
    expect(body.AddMsgList.map((m) => m["Content"]).at(-1)).toBe(`你邀请"P35"加入了群聊  `)
    expect(world.account("wxid_bot1").activity).toContainEqual(
      expect.objectContaining({ type: "group", op: "invitemember", members: ["wxid_p35"] }),
    )
  })

  it("lets the owner remove members: the remover is told, a removed account loses the room", async () => {
    const [bot1, bot2] = await Promise.all([qrLogin(sim, "wxid_bot1"), qrLogin(sim, "wxid_bot2")])
    expect(await update(bot1, "delmember", { DelMemberList: userNameIn(bot1, "wxid_carol") })).toEqual(OK)
    const bot1Sync = await sync(bot1)
    expect(notices(bot1Sync)).toEqual([[userNameIn(bot1, roomId), `你将"Carol"移出了群聊`]])
    const bot2Sync = await sync(bot2)
    expect(notices(bot2Sync)).toEqual([])
    expect(memberNames(roomUpdate(bot2Sync, bot2))).toEqual(["Bot One", ALICE, "Bot Two"])

    expect(await update(bot1, "delmember", { DelMemberList: userNameIn(bot1, "wxid_bot2") })).toEqual(OK)
    const removed = await sync(bot2)
    expect(notices(removed)).toEqual([[userNameIn(bot2, roomId), `你被"Bot One"移出群聊`]])
    expect(removed.body.DelContactList).toEqual([{ UserName: userNameIn(bot2, roomId), ContactFlag: 0 }])
    expect(world.account("wxid_bot2").groups.has(roomId)).toBe(false)
    expect(world.account("wxid_bot1").activity.filter((a) => a.type === "group")).toEqual([
      expect.objectContaining({ op: "delmember", members: ["wxid_carol"] }),
      expect.objectContaining({ op: "delmember", members: ["wxid_bot2"] }),
    ])

    for (const list of [userNameIn(bot1, "wxid_carol"), bot1.self, ""]) {
      expect(await update(bot1, "delmember", { DelMemberList: list })).toEqual(refused(1))
    }
  })

  it("answers -2 when a member who does not own the room removes someone", async () => {
    const bot2 = await qrLogin(sim, "wxid_bot2")
    expect(await update(bot2, "delmember", { DelMemberList: userNameIn(bot2, "wxid_alice") })).toEqual(refused(-2))
    expect(world.group(roomId).members).toHaveLength(4)
    expect(world.account("wxid_bot2").activity).toEqual([])
  })

  it("renames the group for every fleet member", async () => {
    const [bot1, bot2] = await Promise.all([qrLogin(sim, "wxid_bot1"), qrLogin(sim, "wxid_bot2")])
    expect(await update(bot2, "modtopic", { NewTopic: "Trail run" })).toEqual(OK)
    const bot2Sync = await sync(bot2)
    expect(notices(bot2Sync)).toEqual([[userNameIn(bot2, roomId), "你修改群名为“Trail run”"]])
    const bot1Sync = await sync(bot1)
    expect(notices(bot1Sync)).toEqual([[userNameIn(bot1, roomId), `"Bot Two"修改群名为“Trail run”`]])
    expect(roomUpdate(bot1Sync, bot1)).toMatchObject({ NickName: "Trail run" })
    expect(world.account("wxid_bot2").activity).toContainEqual(
      expect.objectContaining({ type: "group", op: "modtopic", roomId, topic: "Trail run" }),
    )
    expect(await update(bot2, "modtopic", {})).toEqual(refused(1))
  })

  it("refuses unknown functions and rooms the account is not in", async () => {
    const bot1 = await qrLogin(sim, "wxid_bot1")
    const other = world.addGroup({ topic: "Elsewhere", owner: "wxid_alice", members: ["wxid_bob", "wxid_carol"] })
    const alice = userNameIn(bot1, "wxid_alice")
    expect(await update(bot1, "quitchatroom", {})).toEqual(refused(1))
    expect(await update(bot1, "frobnicate", { NewTopic: "x" })).toEqual(refused(1))
    expect(await update(bot1, "modtopic", { ChatRoomName: other.roomId, NewTopic: "x" })).toEqual(refused(1))
    expect(await update(bot1, "modtopic", { ChatRoomName: "@@00ff", NewTopic: "x" })).toEqual(refused(1))
    expect(await update(bot1, "addmember", { ChatRoomName: 5, AddMemberList: alice })).toEqual(refused(1))
    const notJson = await bot1.browser.request(api(bot1, "webwxupdatechatroom", "fun=modtopic"), { body: "[]" })
    expect(JSON.parse(notJson.text)).toEqual(refused(1200))
    expect(world.group(other.roomId).topic).toBe("Elsewhere")
    expect(world.group(roomId).topic).toBe("Weekend hikers")
  })
})

describe("group changes made from phones", () => {
  it("announces joins as each fleet member sees them", async () => {
    world.addAccount({ wxid: "wxid_bot3", nickName: "Bot Three" })
    world.addPerson({ wxid: "wxid_dave", nickName: "Dave" })
    const [bot1, bot2, bot3] = await Promise.all([
      qrLogin(sim, "wxid_bot1"),
      qrLogin(sim, "wxid_bot2"),
      qrLogin(sim, "wxid_bot3"),
    ])

    joinGroup(world, roomId, "wxid_alice", ["wxid_bob", "wxid_bot3"])
    expect(notices(await sync(bot1))).toEqual([[userNameIn(bot1, roomId), `"${ALICE}"邀请"Bob、Bot Three"加入了群聊`]])
    const bot3Sync = await sync(bot3)
    expect(notices(bot3Sync)).toEqual([[userNameIn(bot3, roomId), `"${ALICE}"邀请你和"Bob"加入了群聊`]])
    expect(roomUpdate(bot3Sync, bot3)).toMatchObject({ NickName: "Weekend hikers", MemberCount: 6 })
    expect(world.account("wxid_bot3").groups.has(roomId)).toBe(true)

    joinGroup(world, roomId, "wxid_bot2", ["wxid_dave"])
    const bot2Sync = await sync(bot2)
    expect(notices(bot2Sync).at(-1)).toEqual([userNameIn(bot2, roomId), `你邀请"Dave"加入了群聊  `])

    expect(() => joinGroup(world, roomId, "wxid_dave", ["wxid_alice"])).toThrow(/already a member/)
    expect(() => joinGroup(world, roomId, "wxid_gone", ["wxid_carol"])).toThrow(/not a member/)
    expect(() => joinGroup(world, roomId, "wxid_alice", ["wxid_nobody"])).toThrow(/unknown person/)
    expect(() => joinGroup(world, "1@chatroom", "wxid_alice", ["wxid_bob"])).toThrow(/unknown group/)
  })

  it("lets members leave quietly and hands a departing owner's group on", async () => {
    const [bot1, bot2] = await Promise.all([qrLogin(sim, "wxid_bot1"), qrLogin(sim, "wxid_bot2")])
    leaveGroup(world, roomId, "wxid_bot2")
    const left = await sync(bot2)
    expect(left.body.DelContactList).toEqual([{ UserName: userNameIn(bot2, roomId), ContactFlag: 0 }])
    expect(notices(left)).toEqual([])
    const bot1Sync = await sync(bot1)
    expect(notices(bot1Sync)).toEqual([])
    expect(memberNames(roomUpdate(bot1Sync, bot1))).toEqual(["Bot One", ALICE, "Carol"])

    leaveGroup(world, roomId, "wxid_bot1")
    expect(world.group(roomId).owner).toBe("wxid_alice")
    expect((await sync(bot1)).body.DelContactList).toEqual([{ UserName: userNameIn(bot1, roomId), ContactFlag: 0 }])
    expect(() => leaveGroup(world, roomId, "wxid_bot1")).toThrow(/not a member/)
  })

  it("removes a member on the owner's word and tells both of them", async () => {
    const [bot1, bot2] = await Promise.all([qrLogin(sim, "wxid_bot1"), qrLogin(sim, "wxid_bot2")])
    expect(() => removeFromGroup(world, roomId, "wxid_alice", "wxid_carol")).toThrow(/does not own/)
    expect(() => removeFromGroup(world, roomId, "wxid_bot1", "wxid_bob")).toThrow(/cannot be removed/)
    removeFromGroup(world, roomId, "wxid_bot1", "wxid_bot2")
    const removed = await sync(bot2)
    expect(notices(removed)).toEqual([[userNameIn(bot2, roomId), `你被"Bot One"移出群聊`]])
    expect(removed.body.DelContactList).toHaveLength(1)
    expect(notices(await sync(bot1))).toEqual([[userNameIn(bot1, roomId), `你将"Bot Two"移出了群聊`]])
  })

  it("renames with the changer's name and the topic in curly quotes", async () => {
    const [bot1, bot2] = await Promise.all([qrLogin(sim, "wxid_bot1"), qrLogin(sim, "wxid_bot2")])
    renameGroup(world, roomId, "wxid_alice", "dong")
    for (const c of [bot1, bot2]) {
      const answer = await sync(c)
      expect(notices(answer)).toEqual([[userNameIn(c, roomId), `"${ALICE}"修改群名为“dong”`]])
      expect(roomUpdate(answer, c)).toMatchObject({ NickName: "dong" })
    }
    expect(() => renameGroup(world, roomId, "wxid_bob", "nope")).toThrow(/not a member/)
  })
})
