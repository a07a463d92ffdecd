import type { MessageEvent } from "@wxfleet/contracts"
import { describe, expect, it } from "vitest"
import { decodeEvent, type FleetEvent } from "../src/fleet/FleetClient.js"
import { findRecipient } from "../src/fleet/recipient.js"
import { clock, eventJson, formatEvent, messageSummary, shortUserName, type Names } from "../src/format/formatEvent.js"
import { coloured, plain } from "../src/format/Style.js"

const AT = "2026-11-24T06:07:08.000Z"
const raw = { MsgId: "1", MsgType: 1, Content: "" }
const envelope = (over: Record<string, unknown> = {}) => ({
  id: "1", newMsgId: "1", from: "@alice", to: "@me", chat: "@alice", sender: "@alice",
  isGroup: false, isSelf: false, createTime: 0, raw, ...over,
})
const message = (m: Record<string, unknown>): FleetEvent =>
  decodeEvent("wx.evt.bot1.message", JSON.stringify({ account: "bot1", at: AT, message: m }))

const names: Names = {
  contact: (_, u) => ({ "@alice": "Alice", "@@room": "Hikers", "@bob": "Bob" })[u],
  member: (_, room, u) => (room === "@@room" && u === "@carol" ? "Caz" : undefined),
  self: () => "Bot One",
}

describe("formatEvent", () => {
  it("shows a private text as sender → me with time and account", () => {
    const line = formatEvent(message({ _tag: "Text", ...envelope(), text: "hi there", mentions: [], mentionsSelf: false }), { names })
    expect(line).toBe(`${clock(AT)} bot1 Alice → Bot One: hi there`)
  })

  it("names the group member who spoke and the group", () => {
    const line = formatEvent(
      message({ _tag: "Text", ...envelope({ from: "@@room", chat: "@@room", sender: "@carol", isGroup: true }), text: "hello all", mentions: [], mentionsSelf: false }),
      { names },
    )
    expect(line).toContain("Caz → Hikers: hello all")
  })

  it("shows what the account's phone sent as me → peer", () => {
    const line = formatEvent(
      message({ _tag: "Text", ...envelope({ from: "@me", to: "@bob", chat: "@bob", sender: "@me", isSelf: true }), text: "ok", mentions: [], mentionsSelf: false }),
      { names },
    )
    expect(line).toContain("Bot One → Bob: ok")
  })

  it("falls back to a short UserName when no name is known", () => {
    expect(shortUserName("@0123456789abcdef")).toBe("@012345…")
    expect(shortUserName("filehelper")).toBe("filehelper")
    const line = formatEvent(message({ _tag: "Text", ...envelope({ from: "@0123456789abcdef", sender: "@0123456789abcdef", chat: "@0123456789abcdef" }), text: "x", mentions: [], mentionsSelf: false }))
    expect(line).toContain("@012345… → me: x")
  })

  it("summarises other kinds", () => {
    const image = decodeEvent("wx.evt.bot1.message", JSON.stringify({ account: "bot1", at: AT, message: { _tag: "Image", ...envelope(), width: 120, height: 90, hasThumb: true, md5: "", length: 2048 } }))
    expect(image.kind === "message" && messageSummary(image.event.message)).toBe("[image 120×90, 2 KB]")
    const file = { _tag: "File", ...envelope(), fileName: "a.pdf", size: 3 * 1024 * 1024, mediaId: "", encryFileName: "", extension: "pdf" }
    const decoded = message(file)
    expect(decoded.kind === "message" && messageSummary(decoded.event.message as MessageEvent["message"])).toBe("[file a.pdf, 3.0 MB]")
  })

  it("shows session states with host and reason", () => {
    const session = (body: Record<string, unknown>) => formatEvent(decodeEvent("wx.evt.bot1.session", JSON.stringify({ account: "bot1", at: AT, ...body })))
    expect(session({ state: "logged_in", self: { userName: "@abcdef0123456", nickName: "Bot One" }, host: "webpush.wx2.qq.com" })).toContain(
      "logged in as Bot One (@abcdef…) via webpush.wx2.qq.com",
    )
    expect(session({ state: "reconnecting", attempt: 2, host: "webpush2.wx2.qq.com", reason: { tag: "TransportError", message: "reset" } })).toContain(
      "reconnecting (attempt 2) to webpush2.wx2.qq.com — TransportError: reset",
    )
    expect(session({ state: "awaiting_scan", qr: { payload: "https://login.weixin.qq.com/l/u1", uuid: "u1" } })).toContain("https://login.weixin.qq.com/l/u1")
  })

  it("shows contact changes and moderation actions", () => {
    const contact = decodeEvent("wx.evt.bot1.contact", JSON.stringify({ account: "bot1", at: AT, change: "removed", userName: "@0123456789abcdef" }))
    expect(formatEvent(contact)).toContain("contact removed: @012345…")
    const moderation = decodeEvent(
      "wx.evt.bot1.moderation",
      JSON.stringify({
        account: "bot1", at: AT, chat: "@@room", group: "Hikers", member: { userName: "@dan", name: "Dan" }, messageId: "9",
        violation: "banned_word", detail: "spam",
        actions: [{ action: "warn", ok: true }, { action: "remove", ok: false, error: { tag: "RequestRejected", message: "not owner" } }],
      }),
    )
    expect(formatEvent(moderation)).toContain("moderation in Hikers: Dan banned word (spam) → warn ✓, remove ✗ RequestRejected")
  })

  it("colours only when asked, and prints JSON that parses", () => {
    const event = decodeEvent("wx.evt.bot1.session", JSON.stringify({ account: "bot1", at: AT, state: "failed" }))
    expect(formatEvent(event, { style: plain })).not.toContain("\x1b[")
    expect(JSON.parse(eventJson(event))).toMatchObject({ kind: "session", account: "bot1", event: { state: "failed" } })
    expect(typeof coloured.bad("x")).toBe("string")
  })
})

describe("findRecipient", () => {
  const contact = (userName: string, displayName: string, remarkName = "", nickName = displayName) => ({
    userName, kind: "person" as const, nickName, remarkName, displayName, pinned: false, muted: false,
  })
  const contacts = [contact("@a", "Alice"), contact("@b", "Bobby", "Bobby", "Bob"), contact("@c", "Bob")]

  it("finds by display name, remark or nickname, exact before ignoring case", () => {
    expect(findRecipient(contacts, "Alice")).toMatchObject({ _tag: "Right", right: { userName: "@a" } })
    expect(findRecipient(contacts, "alice")).toMatchObject({ _tag: "Right", right: { userName: "@a" } })
  })

  it("lists the candidates when a name is ambiguous, and says when there is none", () => {
    expect(findRecipient(contacts, "Bob")).toMatchObject({ _tag: "Left", left: { _tag: "AmbiguousContact", candidates: [{ userName: "@b" }, { userName: "@c" }] } })
    expect(findRecipient(contacts, "Zed")).toMatchObject({ _tag: "Left", left: { _tag: "NoSuchContact" } })
  })
})
