import { assert, describe, it } from "vitest"
import { runSimulatorScenario } from "../src/simulator/scenario.js"

describe("the simulator scenario", () => {
  it("runs end to end at a tiny scale with a child simulator", async () => {
    const figures = await runSimulatorScenario({
      accounts: 20,
      friendsEach: 20,
      groupsEach: 2,
      loginConcurrency: 5,
      samples: 50,
      idleSeconds: 1,
      syncSeconds: 1,
      syncConcurrency: 4,
      syncHoldMs: 1_000,
      deadlineSeconds: 60,
    })
    assert.deepStrictEqual(figures.failures, [])
    assert.strictEqual(figures.heldPolls, 20)
    assert.strictEqual(figures.latencyMs.samples, 50)
    assert.strictEqual(figures.latencyMs.lost, 0)
    assert.isAbove(figures.latencyMs.p50, 0)
    assert.isAtLeast(figures.latencyMs.p99, figures.latencyMs.p50)
    assert.isAbove(figures.loginsPerSecond, 0)
    assert.isAbove(figures.rssMb.idle, 0)
    assert.isAbove(figures.syncPerSecond, 0)
  }, 60_000)
})
