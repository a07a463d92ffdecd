import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { type Duration, Effect, Exit, Fiber, Layer } from "effect"
import { CookieJar } from "../src/http/CookieJar.js"
import * as LeanUndiciClient from "../src/http/LeanUndiciClient.js"
import { Transport, WEB_USER_AGENT } from "../src/http/Transport.js"
import { Upstream } from "../src/http/Upstream.js"

/** A plain HTTP server that keeps the headers of every request and answers with `answer` ("ok" by default). */
const recordingServer = (answer: (req: IncomingMessage, res: ServerResponse) => void = (_, res) => res.end("ok")) =>
  Effect.acquireRelease(
    Effect.async<{
      readonly port: number
      readonly seen: Array<IncomingHttpHeaders>
      /** Resolves when a request's connection closes before its answer was sent. */
      readonly abandoned: Promise<void>
      close(): void
    }>((resume) => {
      const seen: Array<IncomingHttpHeaders> = []
      let abandon: () => void = () => {}
      const abandoned = new Promise<void>((resolve) => (abandon = resolve))
      const server = createServer((req, res) => {
        seen.push(req.headers)
        res.on("close", () => {
          if (!res.writableFinished) abandon()
        })
        answer(req, res)
      })
      server.listen(0, "127.0.0.1", () =>
        resume(
          Effect.succeed({
            port: (server.address() as AddressInfo).port,
            seen,
            abandoned,
            close: () => {
              server.closeAllConnections()
              server.close()
            },
          }),
        ),
      )
    }),
    (server) => Effect.sync(() => server.close()),
  )

const transportOver = (port: number, client = LeanUndiciClient.layer) =>
  Transport.Default.pipe(Layer.provide(Layer.mergeAll(client, Upstream.layer(`http://127.0.0.1:${port}/{host}`))))

const synccheck = (timeout: Duration.DurationInput = "5 seconds", jar = CookieJar.empty()) =>
  Effect.flatMap(Transport, (transport) =>
    transport.text(HttpClientRequest.get("https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1"), {
      endpoint: "synccheck",
      jar,
      timeout,
    }),
  )

