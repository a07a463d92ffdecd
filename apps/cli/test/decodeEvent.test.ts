import { describe, expect, it } from "vitest"
import { decodeEvent } from "../src/fleet/FleetClient.js"

describe("decodeEvent", () => {
  it("decodes a session event by its subject", () => {
    const event = decodeEvent(
      "wx.evt.bot1.session",
      JSON.stringify({ account: "bot1", state: "logged_in", at: "2026-11-24T00:00:00Z" }),
    )
    expect(event).toMatchObject({ kind: "session", account: "bot1", event: { state: "logged_in" } })
  })

  it("turns garbage and unknown kinds into undecodable events instead of failing", () => {
    expect(decodeEvent("wx.evt.bot1.session", "{not json")).toMatchObject({ kind: "undecodable", account: "bot1" })
    expect(decodeEvent("wx.evt.bot1.weather", "{}")).toMatchObject({
      kind: "undecodable",
      reason: "unknown event kind weather",
    })
  })
})
