import { connect, headers, type Msg, type NatsConnection } from "@nats-io/transport-node"
import { jetstreamManager } from "@nats-io/jetstream"
import { NatsServer } from "@wxfleet/testing"
import { afterAll, assert, beforeAll, describe, it } from "vitest"
import { AckedPublisher, NotAcknowledged, refusalOf } from "../src/AckedPublisher.js"

const server = await NatsServer.start()
let nc: NatsConnection
let publisher: AckedPublisher
beforeAll(async () => {
  nc = await connect({ servers: server.url, name: "acked-publisher-test" })
  const manager = await jetstreamManager(nc)
  await manager.streams.add({ name: "ACKED", subjects: ["acked.>"], duplicate_window: 60_000_000_000 })
  publisher = new AckedPublisher(nc)
})
afterAll(async () => {
  await nc.close()
  await server.dispose()
})

const published = (messages: Parameters<AckedPublisher["publish"]>[0], timeoutMs?: number, by = publisher) =>
  new Promise<NotAcknowledged | undefined>((resolve) => by.publish(messages, resolve, timeoutMs))

const storedTexts = async (subject: string): Promise<ReadonlyArray<string>> => {
  const manager = await jetstreamManager(nc)
  const info = await manager.streams.info("ACKED")
  const texts: Array<string> = []
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const stored = await manager.streams.getMessage("ACKED", { seq }).catch(() => null)
    if (stored?.subject === subject) texts.push(stored.string())
  }
  return texts
}

