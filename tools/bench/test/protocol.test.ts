import { assert, describe, it } from "vitest"
import { captureCorpora } from "../src/protocol/corpus.js"
import { measureDecoding, type Spread } from "../src/protocol/decoding.js"
import { measureAllocations } from "../src/protocol/allocations.js"
import { measureHeldPolls } from "../src/protocol/heldPolls.js"
import { measureLogins } from "../src/protocol/logins.js"
import {
  DEFAULT_PROTOCOL_SCENARIO,
  formatProtocolFigures,
  parseProtocolFlags,
  TEXT_DECODE_TARGET,
  UsageError,
} from "../src/protocol/scenario.js"

const assertSaneSpread = (spread: Spread, rounds: number): void => {
  assert.lengthOf(spread.rounds, rounds)
  assert.isAbove(spread.min, 0)
  assert.isAtMost(spread.min, spread.median)
  assert.isAtMost(spread.median, spread.max)
  assert.isTrue(Number.isFinite(spread.max))
}

describe("the protocol scenario", () => {
  it("reads its flags and refuses bad ones", () => {
    assert.deepInclude(parseProtocolFlags([]), { ...DEFAULT_PROTOCOL_SCENARIO, json: false })
    assert.deepInclude(
      parseProtocolFlags(["protocol", "--messages", "500", "--logins", "0", "--json"]),
      {
        messages: 500,
        logins: 0,
        json: true,
      },
    )
    assert.strictEqual(parseProtocolFlags(["--held", "0"]).held, 0)
    assert.throws(() => parseProtocolFlags(["--held", "-1"]), UsageError, /--held/)
    assert.throws(() => parseProtocolFlags(["--rounds", "0"]), UsageError, /--rounds/)
    assert.throws(() => parseProtocolFlags(["--messages", "1.5"]), UsageError, /--messages/)
    assert.throws(() => parseProtocolFlags(["--bogus"]), UsageError)
    assert.throws(() => parseProtocolFlags(["decode"]), UsageError, /unexpected argument/)
  })

  it("decodes real webwxsync answers at a tiny size without losing a message", async () => {
    const { text, mixed } = await captureCorpora({ textMessages: 200, mixedMessages: 100 })
    assert.strictEqual(text.messages, 200)
    assert.deepStrictEqual(text.tags, { Text: 200 })
    // Every kind the client decodes is in the mix, the unknown app type among them.
    for (const tag of [
      "Text",
      "Image",
      "Voice",
      "Video",
      "Emoticon",
      "Location",
      "Card",
      "Link",
      "File",
    ])
      assert.isAbove(mixed.tags[tag] ?? 0, 0, tag)
    for (const tag of ["Transfer", "RedPacket", "MiniProgram", "Quote", "Revoke", "SystemNotice"])
      assert.isAbove(mixed.tags[tag] ?? 0, 0, tag)
    for (const tag of ["FriendRequest", "StatusNotify", "Unknown"])
      assert.isAbove(mixed.tags[tag] ?? 0, 0, tag)

    const decoding = []
    for (const corpus of [text, mixed]) {
      const figures = await measureDecoding(corpus, { messages: 200, rounds: 2, warmupRounds: 1 })
      assert.isAtLeast(figures.messagesPerRound, 200)
      assert.deepStrictEqual(figures.decodedPerRound, {
        decode: figures.messagesPerRound,
        parseAndDecode: figures.messagesPerRound,
        clientPath: figures.messagesPerRound,
      })
      for (const rates of [figures.decode, figures.parseAndDecode, figures.clientPath]) {
        assertSaneSpread(rates.wall, 2)
        assertSaneSpread(rates.cpu, 2)
      }
      decoding.push(figures)
    }
    const table = formatProtocolFigures({
      options: { ...DEFAULT_PROTOCOL_SCENARIO, messages: 200, rounds: 2, logins: 0 },
      target: { textMessagesPerSecond: TEXT_DECODE_TARGET },
      decoding,
      logins: undefined,
      heldPolls: { sessions: 3, heapBytesPerHeldLoop: 21_500, bytesKeptPerRound: 6_200 },
      allocations: { calls: 10, bytesPerSend: 44_000, bytesPerSync: 45_000 },
      failures: [],
    })
    assert.match(table, /heap per held loop\s+\| 21,500 B/)
    assert.match(table, /kept alive by a round while the next poll is held\s+\| 6,200 B/)
    assert.match(table, /allocated per Send\.sendText\s+\| 44,000 B/)
    assert.include(table, "parseServerJson + decodeBatch")
    assert.include(table, "failures: 0")
  }, 30_000)

  it("logs in to the first webwxsync against a simulator in a child process", async () => {
    const figures = await measureLogins({
      logins: 3,
      concurrency: 2,
      contacts: 20,
      warmupLogins: 1,
    })
    assert.deepStrictEqual(figures.failures, [])
    assert.strictEqual(figures.completed, 3)
    // The friends, plus the special accounts every account has.
    assert.isAtLeast(figures.contactsListed, 20)
    assert.isAtLeast(figures.firstSyncMessages, 1)
    assert.isAbove(figures.latencyMs.p50, 0)
    assert.isAtMost(figures.latencyMs.p50, figures.latencyMs.p99)
    assert.isAbove(figures.loginsPerSecond, 0)
    assert.isAbove(figures.clientCpuMsPerLogin, 0)
    for (const ms of Object.values(figures.stepMsP50)) assert.isAtLeast(ms, 0)
  }, 30_000)

  it("weighs the sync loops of logged-in sessions while they hold their polls", async () => {
    const figures = await measureHeldPolls(20)
    assert.strictEqual(figures.sessions, 20)
    // A held loop keeps a connection, a request and its fiber: never nothing, never megabytes.
    assert.isAbove(figures.heapBytesPerHeldLoop, 1_000)
    assert.isBelow(figures.heapBytesPerHeldLoop, 1_000_000)
    // A round leaves its next poll's request and the session's new keys: sampled, so above
    // nothing and far below what the whole held loop keeps.
    assert.isAbove(figures.bytesKeptPerRound, 500)
    assert.isBelow(figures.bytesKeptPerRound, figures.heapBytesPerHeldLoop * 10)
  }, 60_000)

  it("counts what a send and a webwxsync allocate", async () => {
    const figures = await measureAllocations(20)
    assert.strictEqual(figures.calls, 20)
    // Each call builds a request and parses an answer: kilobytes, never nothing, never megabytes.
    for (const bytes of [figures.bytesPerSend, figures.bytesPerSync]) {
      assert.isAbove(bytes, 2_000)
      assert.isBelow(bytes, 2_000_000)
    }
  }, 60_000)
})
