import { assert, describe, it, vi } from "vitest"
import { rewriteUrl } from "../src/peer/redirect.js"
import { parsePeerArgs, runPeerScenario, type PeerFigures } from "../src/peer/scenario.js"
import { UsageError } from "../src/supervisor/scenario.js"

describe("the peer scenario", () => {
  it("sends wechat4u's URLs to the simulator's host paths", () => {
    const upstream = "http://127.0.0.1:7300/{host}"
    assert.strictEqual(
      rewriteUrl("https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1", upstream),
      "http://127.0.0.1:7300/webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1",
    )
    assert.strictEqual(
      rewriteUrl("https://login.wx.qq.com/jslogin?redirect_uri=https://wx.qq.com/x", upstream),
      "http://127.0.0.1:7300/login.wx.qq.com/jslogin?redirect_uri=https://wx.qq.com/x",
    )
    assert.strictEqual(rewriteUrl("/relative", upstream), "/relative")
  })

  it("reads its flags and refuses bad ones", () => {
    const { options, json } = parsePeerArgs(["--accounts", "5", "--outage-seconds", "0", "--json"])
    assert.strictEqual(options.accounts, 5)
    assert.strictEqual(options.outageSeconds, 0)
    assert.isTrue(json)
    assert.throws(() => parsePeerArgs(["--accounts", "0"]), UsageError, /--accounts/)
    assert.throws(() => parsePeerArgs(["--outage-scope", "some"]), UsageError, /--outage-scope/)
    assert.throws(() => parsePeerArgs(["--bogus"]), UsageError)
  })

  it("runs both sides at a tiny scale: every account logs in, every text is echoed", async () => {
    const printed: Array<string> = []
    const log = vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      printed.push(String(line))
    })
    const progress = vi.spyOn(console, "error").mockImplementation(() => undefined)
    try {
      await runPeerScenario([
        "--accounts",
        "3",
        "--friends-each",
        "10",
        "--rate",
        "6",
        "--seconds",
        "4",
        "--outage-seconds",
        "0",
        "--drain-seconds",
        "10",
        "--idle-seconds",
        "2",
        "--sync-hold-ms",
        "2000",
        "--deadline-seconds",
        "50",
        "--json",
      ])
    } finally {
      log.mockRestore()
      progress.mockRestore()
    }
    const figures = JSON.parse(printed.join("\n")) as PeerFigures
    assert.deepStrictEqual(figures.failures, [])
    assert.isUndefined(figures.wxfleet.outage)
    for (const side of [figures.wxfleet, figures.wechat4u]) {
      assert.strictEqual(side.loggedIn, 3)
      assert.isAbove(side.loginMs.p50, 0)
      // A Node process with its libraries loaded holds tens of MB at least.
      assert.isAbove(side.rssMb.empty, 30)
      assert.isAtLeast(side.rssMb.idle, side.rssMb.empty * 0.9)
      assert.approximately(side.steady.said, 24, 4)
      assert.strictEqual(side.steady.echoed, side.steady.said)
      assert.strictEqual(side.steady.lost, 0)
      assert.strictEqual(side.steady.duplicates, 0)
      assert.isAbove(side.steady.p50Ms, 0)
      assert.isAtLeast(side.steady.p99Ms, side.steady.p50Ms)
      assert.isAbove(side.cpuPer1000, 0)
      assert.strictEqual(side.echoFailures, 0)
    }
    assert.isAbove(figures.wxfleet.rssMb.idleWithNats!, figures.wxfleet.rssMb.idle)
    assert.isAtLeast(figures.wxfleet.cpuPer1000All, figures.wxfleet.cpuPer1000)
  }, 60_000)
})
