import { afterAll, assert, describe, it } from "vitest"
import { buildDemoWorld, DEMO_ACCOUNTS, startChatter } from "../src/demo.js"
import { Simulator } from "../src/index.js"
import { drain, qrLogin, synccheck } from "./support/webClient.js"

const sim = await Simulator.start({ syncHoldMs: 2_000 })
afterAll(() => sim.close())

describe("the demo world", () => {
  it("has friends who chat with the accounts that are logged in", async () => {
    const { roomId } = buildDemoWorld(sim.world)
    assert.strictEqual(sim.world.group(roomId).topic, "Weekend hikers")
    const client = await qrLogin(sim, DEMO_ACCOUNTS[0])
    await drain(client)
    const said: Array<string> = []
    const stop = startChatter(sim.world, roomId, 20, (from, to) => said.push(`${from}→${to}`))
    try {
      assert.strictEqual((await synccheck(client)).selector, "2")
      const messages = await drain(client)
      assert.isAbove(messages.length, 0)
    } finally {
      stop()
    }
    // Only wxid_fleet1 is online: nobody speaks to the others.
    assert.isTrue(
      said.every((line) => line.endsWith(`→${DEMO_ACCOUNTS[0]}`) || line.endsWith(`→${roomId}`)),
    )
  })
})
