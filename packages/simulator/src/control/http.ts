import type { IncomingMessage, ServerResponse } from "node:http"
import { Either, ParseResult, Schema } from "effect"

/** A control request that cannot be carried out, with the HTTP status that says why. */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 409 | 413,
    message: string,
  ) {
    super(message)
  }
}

/** What a control handler answers: the fields after `"ok":true`. */
export type ControlAnswer = Record<string, unknown>

export interface ControlRequest {
  readonly req: IncomingMessage
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  /** The parsed JSON body (`{}` for an empty body). */
  readonly body: () => Promise<unknown>
  /** Settles when the connection closes, so a held request can stop waiting for a gone client. */
  readonly closed: Promise<void>
}

export interface ControlRoute {
  readonly method: "GET" | "POST" | "DELETE"
  /** Path below `/__sim`, with `:name` segments captured into `params`. */
  readonly pattern: string
  readonly handle: (request: ControlRequest) => ControlAnswer | Promise<ControlAnswer>
}

/** Bulk bodies (thousands of account specs) stay far below this. */
const MAX_CONTROL_BODY_BYTES = 16 * 1024 * 1024

/** Finds the route for a path and the values of its `:name` segments. */
export const matchRoute = (
  routes: ReadonlyArray<ControlRoute>,
  method: string,
  path: string,
):
  | { readonly route: ControlRoute; readonly params: Record<string, string> }
  | "wrong-method"
  | undefined => {
  const segments = path.split("/").filter((s) => s !== "")
  let pathMatched = false
  for (const route of routes) {
    const params = matchSegments(route.pattern, segments)
    if (!params) continue
    if (route.method === method) return { route, params }
    pathMatched = true
  }
  return pathMatched ? "wrong-method" : undefined
}

const matchSegments = (
  pattern: string,
  segments: ReadonlyArray<string>,
): Record<string, string> | undefined => {
  const parts = pattern.split("/").filter((s) => s !== "")
  if (parts.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (const [i, part] of parts.entries()) {
    const segment = segments[i]!
    if (part.startsWith(":")) {
      try {
        params[part.slice(1)] = decodeURIComponent(segment)
      } catch {
        return undefined
      }
    } else if (part !== segment) return undefined
  }
  return params
}

export const readJsonBody = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_CONTROL_BODY_BYTES) {
        reject(new ControlError(413, `body over ${MAX_CONTROL_BODY_BYTES} bytes`))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8").trim()
      if (text === "") return resolve({})
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(new ControlError(400, "body is not valid JSON"))
      }
    })
    req.on("error", reject)
  })

/** Decodes a body with a schema; unknown keys are refused so a misspelt field is not silently ignored. */
export const decode = <A, I>(schema: Schema.Schema<A, I>, input: unknown): A => {
  const result = Schema.decodeUnknownEither(schema, { onExcessProperty: "error", errors: "all" })(
    input,
  )
  if (Either.isRight(result)) return result.right
  const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left)
  const message = issues
    .map((issue) =>
      issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
    )
    .join("; ")
  throw new ControlError(400, message)
}

export const writeJson = (res: ServerResponse, status: number, value: unknown): void => {
  if (res.headersSent || res.destroyed) return
  const body = JSON.stringify(value)
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  })
  res.end(body)
}

/**
 * The status for an error thrown while carrying out a request. The world throws plain `Error`s
 * for requests it refuses ("unknown account x", "QR y is confirmed"); anything else is a bug.
 */
export const statusOf = (error: unknown): { readonly status: number; readonly message: string } => {
  if (error instanceof ControlError) return { status: error.status, message: error.message }
  if (error instanceof Error && error.constructor === Error) {
    return { status: error.message.startsWith("unknown ") ? 404 : 409, message: error.message }
  }
  return {
    status: 500,
    message: error instanceof Error ? `internal error: ${error.message}` : "internal error",
  }
}

/** An integer query parameter within bounds, or its default when absent. */
export const intParam = (
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number => {
  const raw = query.get(name)
  if (raw === null || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ControlError(400, `${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

/** A comma-separated query parameter as a set, or undefined when absent. */
export const listParam = (
  query: URLSearchParams,
  name: string,
): ReadonlySet<string> | undefined => {
  const raw = query.get(name)
  return raw === null || raw === ""
    ? undefined
    : new Set(
        raw
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      )
}
