import { describe, expect, it } from "vitest"
import { World } from "../src/world/World.js"

describe("an account's log", () => {
  const world = new World()
  const account = world.addAccount({ wxid: "wxid_log", nickName: "Log" })
  world.addPerson({ wxid: "wxid_talker", nickName: "Talker" })
  world.befriend("wxid_log", "wxid_talker")
  for (let i = 0; i < 3_500; i++) world.say("wxid_talker", "wxid_log", { MsgType: 1, Content: `m${i}` })

  it("finds where the entries after a seq start, at either end and in between", () => {
    const seqs = account.log.map((entry) => entry.seq)
    for (const seq of [0, seqs[0]! - 1, seqs[0]!, seqs[10]!, seqs.at(-2)!, seqs.at(-1)!, seqs.at(-1)! + 5]) {
      const index = world.logIndexAfter(account, seq)
      expect(index).toBe(seqs.findIndex((s) => s > seq) === -1 ? seqs.length : seqs.findIndex((s) => s > seq))
    }
  })

  it("trims what no client can ask for again, keeping a thousand confirmed entries", () => {
    account.acknowledgedSeq = account.headSeq - 100
    world.trimLog(account)
    expect(account.log[0]!.seq).toBe(account.acknowledgedSeq - 1_000 + 1)
    expect(account.log.at(-1)!.seq).toBe(account.headSeq)
    expect(world.logIndexAfter(account, account.acknowledgedSeq)).toBe(1_000)
  })
})
