import { assert, describe, it } from "@effect/vitest"
import { canMove, isOnline } from "./SessionStateMachine.js"

describe("session state machine", () => {
  it("follows the documented path from start to logged in and back", () => {
    assert.isTrue(canMove("starting", "awaiting_scan"))
    assert.isTrue(canMove("awaiting_scan", "scanned"))
    assert.isTrue(canMove("scanned", "logged_in"))
    assert.isTrue(canMove("logged_in", "reconnecting"))
    assert.isTrue(canMove("reconnecting", "logged_in"))
    assert.isTrue(canMove("logged_in", "logged_out"))
    assert.isTrue(canMove("logged_out", "starting"))
  })

  it("renews an expired QR code and resumes a stored session without a scan", () => {
    assert.isTrue(canMove("awaiting_scan", "awaiting_scan"))
    assert.isTrue(canMove("starting", "logged_in"))
  })

  it("refuses impossible changes", () => {
    assert.isFalse(canMove("starting", "scanned"))
    assert.isFalse(canMove("logged_out", "logged_in"))
    assert.isFalse(canMove("failed", "logged_in"))
    assert.isFalse(canMove("logged_in", "scanned"))
  })

  it("takes commands only while online", () => {
    assert.isTrue(isOnline("logged_in"))
    assert.isTrue(isOnline("reconnecting"))
    assert.isFalse(isOnline("awaiting_scan"))
  })
})
