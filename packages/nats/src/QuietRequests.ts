import type { Msg } from "@nats-io/transport-node"
import { RequestOne } from "@nats-io/transport-node/lib/nats-base-client.js"

interface AnsweredRequest {
  timer?: { cancel(): void }
  deferred: { resolve(msg: Msg): void }
  mux: { cancel(request: unknown): void }
}

type Resolver = (this: AnsweredRequest, err: Error | null, msg: Msg) => void

let installed = false

/**
 * nats.js ends every answered request by calling `cancel()`, which builds a
 * `RequestError("cancelled")` (a stack trace) only to reject a promise it has just resolved: 3–4 %
 * of the supervisor's CPU at a few thousand requests a second (every JetStream publish ack is a
 * request). An answered request is settled here without that error; a failed one still takes
 * nats.js's own path. Patches nats-core's `RequestOne` (exported by its `internal` entry, which
 * transport-node re-exports) once per process; `test/QuietRequests.test.ts` fails if an upgrade
 * changes what it relies on.
 */
export const settleAnsweredRequestsQuietly = (): void => {
  if (installed) return
  installed = true
  const prototype = RequestOne.prototype as unknown as { resolver: Resolver }
  const original = prototype.resolver
  prototype.resolver = function (this: AnsweredRequest, err: Error | null, msg: Msg) {
    if (err) return original.call(this, err, msg)
    this.timer?.cancel()
    this.deferred.resolve(msg)
    this.mux.cancel(this)
  }
}
