import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { Faults } from "../faults/Faults.js"
import type { World } from "../world/World.js"
import { countCall } from "./callCounts.js"
import { BodyTooLarge, Context } from "./Context.js"
import { classifyHost } from "./hosts.js"
import type { Route } from "./Route.js"

export type ControlHandler = (req: IncomingMessage, res: ServerResponse, path: string, search: string) => Promise<void>

export interface ListeningServer {
  readonly server: Server
  readonly port: number
  close(): Promise<void>
}

/**
 * The simulator's HTTP front: `/<host>/<path>?<query>` reaches the logical host `<host>` (the
 * `WXFLEET_UPSTREAM` template), `/__sim/…` reaches the control API.
 */
export const listen = async (options: {
  readonly world: World
  readonly faults: Faults
  readonly routes: ReadonlyArray<Route>
  readonly control: ControlHandler
  readonly port?: number
  readonly host?: string
}): Promise<ListeningServer> => {
  const { world, faults, routes, control } = options
  const exact = new Map<string, Route>()
  const prefixed: Array<Route> = []
  for (const route of routes) {
    if (route.path.endsWith("/")) prefixed.push(route)
    else exact.set(`${route.kind} ${route.method} ${route.path}`, route)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = req.url ?? "/"
    const queryAt = raw.indexOf("?")
    const pathname = queryAt === -1 ? raw : raw.slice(0, queryAt)
    const search = queryAt === -1 ? "" : raw.slice(queryAt + 1)
    if (pathname.startsWith("/__sim/")) return control(req, res, pathname.slice("/__sim".length), search)

    const slash = pathname.indexOf("/", 1)
    const hostName = pathname.slice(1, slash === -1 ? undefined : slash)
    const path = slash === -1 ? "/" : pathname.slice(slash)
    const host = classifyHost(hostName)
    if (!host) {
      res.writeHead(502, { "Content-Type": "text/plain", "X-Simulator-Error": "unknown-host" })
      res.end(`unknown host ${hostName}`)
      return
    }
    if (faults.isDown(host.host)) {
      req.socket.destroy()
      return
    }
    const delay = faults.latencyFor(host.host)
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    if (faults.isDown(host.host)) {
      req.socket.destroy()
      return
    }
    const method = req.method === "POST" ? "POST" : "GET"
    const route =
      exact.get(`${host.kind} ${method} ${path}`) ??
      prefixed.find((r) => r.kind === host.kind && r.method === method && path.startsWith(r.path))
    if (!route) {
      res.writeHead(404, { "Content-Type": "text/html" })
      res.end("<html><body><h1>404 Not Found</h1></body></html>")
      return
    }
    countCall(route.path)
    await route.handle(new Context(world, faults, req, res, host, path, search))
  }

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      const tooLarge = error instanceof BodyTooLarge
      res.writeHead(tooLarge ? 413 : 500, { "Content-Type": "text/plain" })
      res.end(tooLarge ? "Request Entity Too Large" : "Internal Server Error")
      if (!tooLarge) world.events.emit("handlerError", error)
    })
  })
  server.maxHeadersCount = 200
  // 10,000 held long polls are 10,000 idle sockets: no per-socket timeout may cut them.
  server.timeout = 0
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    // A fleet opens thousands of connections at once; Node's default backlog (511) overflows.
    server.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1", backlog: 8_192 }, () => resolve())
  })
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
