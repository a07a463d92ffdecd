import { once } from "node:events"
import { afterAll, assert, describe, it } from "vitest"
import { startWorld } from "./support/fixtures.js"
import { api, baseRequest, drain, qrLogin, synccheck, type LoggedIn } from "./support/webClient.js"

const { sim, world, group } = await startWorld()
afterAll(() => sim.close())

const bot1 = await qrLogin(sim, "wxid_bot1")
const bot2 = await qrLogin(sim, "wxid_bot2")
await drain(bot1)
await drain(bot2)

interface SendAnswer {
  BaseResponse: { Ret: number; ErrMsg: string }
  MsgID: string
  LocalID: string
}

/** The UserName an account's current session uses for a wxid (what its contact list shows). */
const nameIn = (account: string, wxid: string): string =>
  world.account(account).session!.userName(wxid)

let localIds = 0
const nextLocalId = (): string => `${Date.now()}${String(++localIds % 10_000).padStart(4, "0")}`

const sendText = async (
  c: LoggedIn,
  to: string,
  content: string,
  msg: Record<string, unknown> = {},
) => {
  const localId = nextLocalId()
  const res = await c.browser.postJson(api(c, "webwxsendmsg", "lang=zh_CN"), {
    BaseRequest: baseRequest(c),
    Msg: {
      Type: 1,
      Content: content,
      FromUserName: c.self,
      ToUserName: to,
      LocalID: localId,
      ClientMsgId: localId,
      ...msg,
    },
    Scene: 0,
  })
  return { raw: res.text, body: JSON.parse(res.text) as SendAnswer, localId }
}

const revoke = async (c: LoggedIn, svrMsgId: string, to: string) => {
  const res = await c.browser.postJson(api(c, "webwxrevokemsg"), {
    BaseRequest: baseRequest(c),
    SvrMsgId: svrMsgId,
    ToUserName: to,
    ClientMsgId: nextLocalId(),
  })
  return {
    raw: res.text,
    body: JSON.parse(res.text) as { BaseResponse: { Ret: number }; SysWording: string },
  }
}

const withMsgId = (messages: Array<Record<string, unknown>>, msgId: string) =>
  messages.filter((m) => m["MsgId"] === msgId)

