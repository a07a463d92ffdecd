import { once } from "node:events"
import { afterAll, assert, describe, it } from "vitest"
import { Browser } from "./support/browser.js"
import { startWorld } from "./support/fixtures.js"
import { api, baseRequest, CGI, drain, qrLogin, sync, synccheck, type LoggedIn } from "./support/webClient.js"

const { sim, world } = await startWorld({ syncHoldMs: 400, syncBatchSize: 5 })
afterAll(() => sim.close())

const text = (content: string) => ({ MsgType: 1, Content: content })

/** Logs in and drains what the login itself produced, so each test starts from a quiet session. */
const quietLogin = async (account = "wxid_bot1"): Promise<LoggedIn> => {
  const c = await qrLogin(sim, account)
  await drain(c)
  return c
}

describe("webwxinit", () => {
  it("answers the account, its recent chats, a four-entry SyncKey and server-style JSON", async () => {
    const c = await qrLogin(sim, "wxid_bot1")
    const init = c.init as Record<string, unknown> & { User: Record<string, unknown>; SyncKey: { Count: number } }
    assert.strictEqual(init.User["NickName"], "Bot One")
    assert.strictEqual(init.User["Uin"], Number(c.uin))
    assert.strictEqual(init.SyncKey.Count, 4)
    assert.match(init["ChatSet"] as string, /^filehelper,@@[0-9a-f]{64},.*,$/)
    assert.strictEqual(init["InviteStartCount"], 40)
    const raw = await c.browser.postJson(api(c, "webwxinit", "r=1"), { BaseRequest: baseRequest(c) })
    assert.include(raw.text, "}\n,", "a newline before the comma after a nested object")
  })

  it("answers 1100 for an unknown sid, 1101 for a wrong skey or uin, 1102 without the cookies", async () => {
    const c = await qrLogin(sim, "wxid_bot1")
    const retOf = async (browser: Browser, base: object) =>
      (JSON.parse((await browser.postJson(api(c, "webwxinit", "r=1"), { BaseRequest: base })).text) as {
        BaseResponse: { Ret: number }
      }).BaseResponse.Ret
    assert.strictEqual(await retOf(c.browser, { ...baseRequest(c), Sid: "nope" }), 1100)
    assert.strictEqual(await retOf(c.browser, { ...baseRequest(c), Skey: "@crypt_0_0" }), 1101)
    assert.strictEqual(await retOf(c.browser, { ...baseRequest(c), Uin: 1 }), 1101)
    assert.strictEqual(await retOf(new Browser(sim.url), baseRequest(c)), 1102)
    assert.strictEqual(await retOf(c.browser, { ...baseRequest(c), Uin: String(c.uin) }), 0, "Uin may be a string")
    const notJson = await c.browser.request(api(c, "webwxinit", "r=1"), { body: "{not json" })
    assert.include(notJson.text, `"Ret":1200`)
  })

  it("is answered 1100 on another home host", async () => {
    const c = await qrLogin(sim, "wxid_bot1")
    const res = await c.browser.postJson(`https://wx8.qq.com${CGI}/webwxinit?r=1`, { BaseRequest: baseRequest(c) })
    assert.include(res.text, `"Ret":1100`)
  })
})

