import { connect as plainConnect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node"
import { NatsConnectionImpl, setTransportFactory } from "@nats-io/transport-node/lib/nats-base-client.js"
import { NodeTransport, nodeResolveHost } from "@nats-io/transport-node/lib/node_transport.js"

/**
 * nats.js writes each flush to the socket on its own (it flushes in a microtask after the first
 * command), so a busy process makes one write syscall per publish, request and reply: ~12 % of the
 * supervisor's CPU at 500 replies/s went to `writeBuffer`. This transport corks the socket at the
 * first frame of an event-loop turn and uncorks it in that turn's check phase (`setImmediate`),
 * so everything the turn produced leaves in one `writev` — no timer, no added turn of latency.
 */
class CoalescingTransport extends NodeTransport {
  private corked = false

  private readonly uncork = () => {
    this.corked = false
    // After a reconnect the transport is a new object; a closed socket just drops the call.
    this.socket?.uncork()
  }

  override send(frame: Uint8Array): void {
    if (!this.corked && this.socket !== undefined && !this.isClosed) {
      this.corked = true
      this.socket.cork()
      setImmediate(this.uncork)
    }
    super.send(frame)
  }
}

/** `connect` of transport-node, with writes coalesced per event-loop turn. */
export const connectCoalescing = (options: NodeConnectionOptions): Promise<NatsConnection> => {
  // transport-node's own connect sets the (global) factory on each call; so does this one.
  setTransportFactory({ factory: () => new CoalescingTransport(), dnsResolveFn: nodeResolveHost })
  return NatsConnectionImpl.connect(options)
}

/** transport-node's `connect` unchanged, for comparison in benchmarks. */
export const connectPlain = plainConnect