describe("webwxsendmsg", () => {
  it("answers MsgID and the client's LocalID and delivers the escaped text to the other fleet account", async () => {
    const sent = await sendText(
      bot1,
      nameIn("wxid_bot1", "wxid_bot2"),
      "1 < 2 && 3 > 2\nsecond line 😄",
    )
    assert.match(
      sent.raw,
      new RegExp(
        `^\\{"BaseResponse":\\{"Ret":0,"ErrMsg":""\\}\\n,"MsgID":"\\d{19}","LocalID":"${sent.localId}"\\}$`,
      ),
    )
    const [received, ...others] = withMsgId(await drain(bot2), sent.body.MsgID)
    assert.lengthOf(others, 0)
    assert.strictEqual(received?.["FromUserName"], nameIn("wxid_bot2", "wxid_bot1"))
    assert.strictEqual(received?.["ToUserName"], bot2.self)
    assert.strictEqual(received?.["MsgType"], 1)
    assert.strictEqual(
      received?.["Content"],
      `1 &lt; 2 &amp;&amp; 3 &gt; 2<br/>second line <span class="emoji emoji1f604"></span>`,
    )
    assert.lengthOf(
      withMsgId(await drain(bot1), sent.body.MsgID),
      0,
      "a web send does not come back to the sender",
    )
    const activity = world.account("wxid_bot1").activity.at(-1)
    assert.deepInclude(activity, {
      type: "sent",
      msgId: sent.body.MsgID,
      localId: sent.localId,
      to: "wxid_bot2",
      msgType: 1,
      content: "1 < 2 && 3 > 2\nsecond line 😄",
      endpoint: "webwxsendmsg",
    })
  })

  it("lets two fleet accounts on different homes talk both ways, waking the held synccheck", async () => {
    await drain(bot1)
    const held = once(world.events, "pollHeld")
    const pending = synccheck(bot1)
    await held
    const reply = await sendText(bot2, nameIn("wxid_bot2", "wxid_bot1"), "pong")
    assert.strictEqual(reply.body.BaseResponse.Ret, 0)
    assert.strictEqual((await pending).selector, "2")
    const [received] = withMsgId(await drain(bot1), reply.body.MsgID)
    assert.strictEqual(received?.["FromUserName"], nameIn("wxid_bot1", "wxid_bot2"))
    assert.strictEqual(received?.["Content"], "pong")
  })

  it("echoes a numeric LocalID (itchat, wechat4u) as a string", async () => {
    const sent = await sendText(bot1, nameIn("wxid_bot1", "wxid_alice"), "hi", {
      LocalID: 17000000000001234,
      ClientMsgId: 17000000000001234,
    })
    assert.strictEqual(sent.body.BaseResponse.Ret, 0)
    assert.strictEqual(sent.body.LocalID, "17000000000001234")
  })

  it("delivers to a group's fleet members with the sender's prefix, not to the sender", async () => {
    const sent = await sendText(bot1, nameIn("wxid_bot1", group.roomId), "hello hikers")
    assert.strictEqual(sent.body.BaseResponse.Ret, 0)
    const [received] = withMsgId(await drain(bot2), sent.body.MsgID)
    assert.strictEqual(received?.["FromUserName"], nameIn("wxid_bot2", group.roomId))
    assert.strictEqual(received?.["ToUserName"], bot2.self)
    assert.strictEqual(
      received?.["Content"],
      `${nameIn("wxid_bot2", "wxid_bot1")}:<br/>hello hikers`,
    )
    assert.lengthOf(withMsgId(await drain(bot1), sent.body.MsgID), 0)
  })

  it("brings a message to filehelper back to the sender's own sync", async () => {
    const sent = await sendText(bot1, "filehelper", "note to self")
    const [echo] = withMsgId(await drain(bot1), sent.body.MsgID)
    assert.strictEqual(echo?.["FromUserName"], bot1.self)
    assert.strictEqual(echo?.["ToUserName"], "filehelper")
    assert.strictEqual(echo?.["Content"], "note to self")
  })

  it("answers 1204 for an unknown UserName, a stranger from a group, and yourself", async () => {
    for (const to of [
      "@" + "0".repeat(32),
      nameIn("wxid_bot1", "wxid_carol"),
      bot1.self,
      "fmessage",
    ]) {
      const sent = await sendText(bot1, to, "anyone?")
      assert.strictEqual(
        sent.raw,
        `{"BaseResponse":{"Ret":1204,"ErrMsg":""}\n,"MsgID":"","LocalID":""}`,
        to,
      )
    }
  })

  it("answers Ret 1 for a Msg that is missing, of the wrong Type or not from the session's self", async () => {
    const to = nameIn("wxid_bot1", "wxid_bob")
    assert.strictEqual(
      (await sendText(bot1, to, "x", { FromUserName: nameIn("wxid_bot1", "wxid_alice") })).body
        .BaseResponse.Ret,
      1,
    )
    assert.strictEqual((await sendText(bot1, to, "x", { Type: 3 })).body.BaseResponse.Ret, 1)
    const noMsg = await bot1.browser.postJson(api(bot1, "webwxsendmsg"), {
      BaseRequest: baseRequest(bot1),
    })
    assert.strictEqual((JSON.parse(noMsg.text) as SendAnswer).BaseResponse.Ret, 1)
  })

  it("answers the session errors in the same shape", async () => {
    const res = await bot1.browser.postJson(api(bot1, "webwxsendmsg"), {
      BaseRequest: { ...baseRequest(bot1), Sid: "nope" },
      Msg: {
        Type: 1,
        Content: "x",
        FromUserName: bot1.self,
        ToUserName: "filehelper",
        LocalID: "1",
        ClientMsgId: "1",
      },
    })
    assert.strictEqual(
      res.text,
      `{"BaseResponse":{"Ret":1100,"ErrMsg":""}\n,"MsgID":"","LocalID":""}`,
    )
  })

  it("answers 1205 and delivers nothing once the account's rate limit is spent", async () => {
    const account = world.account("wxid_bot1")
    account.sendsBeforeRateLimit = 2
    try {
      const to = nameIn("wxid_bot1", "wxid_bot2")
      const answers = [
        await sendText(bot1, to, "one"),
        await sendText(bot1, to, "two"),
        await sendText(bot1, to, "three"),
      ]
      assert.deepStrictEqual(
        answers.map((a) => a.body.BaseResponse.Ret),
        [0, 0, 1205],
      )
      assert.strictEqual(answers[2]!.body.MsgID, "")
      assert.strictEqual(account.sendsBeforeRateLimit, 0)
      assert.strictEqual(
        (await sendText(bot1, to, "four")).body.BaseResponse.Ret,
        1205,
        "it stays limited",
      )
      const contents = (await drain(bot2)).map((m) => m["Content"])
      assert.deepStrictEqual(contents, ["one", "two"])
    } finally {
      account.sendsBeforeRateLimit = undefined
    }
  })
})

