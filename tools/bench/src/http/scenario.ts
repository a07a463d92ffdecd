import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { CookieJar, LeanUndiciClient, Transport, Upstream } from "@wxfleet/protocol"
import { Effect, Layer, ManagedRuntime } from "effect"
import { spawn } from "node:child_process"
import { cpus } from "node:os"
import { parseArgs } from "node:util"
import { request as undiciRequest, Agent } from "undici"
import { median } from "../stats.js"

/**
 * CPU per HTTP round trip on the client side, the cost a supervisor pays three times per
 * message (synccheck, webwxsync, a send): a small JSON POST answered by a plain Node server in
 * its own process, `concurrency` in flight, over keep-alive connections. Compares undici alone,
 * platform-node's Effect client, the lean client, and the protocol's Transport over each.
 */
export interface HttpFigures {
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string }
  readonly requests: number
  readonly concurrency: number
  readonly rounds: number
  /** Median over the rounds: µs of this process's CPU per request, and requests per second. */
  readonly rows: ReadonlyArray<{ readonly client: string; readonly cpuUs: number; readonly perSecond: number }>
}

const ANSWER = JSON.stringify({ BaseResponse: { Ret: 0, ErrMsg: "" }, MsgID: "1", LocalID: "2" })

const SERVER = `const body=${JSON.stringify(ANSWER)};
const s=require("node:http").createServer((q,r)=>{q.resume();q.on("end",()=>{r.setHeader("content-type","application/json");r.end(body)})});
s.keepAliveTimeout=60000;s.listen(0,"127.0.0.1",()=>console.log(s.address().port))`

const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

const measure = async (requests: number, concurrency: number, send: () => Promise<unknown>) => {
  let started = 0
  const cpu0 = cpuMs()
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < requests) {
        started++
        await send()
      }
    }),
  )
  return {
    cpuUs: ((cpuMs() - cpu0) / requests) * 1000,
    perSecond: requests / ((performance.now() - t0) / 1000),
  }
}

export const runHttpBenchmark = async (requests: number, concurrency: number, rounds: number): Promise<HttpFigures> => {
  // A plain node for the server: no loader or options inherited from the bench's own process.
  const server = spawn(process.execPath, ["-e", SERVER], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { PATH: process.env["PATH"] ?? "" },
  })
  try {
    // The server prints its port on a line of its own (anything else on stdout is not it).
    const port = await new Promise<number>((resolve, reject) => {
      let seen = ""
      server.once("exit", (code) => reject(new Error(`the test server exited with ${code}: ${seen}`)))
      server.stdout!.on("data", (chunk) => {
        seen += String(chunk)
        const line = /^(\d+)$/m.exec(seen)
        if (line) resolve(Number(line[1]))
      })
    })
    const origin = `http://127.0.0.1:${port}`
    const runtimeOver = (client: Layer.Layer<HttpClient.HttpClient>) =>
      ManagedRuntime.make(Transport.Default.pipe(Layer.provideMerge(Layer.mergeAll(client, Upstream.layer(`${origin}/{host}`)))))
    const platform = runtimeOver(NodeHttpClient.layerUndici)
    const lean = runtimeOver(LeanUndiciClient.layer)
    const agent = new Agent()
    const jar = CookieJar.empty()
    const post = () => HttpClientRequest.post(`${origin}/cgi-bin/mmwebwx-bin/webwxsendmsg`).pipe(HttpClientRequest.bodyUnsafeJson({ a: 1 }))
    const viaTransport = (runtime: typeof lean) => () =>
      runtime.runPromise(
        Effect.flatMap(Transport, (transport) =>
          transport.text(HttpClientRequest.post("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg").pipe(HttpClientRequest.bodyUnsafeJson({ a: 1 })), {
            endpoint: "webwxsendmsg",
            jar,
            timeout: "15 seconds",
          }),
        ),
      )
    const viaClient = (runtime: typeof lean) => () =>
      runtime.runPromise(Effect.flatMap(HttpClient.HttpClient, (client) => Effect.flatMap(client.execute(post()), (r) => r.text)))
    // The steady sync round's path: the same Transport call in undici's callbacks, no fiber.
    const plain = (await lean.runPromise(Transport)).plain!
    const viaPlain = () =>
      new Promise((resolve, reject) =>
        plain.textThen(
          { method: "POST", url: "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsendmsg", body: JSON.stringify({ a: 1 }) },
          { endpoint: "webwxsendmsg", jar, timeout: "15 seconds" },
          (exit) => (exit._tag === "Success" ? resolve(exit.value) : reject(new Error(String(exit.cause)))),
        ),
      )
    const clients: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
      ["undici.request (no Effect)", () => undiciRequest(`${origin}/x`, { method: "POST", body: "{}", dispatcher: agent }).then((r) => r.body.text())],
      ["platform-node HttpClient", viaClient(platform)],
      ["lean HttpClient", viaClient(lean)],
      ["Transport.text over platform-node", viaTransport(platform)],
      ["Transport.text over lean (the supervisor's)", viaTransport(lean)],
      ["Transport.plain.textThen over lean (the steady round's)", viaPlain],
    ]
    const samples = new Map<string, Array<{ cpuUs: number; perSecond: number }>>()
    // One untimed round warms every path up; rounds interleave the clients so drift hits all alike.
    for (let round = 0; round <= rounds; round++) {
      for (const [name, send] of clients) {
        const figures = await measure(requests, concurrency, send)
        if (round > 0) samples.set(name, [...(samples.get(name) ?? []), figures])
      }
    }
    await Promise.all([platform.dispose(), lean.dispose(), agent.close()])
    return {
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version },
      requests,
      concurrency,
      rounds,
      rows: clients.map(([client]) => {
        const runs = samples.get(client) ?? []
        return {
          client,
          cpuUs: median(runs.map((r) => r.cpuUs)),
          perSecond: median(runs.map((r) => r.perSecond)),
        }
      }),
    }
  } finally {
    server.kill()
  }
}

/** `npm run bench -- http [--requests N] [--concurrency N] [--rounds N] [--json]` */
export const runHttpScenario = async (argv: ReadonlyArray<string>): Promise<void> => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      requests: { type: "string", default: "20000" },
      concurrency: { type: "string", default: "100" },
      rounds: { type: "string", default: "5" },
      json: { type: "boolean", default: false },
    },
  })
  const figures = await runHttpBenchmark(Number(values.requests), Number(values.concurrency), Number(values.rounds))
  if (values.json) return void console.log(JSON.stringify(figures, null, 2))
  const base = figures.rows.find((r) => r.client.startsWith("undici"))!.cpuUs
  console.log(
    [
      `machine: ${figures.machine.cpus} × ${figures.machine.cpuModel}, Node ${figures.machine.node}; ${figures.requests} requests × ${figures.rounds} rounds, ${figures.concurrency} in flight; medians`,
      "",
      "| client | CPU per request (client process) | × undici alone | requests/s |",
      "| --- | --- | --- | --- |",
      ...figures.rows.map((r) => `| ${r.client} | ${r.cpuUs.toFixed(0)} µs | ${(r.cpuUs / base).toFixed(2)} | ${r.perSecond.toFixed(0)} |`),
    ].join("\n"),
  )
}
