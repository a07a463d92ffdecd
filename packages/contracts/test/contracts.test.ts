import { assert, describe, it } from "@effect/vitest"
import { Messages } from "@wxfleet/protocol"
import { Either, Schema } from "effect"
import {
  AccountId,
  COMMAND_OPS,
  CommandRequests,
  FleetAdd,
  isCommandOp,
  MAX_MEDIA_BYTES,
  MessageEvent,
  MessageEventFromSupervisor,
  parseCommandSubject,
  SessionEvent,
  subjects,
} from "../src/index.js"

const decode = <A, I>(schema: Schema.Schema<A, I>, value: unknown) => Schema.decodeUnknownEither(schema)(value)

describe("subjects", () => {
  it("lays out events, commands and fleet operations under the prefix", () => {
    const s = subjects()
    assert.strictEqual(s.event("bot-1", "message"), "wx.evt.bot-1.message")
    assert.strictEqual(s.command("bot-1", "send_text"), "wx.cmd.bot-1.send_text")
    assert.strictEqual(s.fleet("list"), "wx.fleet.list")
    assert.strictEqual(subjects("acme").allEvents, "acme.evt.>")
  })

  it("parses command subjects and refuses others", () => {
    assert.deepStrictEqual(parseCommandSubject("wx", "wx.cmd.bot_1.revoke"), { account: "bot_1", op: "revoke" })
    assert.isUndefined(parseCommandSubject("wx", "wx.evt.bot_1.message"))
    assert.isUndefined(parseCommandSubject("wx", "wx.cmd.bot.x.y"))
  })
})

describe("schemas", () => {
  it("accepts account ids that are subject tokens only", () => {
    assert.isTrue(Either.isRight(decode(AccountId, "Bot_01-a")))
    for (const bad of ["", "a.b", "a*", "a b", "x".repeat(65), ">"]) {
      assert.isTrue(Either.isLeft(decode(AccountId, bad)), bad)
    }
  })

  it("knows every operation of the contract", () => {
    assert.includeMembers([...COMMAND_OPS], ["send_text", "send_image", "send_file", "send_video", "send_emoticon", "revoke"])
    assert.includeMembers([...COMMAND_OPS], ["accept_friend", "set_remark", "group_create", "group_add", "group_remove"])
    assert.includeMembers([...COMMAND_OPS], ["group_rename", "contacts", "logout"])
    assert.isFalse(isCommandOp("toString"))
  })

  it("validates a command with a message naming the bad field", () => {
    const result = decode(CommandRequests.send_text, { to: "@abc", text: "" })
    assert.isTrue(Either.isLeft(result))
    if (Either.isLeft(result)) assert.include(result.left.message, "text")
    assert.isTrue(Either.isRight(decode(CommandRequests.send_text, { to: "@abc", text: "hi", idempotencyKey: "k1" })))
  })

  it("refuses media over the size limit and data that is not base64", () => {
    const big = "A".repeat(Math.ceil(MAX_MEDIA_BYTES / 3) * 4 + 4)
    assert.isTrue(Either.isLeft(decode(CommandRequests.send_image, { to: "@a", fileName: "a.png", data: big })))
    assert.isTrue(Either.isLeft(decode(CommandRequests.send_image, { to: "@a", fileName: "a.png", data: "not base64!" })))
    assert.isTrue(Either.isRight(decode(CommandRequests.send_image, { to: "@a", fileName: "a.png", data: "aGk=" })))
  })

  it("decodes session events and fleet requests", () => {
    const event = { account: "bot1", state: "awaiting_scan", at: "2026-11-24T05:00:00Z", qr: { payload: "https://login.weixin.qq.com/l/x==", uuid: "x==" } }
    assert.isTrue(Either.isRight(decode(SessionEvent, event)))
    assert.isTrue(Either.isLeft(decode(SessionEvent, { ...event, state: "dancing" })))
    assert.isTrue(Either.isLeft(decode(FleetAdd, { account: "no.dots" })))
  })
})

describe("MessageEventFromSupervisor", () => {
  const raw = Schema.decodeUnknownSync(Messages.RawMessage)({
    MsgId: "8734658734658734",
    NewMsgId: "8734658734658734",
    FromUserName: "@@room",
    ToUserName: "@me",
    MsgType: 10000,
    Content: "\"Alice\" invited \"Bob\" to the group chat",
    CreateTime: 1_700_000_000,
  })
  const envelope = {
    id: raw.MsgId,
    newMsgId: raw.NewMsgId,
    from: raw.FromUserName,
    to: raw.ToUserName,
    chat: "@@room",
    sender: "@@room",
    isGroup: true,
    isSelf: false,
    createTime: raw.CreateTime,
    raw,
  }
  const events = [
    { _tag: "Text", ...envelope, text: "hi @me", mentions: ["me"], mentionsSelf: true },
    {
      _tag: "SystemNotice",
      ...envelope,
      text: raw.Content,
      event: { _tag: "Joined", inviter: { name: "Alice", isSelf: false }, invitees: [{ name: "Bob", isSelf: false }], viaQrCode: false },
    },
    { _tag: "Unknown", ...envelope, msgType: 10000, appMsgType: 0, reason: "a test" },
  ].map((message) => JSON.stringify({ account: "bot-1", at: "2026-11-24T12:00:00.000Z", message }))
  const full = Schema.decodeUnknownEither(Schema.parseJson(MessageEvent))
  const lean = Schema.decodeUnknownEither(Schema.parseJson(MessageEventFromSupervisor))

  it("reads the supervisor's events as MessageEvent does", () => {
    for (const text of events) {
      const expected = full(text)
      assert.isTrue(Either.isRight(expected))
      assert.deepStrictEqual(lean(text), expected)
    }
  })

  it("still checks every field but the raw entry's, and that the raw entry is an object", () => {
    const event = JSON.parse(events[0]!)
    const refused = (change: (e: typeof event) => void) => {
      const copy = structuredClone(event)
      change(copy)
      const result = lean(JSON.stringify(copy))
      assert.isTrue(Either.isLeft(result))
      return Either.isLeft(result) ? result.left.message : ""
    }
    assert.include(refused((e) => (e.message.isGroup = "yes")), "isGroup")
    assert.include(refused((e) => (e.message._tag = "Hologram")), "_tag")
    assert.include(refused((e) => (e.message.raw = "MsgId=1")), "raw")
    assert.include(refused((e) => delete e.account), "account")
  })
})