describe("webwxrevokemsg", () => {
  it("revokes a recent send and tells the recipient with a 10002 notice naming the MsgId", async () => {
    const sent = await sendText(bot1, nameIn("wxid_bot1", "wxid_bot2"), "oops")
    const answer = await revoke(bot1, sent.body.MsgID, nameIn("wxid_bot1", "wxid_bot2"))
    assert.strictEqual(
      answer.raw,
      `{"BaseResponse":{"Ret":0,"ErrMsg":""}\n,"Introduction":"你可以撤回2分钟内发送的消息（部分旧版本微信不支持这个功能）。","SysWording":""}`,
    )
    const notices = (await drain(bot2)).filter((m) => m["MsgType"] === 10002)
    assert.lengthOf(notices, 1)
    const notice = notices[0]!
    assert.strictEqual(notice["FromUserName"], nameIn("wxid_bot2", "wxid_bot1"))
    assert.strictEqual(notice["Status"], 4)
    const content = notice["Content"] as string
    assert.match(
      content,
      /^&lt;sysmsg type="revokemsg"&gt;<br\/>\t&lt;revokemsg&gt;<br\/>\t\t&lt;session&gt;wxid_bot1&lt;/,
    )
    assert.include(content, `&lt;msgid&gt;${sent.body.MsgID}&lt;/msgid&gt;`)
    assert.include(content, `&lt;![CDATA["Bot One" 撤回了一条消息]]&gt;`)
    assert.deepInclude(world.account("wxid_bot1").activity.at(-1), {
      type: "revoked",
      msgId: sent.body.MsgID,
      to: "wxid_bot2",
    })
    const again = await revoke(bot1, sent.body.MsgID, nameIn("wxid_bot1", "wxid_bot2"))
    assert.strictEqual(again.body.BaseResponse.Ret, 0)
    assert.lengthOf(
      (await drain(bot2)).filter((m) => m["MsgType"] === 10002),
      0,
      "no second notice",
    )
  })

  it("sends the notice of a group message with the sender's prefix", async () => {
    const room = nameIn("wxid_bot1", group.roomId)
    const sent = await sendText(bot1, room, "wrong chat")
    assert.strictEqual((await revoke(bot1, sent.body.MsgID, room)).body.BaseResponse.Ret, 0)
    const notice = (await drain(bot2)).find((m) => m["MsgType"] === 10002)
    assert.strictEqual(notice?.["FromUserName"], nameIn("wxid_bot2", group.roomId))
    assert.match(
      notice?.["Content"] as string,
      new RegExp(`^${nameIn("wxid_bot2", "wxid_bot1")}:<br/>&lt;sysmsg`),
    )
    assert.include(notice?.["Content"] as string, `&lt;session&gt;${group.roomId}&lt;/session&gt;`)
  })

  it("refuses someone else's message, an unknown id and the wrong chat with Ret 1", async () => {
    const sent = await sendText(bot1, nameIn("wxid_bot1", "wxid_bot2"), "mine")
    assert.strictEqual(
      (await revoke(bot2, sent.body.MsgID, nameIn("wxid_bot2", "wxid_bot1"))).body.BaseResponse.Ret,
      1,
    )
    assert.strictEqual(
      (await revoke(bot1, "1234567890123456789", nameIn("wxid_bot1", "wxid_bot2"))).body
        .BaseResponse.Ret,
      1,
    )
    assert.strictEqual(
      (await revoke(bot1, sent.body.MsgID, nameIn("wxid_bot1", "wxid_bob"))).body.BaseResponse.Ret,
      1,
    )
  })

  it("refuses once the revoke window has passed", async () => {
    const sent = await sendText(bot1, nameIn("wxid_bot1", "wxid_bot2"), "too late to take back")
    world.advanceClock(world.options.revokeWindowMs + 1_000)
    const answer = await revoke(bot1, sent.body.MsgID, nameIn("wxid_bot1", "wxid_bot2"))
    assert.strictEqual(answer.body.BaseResponse.Ret, -1)
    assert.strictEqual(answer.body.SysWording, "已超过2分钟，无法撤回")
    assert.lengthOf(
      (await drain(bot2)).filter((m) => m["MsgType"] === 10002),
      0,
    )
  })
})
