import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { CookieJar } from "../src/http/CookieJar.js"
import { Transport, WEB_USER_AGENT } from "../src/http/Transport.js"
import { Upstream } from "../src/http/Upstream.js"

/** A plain HTTP server that answers "ok" and keeps the headers of every request. */
const recordingServer = Effect.acquireRelease(
  Effect.async<{ readonly port: number; readonly seen: Array<IncomingHttpHeaders>; close(): void }>(
    (resume) => {
      const seen: Array<IncomingHttpHeaders> = []
      const server = createServer((req, res) => {
        seen.push(req.headers)
        res.end("ok")
      })
      server.listen(0, "127.0.0.1", () =>
        resume(
          Effect.succeed({
            port: (server.address() as AddressInfo).port,
            seen,
            close: () => server.close(),
          }),
        ),
      )
    },
  ),
  (server) => Effect.sync(() => server.close()),
)

describe("Transport", () => {
  it.scoped("sends what a browser sends and no tracing headers, even inside a span", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer
      const layer = Transport.Default.pipe(
        Layer.provide(
          Layer.mergeAll(
            NodeHttpClient.layerUndici,
            Upstream.layer(`http://127.0.0.1:${server.port}/{host}`),
          ),
        ),
      )
      const jar = CookieJar.empty()
      yield* Effect.flatMap(Transport, (transport) =>
        transport.text(
          HttpClientRequest.get("https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1"),
          {
            endpoint: "synccheck",
            jar,
            timeout: "5 seconds",
          },
        ),
      ).pipe(Effect.withSpan("a caller's span"), Effect.provide(layer))
      expect(server.seen).toHaveLength(1)
      const headers = server.seen[0]!
      expect(headers["user-agent"]).toBe(WEB_USER_AGENT)
      expect(headers["b3"]).toBeUndefined()
      expect(headers["traceparent"]).toBeUndefined()
    }),
  )
})
