import { assert, describe, it } from "vitest"
import { autoReplyTable, DEFAULT_AUTOREPLY_SCENARIO, runAutoReplyBenchmark } from "../src/autoreply/scenario.js"

describe("the auto-reply scenario", () => {
  it("runs end to end at a tiny scale and says what a reply cost each process", async () => {
    const figures = await runAutoReplyBenchmark(
      { ...DEFAULT_AUTOREPLY_SCENARIO, accounts: [5], rates: [20], seconds: 2, warmupSeconds: 0 },
      () => undefined,
    )
    assert.deepStrictEqual(figures.failures, [])
    const [step] = figures.runs[0]!.steps
    assert.isAbove(step!.replies, 30)
    assert.strictEqual(step!.lost, 0)
    assert.strictEqual(step!.duplicates, 0)
    // Every process did work for the replies; the supervisor's share of a reply is real CPU.
    for (const name of ["supervisor", "simulator", "nats", "autoReply"]) {
      assert.isAbove(step!.cpuMsPerReply[name]!, 0, name)
      assert.isBelow(step!.cpuMsPerReply[name]!, 1_000, name)
    }
    assert.match(autoReplyTable(figures), /^\| 5 \| 20 \| (\d+\.\d\d \| ){5}\d+\.\d\d \|$/m)
  }, 120_000)
})
