import { NatsServer } from "@wxfleet/testing"
import { errors, type NatsConnection, type RequestError } from "@nats-io/transport-node"
import { RequestOne } from "@nats-io/transport-node/lib/nats-base-client.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectCoalescing } from "../src/CoalescingTransport.js"
import { settleAnsweredRequestsQuietly } from "../src/QuietRequests.js"

const server = await NatsServer.start()
afterAll(() => server.dispose())

/** The requests nats.js still tracks: each must be gone once answered or failed. */
const pending = (nc: NatsConnection): number =>
  (nc as unknown as { protocol: { muxSubscriptions: { reqs: Map<string, unknown> } } }).protocol.muxSubscriptions.reqs.size

describe("settleAnsweredRequestsQuietly", () => {
  let nc: NatsConnection
  let cancels = 0
  beforeAll(async () => {
    settleAnsweredRequestsQuietly()
    const prototype = RequestOne.prototype as unknown as { cancel: (...args: Array<unknown>) => void }
    const cancel = prototype.cancel
    prototype.cancel = function (...args) {
      cancels++
      return cancel.apply(this, args)
    }
    nc = await connectCoalescing({ servers: server.url })
    nc.subscribe("quiet.echo", { callback: (_err, msg) => void msg.respond(`echo:${msg.string()}`) })
    nc.subscribe("quiet.silent", { callback: () => undefined })
    await nc.flush()
    return () => nc.close()
  })

  it("settles answered requests without nats.js's cancel (and its error), and forgets them", async () => {
    cancels = 0
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => nc.request("quiet.echo", `m${i}`, { timeout: 2_000 })),
    )
    expect(answers.map((m) => m.string())).toEqual(Array.from({ length: 100 }, (_, i) => `echo:m${i}`))
    expect(cancels).toBe(0)
    expect(pending(nc)).toBe(0)
  })

  it("still fails a request nobody answers, as nats.js does", async () => {
    const error = await nc.request("quiet.nobody", "x", { timeout: 2_000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errors.RequestError)
    expect((error as RequestError).isNoResponders()).toBe(true)
    expect(pending(nc)).toBe(0)
  })

  it("still times out a request that is never answered", async () => {
    const error = await nc.request("quiet.silent", "x", { timeout: 200 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(errors.TimeoutError)
    expect(pending(nc)).toBe(0)
  })
})