describe("AckedPublisher", () => {
  it("stores a batch in order and calls back once all is acknowledged; a repeated Nats-Msg-Id is dropped", async () => {
    const messages = ["one", "two", "three"].map((text) => ({ subject: "acked.order", payload: text, msgId: `order-${text}` }))
    assert.isUndefined(await published(messages))
    // Sent again (as after a failed attempt): acknowledged, and stored once.
    assert.isUndefined(await published(messages))
    assert.deepEqual(await storedTexts("acked.order"), ["one", "two", "three"])
  })

  it("stores UTF-8 text and raw bytes exactly, mixed in one batch, with each message's own headers", async () => {
    const text = `{"text":"你好 👋 ünïcode"}`
    const bytes = new Uint8Array([0, 1, 0xfe, 0xff, 0x0d, 0x0a])
    assert.isUndefined(
      await published([
        { subject: "acked.mixed", payload: text, msgId: "mixed-1" },
        { subject: "acked.mixed", payload: bytes, msgId: "mixed-2", headers: { "X-Kind": "bytes" } },
        { subject: "acked.mixed", payload: "plain, no headers" },
      ]),
    )
    const manager = await jetstreamManager(nc)
    const last = await manager.streams.getMessage("ACKED", { last_by_subj: "acked.mixed" })
    assert.strictEqual(last!.string(), "plain, no headers")
    const second = await manager.streams.getMessage("ACKED", { seq: last!.seq - 1 })
    assert.deepEqual([...second!.data], [...bytes])
    assert.strictEqual(second!.header.get("X-Kind"), "bytes")
    assert.strictEqual(second!.header.get("Nats-Msg-Id"), "mixed-2")
    const first = await manager.streams.getMessage("ACKED", { seq: last!.seq - 2 })
    assert.strictEqual(first!.string(), text)
  })

  it("takes a header the stream checks (an expected last sequence): a second create is refused", async () => {
    const create = [{ subject: "acked.created", payload: "first", headers: { "Nats-Expected-Last-Subject-Sequence": "0" } }]
    assert.isUndefined(await published(create))
    const error = await published(create)
    assert.instanceOf(error, NotAcknowledged)
    assert.match(error!.message, /wrong last sequence/)
  })

  it("refuses a whole batch, writing none of it, when one message is over max_payload or has a header that would break the frame", async () => {
    const oversized = "x".repeat(nc.info!.max_payload + 1)
    const tooBig = await published([
      { subject: "acked.refused", payload: "small, but in a refused batch", msgId: "refused-1" },
      { subject: "acked.refused", payload: oversized, msgId: "refused-2" },
    ])
    assert.instanceOf(tooBig, NotAcknowledged)
    assert.match(tooBig!.message, /over the server's max_payload/)
    const badHeader = await published([{ subject: "acked.refused", payload: "x", headers: { "X-Bad": "a\r\nPUB x 1" } }])
    assert.instanceOf(badHeader, NotAcknowledged)
    assert.match(badHeader!.message, /cannot be sent/)
    // The connection still works, and nothing of either batch was stored.
    assert.isUndefined(await published([{ subject: "acked.refused", payload: "after" }]))
    assert.deepEqual(await storedTexts("acked.refused"), ["after"])
  })

  it("tells how much of max_payload a message takes, headers included", () => {
    const plain = publisher.size({ subject: "acked.size", payload: "héllo" })
    assert.deepEqual(plain, { bytes: 6, maxPayload: nc.info!.max_payload })
    // "NATS/1.0\r\n" + "Nats-Msg-Id: m-1\r\n" + "\r\n"
    assert.strictEqual(publisher.size({ subject: "acked.size", payload: "héllo", msgId: "m-1" }).bytes, 6 + 10 + 18 + 2)
  })

  it("answers at once for an empty batch", async () => {
    let calls = 0
    publisher.publish([], () => calls++)
    assert.strictEqual(calls, 1)
  })

  it("fails a batch when no stream takes its subject (the server's no-responders status)", async () => {
    const error = await published([{ subject: "nostream.x", payload: "lost" }])
    assert.instanceOf(error, NotAcknowledged)
    assert.match(error!.message, /status 503/)
  })

  it("fails a batch whose acknowledgements do not come in time", async () => {
    // A plain subscriber takes the subject (so no status comes back) and never answers.
    const silent = nc.subscribe("silent.>")
    const started = Date.now()
    const error = await published([{ subject: "silent.a", payload: "unanswered" }], 300)
    assert.instanceOf(error, NotAcknowledged)
    assert.match(error!.message, /no acknowledgement within 300 ms/)
    assert.isAtLeast(Date.now() - started, 290)
    silent.unsubscribe()
  })

  it("fails what still waits when it closes", async () => {
    const own = new AckedPublisher(nc)
    const silent = nc.subscribe("silent.>")
    const waiting = published([{ subject: "silent.b", payload: "pending" }], 60_000, own)
    await nc.flush()
    own.close()
    const error = await waiting
    assert.match(error!.message, /closed/)
    silent.unsubscribe()
  })

  it("fails a batch at once when the connection refuses a publish (closed connection)", async () => {
    const other = await connect({ servers: server.url })
    const own = new AckedPublisher(other)
    await other.close()
    const error = await published([{ subject: "acked.closed", payload: "never" }], 5_000, own)
    assert.instanceOf(error, NotAcknowledged)
    own.close()
  })
})

describe("refusalOf", () => {
  const answer = (text: string, status?: { code: number; description: string }): Pick<Msg, "data" | "headers" | "string"> => {
    const data = new TextEncoder().encode(text)
    return status === undefined
      ? { data, string: () => text }
      : { data, headers: headers(status.code, status.description), string: () => text }
  }

  it("takes a PubAck, duplicate or not", () => {
    assert.isUndefined(refusalOf(answer(`{"stream":"ACKED","seq":7}`)))
    assert.isUndefined(refusalOf(answer(`{"stream":"ACKED","seq":7,"duplicate":true}`)))
  })

  it("refuses the stream's error, a status message, and answers that are not acknowledgements", () => {
    assert.match(refusalOf(answer(`{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"}}`))!, /503: maximum messages exceeded/)
    assert.match(refusalOf(answer("", { code: 503, description: "No Responders" }))!, /status 503/)
    assert.match(refusalOf(answer("not json"))!, /not JSON/)
    assert.match(refusalOf(answer(`{"seq":1}`))!, /names no stream/)
    assert.match(refusalOf(answer(`{"stream":"","seq":1}`))!, /names no stream/)
    assert.match(refusalOf(answer(`{"error":{"code":400,"description":"bad"},"stream":"ACKED"}`))!, /400: bad/)
  })
})
