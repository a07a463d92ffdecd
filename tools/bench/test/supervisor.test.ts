import { assert, describe, it, vi } from "vitest"
import { textEventOf } from "../src/supervisor/FleetObserver.js"
import {
  parseSupervisorArgs,
  runSupervisorScenario,
  supervisorTable,
  UsageError,
  type SupervisorFigures,
} from "../src/supervisor/scenario.js"

describe("the supervisor scenario", () => {
  it("reads its flags and refuses bad ones", () => {
    const { options, json } = parseSupervisorArgs(["--accounts", "5", "--rate", "10,20", "--json"])
    assert.strictEqual(options.accounts, 5)
    assert.deepStrictEqual(options.rates, [10, 20])
    assert.strictEqual(options.warmupSeconds, 10)
    assert.strictEqual(parseSupervisorArgs(["--warmup-seconds", "0"]).options.warmupSeconds, 0)
    assert.isTrue(json)
    assert.throws(() => parseSupervisorArgs(["--accounts", "0"]), UsageError, /--accounts/)
    assert.throws(() => parseSupervisorArgs(["--rate", "5,x"]), UsageError, /--rate/)
    assert.throws(() => parseSupervisorArgs(["--bogus"]), UsageError)
  })

  it("runs end to end at a tiny scale: nats-server, simulator and supervisor processes", async () => {
    const printed: Array<string> = []
    const log = vi.spyOn(console, "log").mockImplementation((line: unknown) => {
      printed.push(String(line))
    })
    const progress = vi.spyOn(console, "error").mockImplementation(() => undefined)
    try {
      await runSupervisorScenario([
        "--accounts",
        "10",
        "--friends-each",
        "20",
        "--groups-each",
        "2",
        "--rate",
        "30",
        "--seconds",
        "3",
        "--idle-seconds",
        "2",
        "--warmup-seconds",
        "1",
        "--sync-hold-ms",
        "2000",
        "--deadline-seconds",
        "80",
        "--outage-seconds",
        "2",
        "--restart",
        "--json",
      ])
    } finally {
      log.mockRestore()
      progress.mockRestore()
    }
    const figures = JSON.parse(printed.join("\n")) as SupervisorFigures
    assert.deepStrictEqual(figures.failures, [])
    assert.strictEqual(figures.login.loggedIn, 10)
    assert.isAbove(figures.login.perSecond, 0)
    assert.isAtLeast(figures.heldPolls, 10)
    // A Node process with Effect, NATS and undici loaded holds tens of MB at least.
    assert.isAbove(figures.rss.totalMb, 30)
    assert.isAtLeast(figures.rss.peakMb, figures.rss.totalMb)
    assert.isBelow(figures.idleCpu.supervisor, 1)
    // The warm-up's messages are its own: the measured step counts only what it offered.
    assert.approximately(figures.warmup!.sent, 30, 10)
    assert.strictEqual(figures.warmup!.late, 0)
    const [step] = figures.steps
    assert.isDefined(step)
    assert.approximately(step!.sent, 90, 10)
    assert.strictEqual(step!.late, 0)
    assert.strictEqual(step!.duplicates, 0)
    assert.isAbove(step!.deliveredPerSecond, 0)
    assert.isAbove(step!.latencyMs.p50, 0)
    assert.isAtLeast(step!.latencyMs.p99, step!.latencyMs.p50)
    // The supervisor's event-loop lag over the step, read from its /metrics.
    assert.isAbove(step!.eventLoopLagMs!.p50, 0)
    assert.isAtLeast(step!.eventLoopLagMs!.max, step!.eventLoopLagMs!.p99)
    // The simulator's, from its control API: a loop sampled every 10 ms runs at least that late.
    assert.isAtLeast(step!.simulatorEventLoopLagMs!.p50, 9)
    assert.isAtLeast(step!.simulatorEventLoopLagMs!.max, step!.simulatorEventLoopLagMs!.p99)
    // Each message said came in some webwxsync answer, and no answer carried none of them here
    // (a sync round follows a message; nothing else happens in the step).
    assert.isAtLeast(step!.webwxsyncCalls!, 1)
    assert.isAtMost(step!.webwxsyncCalls!, step!.sent)
    assert.match(supervisorTable(figures), /messages said per webwxsync call +\| \d+\.\d{2} \|/)
    // What a delivered message cost each process, for comparing code across machines.
    assert.match(supervisorTable(figures), /CPU ms per message delivered[^|]*\| (\d+\.\d{3} \/ ){4}\d+\.\d{3} \|/)
    assert.strictEqual(figures.sessionEvents["awaiting_scan"], 10)
    // Every webpush host down for 2 s: every session reconnects, and all are back.
    assert.isDefined(figures.outage)
    assert.isAtLeast(figures.outage!.reconnects, 10)
    assert.strictEqual(figures.outage!.back, 10)
    assert.strictEqual(figures.outage!.notBack, 0)
    assert.isAtLeast(figures.outage!.backAfterMs.max, figures.outage!.backAfterMs.p50)
    // Killed and started again: every session back from its stored state, no QR code and no
    // login call; a stored session is checked with a webwxsync of its stored key, and knows its
    // contacts from its record (no listing).
    assert.isDefined(figures.restart)
    assert.strictEqual(figures.restart!.callsPerSession["webwxgetcontact"] ?? 0, 0)
    assert.strictEqual(figures.restart!.back, 10)
    assert.strictEqual(figures.restart!.notBack, 0)
    assert.strictEqual(figures.restart!.qrCodes, 0)
    assert.isAbove(figures.restart!.backAfterMs.p50, 0)
    assert.isAtLeast(figures.restart!.callsPerSession["webwxsync"] ?? 0, 1)
    for (const login of ["jslogin", "login", "webwxnewloginpage", "webwxpushloginurl"])
      assert.strictEqual(figures.restart!.callsPerSession[login] ?? 0, 0, login)
  }, 90_000)
})

describe("the fleet observer's reading of a message event", () => {
  const event = (text: string) =>
    JSON.stringify({
      account: "wxid_a",
      at: "2026-11-24T23:00:00.000Z",
      message: { _tag: "Text", id: "1", from: "wxid_f", text, raw: { Content: text, MsgId: "1", MsgType: 1 } },
    })

  it("reads what a full parse reads from an event as the supervisor writes it", () => {
    const json = event("step1-42")
    const parsed = JSON.parse(json) as { account: string; at: string; message: { text: string } }
    const read = textEventOf(json)
    assert.strictEqual(read?.account, parsed.account)
    assert.strictEqual(read?.at, parsed.at)
    assert.strictEqual(read?.message.text, parsed.message.text)
  })

  it("leaves a text with escapes, or an event without a text, to the full parse", () => {
    assert.isUndefined(textEventOf(event('say "hi"')))
    assert.isUndefined(textEventOf(event("a\\b")))
    assert.isUndefined(textEventOf(JSON.stringify({ account: "wxid_a", at: "x", message: { _tag: "Image" } })))
  })
})