describe("synccheck", () => {
  it("holds while nothing is pending and answers selector 0, with no trailing semicolon", async () => {
    const c = await quietLogin()
    const started = Date.now()
    const answer = await synccheck(c)
    assert.strictEqual(answer.raw, `window.synccheck={retcode:"0",selector:"0"}`)
    assert.isAtLeast(Date.now() - started, 350)
  })

  it("answers a held poll at once when a message arrives", async () => {
    const c = await quietLogin()
    const held = once(world.events, "pollHeld")
    const pending = synccheck(c)
    await held
    world.say("wxid_alice", "wxid_bot1", text("are you there?"))
    assert.deepStrictEqual(await pending, { retcode: "0", selector: "2", raw: `window.synccheck={retcode:"0",selector:"2"}` })
  })

  it("answers selector 4 when only contacts changed", async () => {
    const c = await quietLogin()
    world.person("wxid_bob").nickName = "Bobby"
    world.contactChanged("wxid_bob")
    assert.strictEqual((await synccheck(c)).selector, "4")
    const { body } = await sync(c)
    assert.strictEqual(body.ModContactList[0]!["NickName"], "Bobby")
  })

  it("checks sid, skey, uin and cookies: 1100, 1101, 1102, and 1101 for a session replaced by a new login", async () => {
    const c = await quietLogin()
    const retcodeOf = async (changes: Partial<LoggedIn>) => (await synccheck({ ...c, ...changes })).retcode
    assert.strictEqual(await retcodeOf({ sid: "nope" }), "1100")
    assert.strictEqual(await retcodeOf({ skey: "@crypt_0_0" }), "1101")
    assert.strictEqual(await retcodeOf({ uin: "1" }), "1101")
    assert.strictEqual(await retcodeOf({ browser: new Browser(sim.url) }), "1102")
    const newer = await quietLogin()
    assert.strictEqual(await retcodeOf({}), "1101")
    world.say("wxid_alice", "wxid_bot1", text("to the new session"))
    assert.strictEqual((await synccheck(newer)).selector, "2")
  })

  it("is served by the home's webpush hosts and answered 1100 by a host that does not serve the account", async () => {
    const c = await quietLogin()
    world.say("wxid_alice", "wxid_bot1", text("ping"))
    assert.strictEqual((await synccheck(c, "webpush2.wx2.qq.com")).selector, "2")
    assert.strictEqual((await synccheck(c, "webpush.web.wechat.com")).retcode, "1100")
  })

  it("resets the connection of a host that is down, and of held polls when it goes down", async () => {
    const c = await quietLogin()
    sim.faults.hostDown("webpush.wx2.qq.com")
    try {
      await assertRejects(synccheck(c))
      // Another webpush host of the same home still answers.
      world.say("wxid_alice", "wxid_bot1", text("still here"))
      assert.strictEqual((await synccheck(c, "webpush1.wx2.qq.com")).selector, "2")
    } finally {
      sim.faults.hostUp("webpush.wx2.qq.com")
    }
    await drain(c)
    const held = once(world.events, "pollHeld")
    const pending = synccheck(c)
    await held
    sim.faults.hostDown("webpush.wx2.qq.com")
    await assertRejects(pending)
    sim.faults.hostUp("webpush.wx2.qq.com")
  })

  it("drops held polls on demand", async () => {
    const c = await quietLogin()
    const held = once(world.events, "pollHeld")
    const pending = synccheck(c)
    await held
    assert.strictEqual(sim.faults.dropLongPolls({ account: "wxid_bot1" }), 1)
    await assertRejects(pending)
  })

  it("answers a held poll with the retcode when the phone logs the session out", async () => {
    const c = await quietLogin()
    const held = once(world.events, "pollHeld")
    const pending = synccheck(c)
    await held
    world.logout("wxid_bot1", 1102)
    assert.strictEqual((await pending).retcode, "1102")
    const { body } = await sync(c)
    assert.strictEqual(body.BaseResponse.Ret, 1102)
  })
})