describe("Transport", () => {
  it.scoped("sends a POST the same whether the lean client takes it apart or sends the prepared request", () =>
    Effect.gen(function* () {
      const seen: Array<{ method: string | undefined; url: string | undefined; headers: IncomingHttpHeaders; body: string }> = []
      const port = yield* Effect.acquireRelease(
        Effect.async<{ port: number; close: () => void }>((resume) => {
          const server = createServer((req, res) => {
            let body = ""
            req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
            req.on("end", () => {
              seen.push({ method: req.method, url: req.url, headers: req.headers, body })
              res.setHeader("set-cookie", "wxsid=abc; Domain=wx2.qq.com; Path=/")
              res.end("{}")
            })
          })
          server.listen(0, "127.0.0.1", () =>
            resume(Effect.succeed({ port: (server.address() as AddressInfo).port, close: () => (server.closeAllConnections(), server.close()) })),
          )
        }),
        (server) => Effect.sync(() => server.close()),
      ).pipe(Effect.map((server) => server.port))
      const jar = CookieJar.empty()
      const post = (body: HttpClientRequest.HttpClientRequest) =>
        Effect.flatMap(Transport, (transport) =>
          transport.text(body, { endpoint: "webwxsendmsg", jar, timeout: "5 seconds", desktop: true, headers: { "Client-Version": "2.0.0" } }),
        )
      const url = "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg?lang=zh_CN&pass_ticket=a%2Bb"
      // A JSON body takes the lean path; the same request with URL params goes through `prepare`.
      const json = HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson({ Msg: { Content: "你好" } }))
      const withParams = HttpClientRequest.post("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg").pipe(
        HttpClientRequest.setUrlParams({ lang: "zh_CN", pass_ticket: "a+b" }),
        HttpClientRequest.bodyUnsafeJson({ Msg: { Content: "你好" } }),
      )
      const layer = transportOver(port)
      yield* post(json).pipe(Effect.provide(layer))
      yield* post(withParams).pipe(Effect.provide(layer))
      expect(seen).toHaveLength(2)
      const [lean, prepared] = seen
      for (const request of seen) {
        expect(request.method).toBe("POST")
        expect(request.url).toBe("/wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg?lang=zh_CN&pass_ticket=a%2Bb")
        expect(request.headers["content-type"]).toBe("application/json")
        expect(request.headers["client-version"]).toBe("2.0.0")
        expect(JSON.parse(request.body)).toEqual({ Msg: { Content: "你好" } })
      }
      expect(lean!.headers["user-agent"]).toBe(prepared!.headers["user-agent"])
      expect(lean!.headers["user-agent"]).toContain("UOS")
      // The first answer's cookie goes with the second request.
      expect(lean!.headers["cookie"]).toBeUndefined()
      expect(prepared!.headers["cookie"]).toBe("wxsid=abc")
    }),
  )

  for (const [name, client] of [
    ["the lean undici client", LeanUndiciClient.layer],
    ["platform-node's undici client", NodeHttpClient.layerUndici],
  ] as const) {
    it.scoped(`sends what a browser sends and no tracing headers, even inside a span (${name})`, () =>
      Effect.gen(function* () {
        const server = yield* recordingServer()
        const answer = yield* synccheck().pipe(Effect.withSpan("a caller's span"), Effect.provide(transportOver(server.port, client)))
        expect(answer.text).toBe("ok")
        expect(server.seen).toHaveLength(1)
        const headers = server.seen[0]!
        expect(headers["user-agent"]).toBe(WEB_USER_AGENT)
        expect(headers["b3"]).toBeUndefined()
        expect(headers["traceparent"]).toBeUndefined()
      }),
    )

    it.scoped(`keeps the cookies an answer sets and fails a refused status with its body (${name})`, () =>
      Effect.gen(function* () {
        const server = yield* recordingServer((_, res) => {
          res.statusCode = 503
          res.setHeader("set-cookie", "wxsid=abc; Domain=wx2.qq.com; Path=/")
          res.end("busy")
        })
        const jar = CookieJar.empty()
        const exit = yield* synccheck("5 seconds", jar).pipe(Effect.provide(transportOver(server.port, client)), Effect.exit)
        expect(exit).toStrictEqual(Exit.fail(expect.objectContaining({ _tag: "UnexpectedStatus", status: 503, raw: "busy" })))
        expect(jar.value("wxsid", "https://webpush.wx2.qq.com/")).toBe("abc")
      }),
    )

    it.scoped(`reads a body sent in pieces as one UTF-8 text, a character split between pieces included (${name})`, () =>
      Effect.gen(function* () {
        const body = Buffer.from("\uFEFFwindow.synccheck={retcode:\"0\",selector:\"2\"} 你好 😀")
        const server = yield* recordingServer((_, res) => {
          res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"])
          // Cut inside the emoji (4 bytes) and inside a Chinese character (3 bytes).
          const cuts = [5, body.length - 9, body.length - 2]
          let from = 0
          const next = () => {
            const to = cuts.shift()
            if (to === undefined) return void res.end(body.subarray(from))
            res.write(body.subarray(from, to))
            from = to
            setImmediate(next)
          }
          next()
        })
        const jar = CookieJar.empty()
        const answer = yield* synccheck("5 seconds", jar).pipe(Effect.provide(transportOver(server.port, client)))
        expect(answer.text).toBe('window.synccheck={retcode:"0",selector:"2"} 你好 😀')
        expect([jar.value("a", "https://webpush.wx2.qq.com/"), jar.value("b", "https://webpush.wx2.qq.com/")]).toEqual(["1", "2"])
      }),
    )

    it.scoped(`aborts the request when its fiber is interrupted (${name})`, () =>
      Effect.gen(function* () {
        let arrived: () => void = () => {}
        const arrival = new Promise<void>((resolve) => (arrived = resolve))
        const server = yield* recordingServer(() => arrived())
        const fiber = yield* synccheck("1 minute").pipe(Effect.provide(transportOver(server.port, client)), Effect.fork)
        yield* Effect.promise(() => arrival)
        yield* Fiber.interrupt(fiber)
        yield* Effect.promise(() => server.abandoned)
      }),
    )
  }

  it.scoped("ends a request at its deadline with RequestTimeout and closes the connection (lean client)", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer(() => {}) // never answers
      const exit = yield* synccheck("200 millis").pipe(Effect.provide(transportOver(server.port)), Effect.exit)
      expect(exit).toStrictEqual(
        Exit.fail(expect.objectContaining({ _tag: "RequestTimeout", endpoint: "synccheck", host: "webpush.wx2.qq.com", timeoutMs: 200 })),
      )
      yield* Effect.promise(() => server.abandoned)
    }),
  )

  it.scoped("runs a lane's requests on the lane's own connection, apart from the shared pool", () =>
    Effect.gen(function* () {
      const ports: Array<number> = []
      const server = yield* recordingServer((req, res) => {
        ports.push(req.socket.remotePort!)
        res.end("ok")
      })
      const lane = new LeanUndiciClient.Lane()
      yield* Effect.addFinalizer(() => Effect.promise(() => lane.close()))
      const call = (viaLane: boolean) =>
        Effect.flatMap(Transport, (transport) =>
          transport.text(HttpClientRequest.get("https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck"), {
            endpoint: "synccheck",
            jar: CookieJar.empty(),
            timeout: "5 seconds",
            ...(viaLane ? { lane } : {}),
          }),
        )
      yield* Effect.all([call(true), call(true), call(false), call(true)]).pipe(Effect.provide(transportOver(server.port)))
      // The lane's requests reuse its one connection; the pool's request never takes it.
      expect(ports).toHaveLength(4)
      expect(ports[1]).toBe(ports[0])
      expect(ports[3]).toBe(ports[0])
      expect(ports[2]).not.toBe(ports[0])
    }),
  )

  it.scoped("says a refused connection never reached the server (lean client)", () =>
    Effect.gen(function* () {
      const server = yield* recordingServer()
      const port = server.port
      server.close()
      const exit = yield* synccheck().pipe(Effect.provide(transportOver(port)), Effect.exit)
      expect(exit).toStrictEqual(
        Exit.fail(expect.objectContaining({ _tag: "TransportError", beforeSend: true, reason: "ECONNREFUSED" })),
      )
    }),
  )
})
