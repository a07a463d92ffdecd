import { describe, expect, it } from "vitest"
import { runHttpBenchmark } from "../src/http/scenario.js"

describe("http scenario (smoke)", () => {
  it("measures every client on real requests", async () => {
    const figures = await runHttpBenchmark(200, 10, 1)
    expect(figures.rows.map((r) => r.client)).toEqual([
      "undici.request (no Effect)",
      "platform-node HttpClient",
      "lean HttpClient",
      "Transport.text over platform-node",
      "Transport.text over lean (the supervisor's)",
      "Transport.plain.textThen over lean (the steady round's)",
    ])
    for (const row of figures.rows) {
      expect(row.cpuUs).toBeGreaterThan(0)
      expect(row.perSecond).toBeGreaterThan(0)
    }
  }, 60_000)
})