describe("webwxsync", () => {
  it("delivers messages with MsgId as a string and NewMsgId as a bare integer above 2^53", async () => {
    const c = await quietLogin()
    world.say("wxid_alice", "wxid_bot1", text("hello &lt;world&gt;"))
    const { raw, body } = await sync(c)
    const message = body.AddMsgList[0]!
    const msgId = message["MsgId"] as string
    assert.match(msgId, /^\d{19}$/)
    assert.isAbove(Number(msgId), 2 ** 53)
    assert.include(raw, `"NewMsgId":${msgId}`)
    assert.strictEqual(message["Content"], "hello &lt;world&gt;")
    assert.strictEqual(message["FileSize"], "")
    assert.strictEqual(message["ToUserName"], c.self)
    assert.strictEqual((body["SyncCheckKey"] as { Count: number }).Count, 10)
  })

  it("delivers a backlog in batches with ContinueFlag", async () => {
    const c = await quietLogin()
    for (let i = 0; i < 12; i++) world.say("wxid_bob", "wxid_bot1", text(`m${i}`))
    const first = await sync(c)
    assert.strictEqual(first.body.AddMsgList.length, 5)
    assert.strictEqual(first.body.ContinueFlag, 1)
    const rest = await drain(c)
    assert.deepStrictEqual(
      [...first.body.AddMsgList, ...rest].map((m) => m["Content"]),
      Array.from({ length: 12 }, (_, i) => `m${i}`),
    )
  })

  it("redelivers after an older key of the same session, and gives nothing new for a key it never issued", async () => {
    const c = await quietLogin()
    const before = c.syncKey
    world.say("wxid_alice", "wxid_bot1", text("once"))
    assert.strictEqual((await sync(c)).body.AddMsgList.length, 1)
    c.syncKey = before
    const again = await sync(c)
    assert.strictEqual(again.body.AddMsgList[0]!["Content"], "once", "a client that lost its key gets the batch again")

    world.say("wxid_alice", "wxid_bot1", text("not for a forged key"))
    c.syncKey = { Count: 1, List: [{ Key: 1, Val: 123 }] }
    const forged = await sync(c)
    assert.strictEqual(forged.body.BaseResponse.Ret, 0)
    assert.strictEqual(forged.body.AddMsgList.length, 0)
    assert.strictEqual((forged.body["SyncKey"] as { Count: number }).Count, 0)
  })

  it("starts a new session where the last one confirmed, so messages sent while offline arrive", async () => {
    const c = await quietLogin()
    world.logout("wxid_bot1", 1101)
    world.say("wxid_alice", "wxid_bot1", text("while you were away"))
    const next = await qrLogin(sim, "wxid_bot1")
    const messages = await drain(next)
    assert.include(messages.map((m) => m["Content"]), "while you were away")
    assert.notStrictEqual(next.sid, c.sid)
  })

  it("answers webwxstatusnotify with a MsgID and the phone's StatusNotify (code 4) follows", async () => {
    const c = await quietLogin()
    const res = await c.browser.postJson(api(c, "webwxstatusnotify", "lang=zh_CN"), {
      BaseRequest: baseRequest(c),
      Code: 3,
      FromUserName: c.self,
      ToUserName: c.self,
      ClientMsgId: Date.now(),
    })
    assert.match(res.text, /"MsgID":"\d{19}"/)
    const [notify] = await drain(c)
    assert.strictEqual(notify!["MsgType"], 51)
    assert.strictEqual(notify!["StatusNotifyCode"], 4)
    assert.match(notify!["StatusNotifyUserName"] as string, /^filehelper,@@[0-9a-f]{64}/)
    assert.include(notify!["Content"] as string, "&lt;op id='4'&gt;")
  })

  it("answers a malformed body when told to, then recovers", async () => {
    const c = await quietLogin()
    sim.faults.malformNext({ path: "/webwxsync", kind: "truncated" })
    await assertRejects(sync(c))
    assert.strictEqual((await sync(c)).body.BaseResponse.Ret, 0)
  })

  it("ends the session on webwxlogout", async () => {
    const c = await quietLogin()
    const form = `sid=${encodeURIComponent(c.sid)}&uin=${c.uin}`
    const res = await c.browser.request(`https://${c.home}${CGI}/webwxlogout?redirect=1&type=0&skey=${encodeURIComponent(c.skey)}`, {
      body: form,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    })
    assert.strictEqual(res.status, 302)
    assert.strictEqual((await sync(c)).body.BaseResponse.Ret, 1100)
  })
})

