import type { IncomingMessage, ServerResponse } from "node:http"
import type { Faults } from "../faults/Faults.js"
import { writeWireJson, type WireValue } from "../wire/json.js"
import type { World } from "../world/World.js"
import type { HostInfo } from "./hosts.js"

/** Largest request body the simulator reads (an upload chunk is 512 KiB; a JSON body far less). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024

export class BodyTooLarge extends Error {}

export interface CookieOptions {
  readonly domain?: string
  readonly maxAgeSeconds?: number
}

/** One request to a logical host, with the helpers every endpoint needs to answer in wire form. */
export class Context {
  readonly query: URLSearchParams
  readonly cookies: ReadonlyMap<string, string>
  private readonly setCookies: Array<string> = []
  private bodyPromise: Promise<Buffer> | undefined

  constructor(
    readonly world: World,
    readonly faults: Faults,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly host: HostInfo,
    readonly path: string,
    search: string,
  ) {
    this.query = new URLSearchParams(search)
    this.cookies = parseCookieHeader(req.headers.cookie)
  }

  get method(): string {
    return this.req.method ?? "GET"
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name.toLowerCase()]
    return Array.isArray(value) ? value[0] : value
  }

  body(limit = MAX_BODY_BYTES): Promise<Buffer> {
    this.bodyPromise ??= new Promise((resolve, reject) => {
      const chunks: Array<Buffer> = []
      let size = 0
      this.req.on("data", (chunk: Buffer) => {
        size += chunk.length
        if (size > limit) {
          reject(new BodyTooLarge(`body over ${limit} bytes`))
          this.req.destroy()
          return
        }
        chunks.push(chunk)
      })
      this.req.on("end", () => resolve(Buffer.concat(chunks)))
      this.req.on("error", reject)
    })
    return this.bodyPromise
  }

  /** The JSON body, or undefined when it is not a JSON object (the caller answers as the server would). */
  async jsonBody(): Promise<Record<string, unknown> | undefined> {
    try {
      const parsed: unknown = JSON.parse((await this.body()).toString("utf8"))
      return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : undefined
    } catch (error) {
      if (error instanceof BodyTooLarge) throw error
      return undefined
    }
  }

  /** Sets a cookie the way the Web WeChat hosts do, with an `Expires` date (and its comma). */
  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    const expires = new Date(this.world.now() + (options.maxAgeSeconds ?? 12 * 3600) * 1000).toUTCString()
    const parts = [`${name}=${value}`]
    if (options.domain) parts.push(`Domain=${options.domain}`)
    parts.push("Path=/", `Expires=${expires}`)
    this.setCookies.push(parts.join("; "))
  }

  /** Answers with a body, unless a fault says this answer is to be malformed. */
  send(status: number, body: string | Uint8Array, headers: Record<string, string | number> = {}): void {
    if (this.res.headersSent || this.res.destroyed) return
    let payload: string | Uint8Array = body
    const malformed = this.faults.takeMalformed(this.host.host, this.path)
    if (malformed === "truncated") {
      payload = typeof body === "string" ? body.slice(0, Math.max(1, Math.floor(body.length / 2))) : body.subarray(0, body.length >> 1)
    } else if (malformed === "html") {
      payload = "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
      headers = { ...headers, "Content-Type": "text/html" }
    } else if (malformed === "empty") {
      payload = ""
    }
    if (this.setCookies.length > 0) this.res.setHeader("Set-Cookie", this.setCookies)
    const bytes = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload
    this.res.writeHead(status, { "Content-Length": bytes.length, ...headers })
    this.res.end(bytes)
  }

  /** JavaScript assignment bodies (jslogin, login poll, synccheck) are served as text/javascript. */
  sendJs(text: string): void {
    this.send(200, text, { "Content-Type": "text/javascript" })
  }

  sendJson(value: WireValue): void {
    this.send(200, writeWireJson(value), { "Content-Type": "text/plain" })
  }

  sendXml(xml: string, status = 200, headers: Record<string, string> = {}): void {
    this.send(status, xml, { "Content-Type": "text/plain", ...headers })
  }

  /** Serves bytes, honouring a `Range: bytes=a-b` header with 206 as the media hosts do. */
  sendBytes(mime: string, bytes: Uint8Array, options: { range?: boolean; fileName?: string } = {}): void {
    const headers: Record<string, string | number> = { "Content-Type": mime }
    if (options.fileName) headers["Content-Disposition"] = `attachment; filename="${encodeURIComponent(options.fileName)}"`
    const range = options.range ? this.header("range") : undefined
    const match = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null
    if (options.range) headers["Accept-Ranges"] = "bytes"
    if (match && (match[1] !== "" || match[2] !== "")) {
      const size = bytes.length
      let start = match[1] === "" ? size - Number(match[2]) : Number(match[1])
      let end = match[1] === "" || match[2] === "" ? size - 1 : Number(match[2])
      start = Math.max(0, start)
      end = Math.min(end, size - 1)
      if (start > end || start >= size) {
        this.send(416, "", { "Content-Range": `bytes */${size}` })
        return
      }
      this.send(206, bytes.subarray(start, end + 1), { ...headers, "Content-Range": `bytes ${start}-${end}/${size}` })
      return
    }
    this.send(200, bytes, headers)
  }

  /** Runs `fn` if the client goes away before the answer (a held long poll that was abandoned). */
  onClientGone(fn: () => void): void {
    this.res.on("close", () => {
      if (!this.res.writableEnded) fn()
    })
  }
}

const parseCookieHeader = (header: string | undefined): ReadonlyMap<string, string> => {
  const cookies = new Map<string, string>()
  if (!header) return cookies
  for (const part of header.split(";")) {
    const eq = part.indexOf("=")
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return cookies
}
