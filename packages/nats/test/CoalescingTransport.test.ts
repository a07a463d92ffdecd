import { NatsServer } from "@wxfleet/testing"
import type { NatsConnection } from "@nats-io/transport-node"
import type { Socket } from "node:net"
import { afterAll, describe, expect, it } from "vitest"
import { connectCoalescing, connectPlain } from "../src/CoalescingTransport.js"

const server = await NatsServer.start()
afterAll(() => server.dispose())

/** The connection's socket: the one place the test looks inside nats.js, to count syscall-level writes. */
const socketOf = (nc: NatsConnection): Socket =>
  (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport.socket

/**
 * Publishes `count` messages within one turn but flushed apart (as separate fibers do), and counts the
 * socket writes (`_write` or `_writev` calls) they cost; every message must still arrive in order.
 */
const publishAndCount = async (connect: typeof connectCoalescing, count: number) => {
  const publisher = await connect({ servers: server.url })
  const subscriber = await connectPlain({ servers: server.url })
  try {
    const received: Array<string> = []
    const sub = subscriber.subscribe("coalesce.test", { max: count })
    const done = (async () => {
      for await (const msg of sub) received.push(msg.string())
    })()
    await subscriber.flush()
    const socket = socketOf(publisher) as Socket & {
      _write: (...args: Array<unknown>) => void
      _writev: (...args: Array<unknown>) => void
    }
    let writes = 0
    const write = socket._write.bind(socket)
    const writev = socket._writev.bind(socket)
    socket._write = (...args) => (writes++, write(...args))
    socket._writev = (...args) => (writes++, writev(...args))
    // Each publish two microtasks after the last, so nats.js's flush microtask runs in between.
    const step = (i: number) => {
      publisher.publish("coalesce.test", `m${i}`)
      if (i + 1 < count) queueMicrotask(() => queueMicrotask(() => step(i + 1)))
    }
    step(0)
    await publisher.flush()
    await done
    return { writes, received }
  } finally {
    await publisher.close()
    await subscriber.close()
  }
}

describe("connectCoalescing", () => {
  it("sends what one event-loop turn produced in one write, in order", async () => {
    const plain = await publishAndCount(connectPlain, 200)
    const coalesced = await publishAndCount(connectCoalescing, 200)
    const expected = Array.from({ length: 200 }, (_, i) => `m${i}`)
    expect(plain.received).toEqual(expected)
    expect(coalesced.received).toEqual(expected)
    // nats.js flushes after each microtask, so the plain transport writes many times.
    expect(plain.writes).toBeGreaterThan(50)
    // The 200 publishes and the flush's PING: one turn, so at most a write or two.
    expect(coalesced.writes).toBeLessThanOrEqual(2)
  })

  it("keeps request and reply working across a server restart", async () => {
    const local = await NatsServer.start()
    try {
      const nc = await connectCoalescing({ servers: local.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 })
      const responder = await connectCoalescing({ servers: local.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 })
      try {
        responder.subscribe("svc.echo", { callback: (_err, msg) => void msg.respond(`echo:${msg.string()}`) })
        await responder.flush()
        expect((await nc.request("svc.echo", "a", { timeout: 2_000 })).string()).toBe("echo:a")
        const reconnected = Promise.all([nc, responder].map((c) => waitFor(c, "reconnect")))
        await local.restart()
        await reconnected
        // The responder re-subscribes on its own connection; a round trip on it makes sure the server has
        // the subscription before the request arrives on the other connection (else: no responders).
        await responder.flush()
        expect((await nc.request("svc.echo", "b", { timeout: 5_000 })).string()).toBe("echo:b")
      } finally {
        await nc.close()
        await responder.close()
      }
    } finally {
      await local.dispose()
    }
  })
})

const waitFor = async (nc: NatsConnection, type: string): Promise<void> => {
  for await (const status of nc.status()) if (status.type === type) return
}
