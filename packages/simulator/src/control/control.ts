import type { IncomingMessage, ServerResponse } from "node:http"
import type { ControlHandler } from "../http/server.js"
import type { Simulator } from "../Simulator.js"
import { EventFeed } from "./EventFeed.js"
import { faultRoutes } from "./faultRoutes.js"
import { matchRoute, readJsonBody, statusOf, writeJson, type ControlRoute } from "./http.js"
import { inspectRoutes } from "./inspectRoutes.js"
import { phoneRoutes } from "./phoneRoutes.js"
import { playRoutes } from "./playRoutes.js"
import { processRoutes } from "./processRoutes.js"
import { worldRoutes } from "./worldRoutes.js"

/**
 * The HTTP control API (`/__sim/…`) for tests, demos, benchmarks and other processes: JSON in,
 * `{"ok":true,…}` or `{"ok":false,"error":"…"}` out (4xx for a request that cannot be carried
 * out). Endpoints are listed in the package README.
 */
export const controlHandler = (sim: Simulator): ControlHandler => {
  const feed = new EventFeed(sim.world)
  const routes: ReadonlyArray<ControlRoute> = [
    ...worldRoutes(sim, feed),
    ...phoneRoutes(sim.world),
    ...playRoutes(sim.world),
    ...faultRoutes(sim),
    ...inspectRoutes(sim.world, feed),
    ...processRoutes(),
  ]

  return async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    search: string,
  ): Promise<void> => {
    const match = matchRoute(routes, req.method ?? "GET", path)
    if (match === undefined)
      return writeJson(res, 404, { ok: false, error: `unknown control endpoint ${path}` })
    if (match === "wrong-method")
      return writeJson(res, 405, { ok: false, error: `${req.method} not allowed on ${path}` })
    const closed = new Promise<void>((resolve) => res.once("close", () => resolve()))
    try {
      const answer = await match.route.handle({
        req,
        params: match.params,
        query: new URLSearchParams(search),
        body: () => readJsonBody(req),
        closed,
      })
      writeJson(res, 200, { ok: true, ...answer })
    } catch (error) {
      const { status, message } = statusOf(error)
      if (status === 500) sim.world.events.emit("handlerError", error)
      writeJson(res, status, { ok: false, error: message })
    }
  }
}