describe("contacts", () => {
  it("pages webwxgetcontact by opaque Seq values until Seq is 0", async () => {
    const small = await startWorld({ contactPageSize: 2 })
    try {
      const c = await qrLogin(small.sim, "wxid_bot1")
      const names: Array<string> = []
      let seq = 0
      let pages = 0
      do {
        const res = await c.browser.request(api(c, "webwxgetcontact", `r=1&seq=${seq}&skey=${encodeURIComponent(c.skey)}`))
        const body = JSON.parse(res.text) as { MemberList: Array<{ NickName: string }>; Seq: number }
        names.push(...body.MemberList.map((m) => m.NickName))
        assert.notStrictEqual(body.Seq, names.length, "Seq is not a plain offset")
        seq = body.Seq
        pages++
      } while (seq !== 0)
      assert.isAbove(pages, 2)
      assert.includeMembers(names, ["文件传输助手", "微信团队", "Bob", "News Daily", "Bot Two", "Weekend hikers"])
      const bad = await c.browser.request(api(c, "webwxgetcontact", `r=1&seq=77&skey=${encodeURIComponent(c.skey)}`))
      assert.include(bad.text, `"Ret":1`)
    } finally {
      await small.sim.close()
    }
  })

  it("returns a room with its members, a stranger only with the room's id, and refuses more than 50", async () => {
    const c = await quietLogin()
    const init = c.init as { ContactList: Array<{ UserName: string; NickName: string }> }
    const room = init.ContactList.find((x) => x.NickName === "Weekend hikers")!.UserName
    const batch = async (list: Array<object>) =>
      JSON.parse((await c.browser.postJson(api(c, "webwxbatchgetcontact", "type=ex&r=1"), {
        BaseRequest: baseRequest(c),
        Count: list.length,
        List: list,
      })).text) as { BaseResponse: { Ret: number }; ContactList: Array<Record<string, unknown>> }
    const rooms = await batch([{ UserName: room, EncryChatRoomId: "" }])
    const detail = rooms.ContactList[0]!
    const members = detail["MemberList"] as Array<{ UserName: string; DisplayName: string }>
    assert.strictEqual(members.length, 4)
    assert.strictEqual(detail["MemberCount"], 4)
    assert.strictEqual(detail["IsOwner"], 1)
    assert.match(detail["EncryChatRoomId"] as string, /^@[0-9a-f]{32}$/)
    assert.include(members.map((m) => m.DisplayName), "Caz")

    const carol = members.find((m) => m.DisplayName === "Caz")!.UserName
    assert.strictEqual((await batch([{ UserName: carol, EncryChatRoomId: "" }])).ContactList.length, 0)
    const withRoom = await batch([{ UserName: carol, EncryChatRoomId: room }])
    assert.strictEqual(withRoom.ContactList[0]!["NickName"], "Carol")
    assert.strictEqual(withRoom.ContactList[0]!["ContactFlag"], 0)

    const tooMany = await batch(Array.from({ length: 51 }, () => ({ UserName: carol, EncryChatRoomId: room })))
    assert.strictEqual(tooMany.BaseResponse.Ret, 1)
    assert.strictEqual(tooMany.ContactList.length, 0)
  })
})

describe("faults", () => {
  it("adds latency to a host", async () => {
    const c = await quietLogin()
    sim.faults.setLatency(c.home, 150)
    const started = Date.now()
    await sync(c)
    sim.faults.setLatency(c.home, 0)
    assert.isAtLeast(Date.now() - started, 140)
  })

  it("answers an unknown host with 502 and an unknown path with 404, never a crash", async () => {
    const browser = new Browser(sim.url)
    assert.strictEqual((await browser.request("https://nowhere.example.com/x")).status, 502)
    assert.strictEqual((await browser.request(`https://wx2.qq.com${CGI}/webwxnothing`)).status, 404)
  })
})

const assertRejects = async (promise: Promise<unknown>): Promise<void> => {
  try {
    await promise
  } catch {
    return
  }
  assert.fail("expected a failure")
}
