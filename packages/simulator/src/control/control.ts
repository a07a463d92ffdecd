import type { IncomingMessage, ServerResponse } from "node:http"
import type { Simulator } from "../Simulator.js"

/** The HTTP control API (`/__sim/…`) for demos and other processes; see README. */
export const controlHandler =
  (_sim: Simulator) =>
  async (_req: IncomingMessage, res: ServerResponse, _path: string, _search: string): Promise<void> => {
    res.writeHead(404, { "Content-Type": "application/json" })
    res.end(JSON.stringify({ ok: false, error: "unknown control endpoint" }))
  }
