import { describe, expect, it } from "vitest"
import { CommandFailed } from "./Commands.js"

const failedWith = (tag: string) => new CommandFailed({ account: "bot1", op: "send_text", error: { tag, message: tag } })

describe("CommandFailed.transient", () => {
  it("is true when asking again later may work: the command did not run, or may still be running", () => {
    for (const tag of ["SendBacklogFull", "RateLimited", "AccountNotRunning", "InProgress", "RequestTimeout"]) {
      expect(failedWith(tag).transient, tag).toBe(true)
    }
  })

  it("is false when asking again cannot help", () => {
    for (const tag of ["InvalidCommand", "UnknownOperation", "RequestRejected", "PayloadTooLarge", "OutcomeUnknown"]) {
      expect(failedWith(tag).transient, tag).toBe(false)
    }
  })
})
