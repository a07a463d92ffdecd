import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import {
  AccountId,
  COMMAND_OPS,
  CommandRequests,
  FleetAdd,
  isCommandOp,
  MAX_MEDIA_BYTES,
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
