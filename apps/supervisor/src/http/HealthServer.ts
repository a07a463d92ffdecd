import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer, Runtime } from "effect"
import { SupervisorConfig } from "../config/SupervisorConfig.js"
import { Fleet } from "../fleet/Fleet.js"
import { SupervisorLease } from "../fleet/SupervisorLease.js"
import { Metrics } from "../metrics/Metrics.js"

/** Where the health server listens (its port, when configured as 0). */
export class HealthAddress extends Context.Tag("@wxfleet/supervisor/HealthAddress")<HealthAddress, { readonly port: number }>() {}

/**
 * `/healthz` (JSON: the fleet's lease — "holding", or "waiting" with who holds it — and sessions
 * by state) and `/metrics` (Prometheus text) over HTTP.
 */
export const HealthServerLive: Layer.Layer<HealthAddress, never, SupervisorConfig | Fleet | Metrics | SupervisorLease> = Layer.scoped(
  HealthAddress,
  Effect.gen(function* () {
    const config = yield* SupervisorConfig
    const fleet = yield* Fleet
    const { registry } = yield* Metrics
    const lease = yield* SupervisorLease
    const runtime = yield* Effect.runtime<never>()
    const server = createServer((req, res) => {
      if (req.url === "/healthz") {
        Runtime.runPromise(runtime)(fleet.list).then((accounts) => {
          const byState: Record<string, number> = {}
          for (const a of accounts) byState[a.state] = (byState[a.state] ?? 0) + 1
          res.writeHead(200, { "Content-Type": "application/json" })
          res.end(JSON.stringify({ ok: true, ...lease.status(), accounts: accounts.length, sessions: byState }))
        }, () => {
          res.writeHead(500)
          res.end()
        })
      } else if (req.url === "/metrics") {
        registry.metrics().then((text) => {
          res.writeHead(200, { "Content-Type": registry.contentType })
          res.end(text)
        }, () => {
          res.writeHead(500)
          res.end()
        })
      } else {
        res.writeHead(404, { "Content-Type": "text/plain" })
        res.end("not found")
      }
    })
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(config.httpPort, "127.0.0.1", () => resume(Effect.void))
      }),
      () => Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      }),
    )
    return { port: (server.address() as AddressInfo).port }
  }),
)
