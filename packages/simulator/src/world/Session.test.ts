import { describe, expect, it } from "vitest"
import { Session } from "./Session.js"

const contacts = ["wxid_a", "wxid_b", "12345@chatroom", "filehelper"]
const session = () => new Session("wxid_me", "wx2.qq.com", false, 0, () => contacts, (wxid) => wxid.endsWith("@chatroom"))

describe("Session.wxidOf", () => {
  it("finds whose UserName it is, people, rooms and special accounts alike", () => {
    const s = session()
    for (const wxid of contacts) expect(s.wxidOf(s.userName(wxid))).toBe(wxid)
    expect(s.userName("12345@chatroom")).toMatch(/^@@[0-9a-f]{64}$/)
  })

  it("finds a wxid that became known after its index was built, as a card's in the log does", () => {
    const known = ["wxid_a"]
    const s = new Session("wxid_me", "wx2.qq.com", false, 0, () => known, () => false)
    expect(s.wxidOf(s.userName("wxid_a"))).toBe("wxid_a") // builds the index
    known.push("wxid_recommended")
    expect(s.wxidOf(s.userName("wxid_recommended"))).toBe("wxid_recommended")
  })

  it("knows nobody else, not even a name that shares a known one's first digits", () => {
    const s = session()
    const known = s.userName("wxid_a")
    const lookalike = known.slice(0, 8) + (known[8] === "0" ? "1" : "0") + known.slice(9)
    expect(s.wxidOf(lookalike)).toBeUndefined()
    expect(s.wxidOf("@" + "0".repeat(32))).toBeUndefined()
    expect(s.wxidOf("@not-hex")).toBeUndefined()
    // Another session's names are not this one's.
    expect(s.wxidOf(session().userName("wxid_a"))).toBeUndefined()
  })
})
