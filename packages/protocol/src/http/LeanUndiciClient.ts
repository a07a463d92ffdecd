import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Undici from "@effect/platform-node/Undici"
import { Data, Effect, Either, Inspectable, Layer, Option, type Stream } from "effect"
import { EventEmitter } from "node:events"

/**
 * The `@effect/platform` HttpClient on undici, without what a fleet pays for per request and
 * never uses: platform-node's client wraps each request in an AbortController, a
 * FinalizationRegistry entry, header and span bookkeeping and a cached text effect, about
 * 200 µs of CPU a request on top of undici's 60 µs (`npm run bench -- http`). Here a
 * request is one undici call; interrupting the fiber aborts it (headers or body), and a body
 * is read once, as text or as a stream. It never adds tracing headers.
 */
export const make = (dispatcher: Undici.Dispatcher): LeanHttpClient =>
  Object.assign(
    HttpClient.makeWith(
      (prepared) => Effect.flatMap(prepared, (request) => send(dispatcher, request)),
      Effect.succeed,
    ),
    {
      [LeanTypeId]: LeanTypeId,
      textWithin: (request: HttpClientRequest.HttpClientRequest, timeoutMs: number, lane?: Lane) =>
        textWithin(dispatcher, request, timeoutMs, lane),
      textTo: <A, E>(target: Target, timeoutMs: number, lane: Lane | undefined, settle: (outcome: Outcome) => Effect.Effect<A, E>) =>
        dispatchText(lane === undefined ? dispatcher : lane.dispatcherFor(target.origin), targetOptions(target), timeoutMs, settle),
      textThen: (target: Target, timeoutMs: number, lane: Lane | undefined, report: (outcome: Outcome) => void) =>
        startText(lane === undefined ? dispatcher : lane.dispatcherFor(target.origin), targetOptions(target), timeoutMs, report),
    },
  ) as LeanHttpClient

type Body = Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>

const LeanTypeId: unique symbol = Symbol.for("@wxfleet/protocol/LeanUndiciClient")
type LeanTypeId = typeof LeanTypeId

/** The request took longer than its deadline (it was aborted). */
export class DeadlineExceeded extends Data.TaggedError("DeadlineExceeded")<{ readonly timeoutMs: number }> {}

/** A whole answer read as text: what most Web WeChat calls need. */
export interface TextAnswer {
  readonly status: number
  readonly headers: Headers.Headers
  readonly cookies: Cookies.Cookies
  readonly text: string
}

/**
 * The lean client, plus a fast path for the calls of a sync round: request and whole body as
 * one undici call with one timer for the deadline, instead of an Effect chain with a racing
 * timeout fiber.
 */
export interface LeanHttpClient extends HttpClient.HttpClient {
  readonly [LeanTypeId]: LeanTypeId
  readonly textWithin: (
    request: HttpClientRequest.HttpClientRequest,
    timeoutMs: number,
    /** A connection of the caller's own instead of one from the shared pool. */
    lane?: Lane,
  ) => Effect.Effect<TextAnswer, HttpClientError.RequestError | DeadlineExceeded>
  /**
   * `textWithin` for a request already taken apart: no request object or URL to build and parse
   * again. `settle` turns how the call ended into its result, called back as it ends: no steps
   * of its own, nothing more kept while the call waits.
   */
  readonly textTo: <A, E>(
    target: Target,
    timeoutMs: number,
    lane: Lane | undefined,
    settle: (outcome: Outcome) => Effect.Effect<A, E>,
  ) => Effect.Effect<A, E>
  /**
   * `textTo` without Effect: `report` is called back once with how the call ended, unless the
   * call is stopped first. For a loop whose whole round is callbacks.
   */
  readonly textThen: (target: Target, timeoutMs: number, lane: Lane | undefined, report: (outcome: Outcome) => void) => Call
}

/** A call started with `textThen`. */
export interface Call {
  /** Aborts the call; nothing is reported after it. */
  stop(): void
}

/** How a call ended: its whole answer, its deadline passing, or undici's error. */
export type Outcome = TextAnswer | DeadlineExceeded | Error

export const isAnswer = (outcome: Outcome): outcome is TextAnswer => outcome instanceof Answer

/** Where and what a request sends: origin and path as undici takes them. */
export interface Target {
  readonly method: string
  readonly origin: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array | null
}

/**
 * One connection per origin that belongs to one caller: what a session's long poll runs on, as
 * a browser tab keeps its own. In the shared pool, 10,000 held polls are 10,000 busy
 * connections that undici scans, one by one, for each request looking for a free one, and that
 * leave no free connection for a round's webwxsync, so each round opened new ones: 10,000
 * sessions spent a third of their CPU on that. With the polls in lanes the pool holds only short
 * calls, and each poll reuses its own connection.
 */
export class Lane {
  private readonly clients = new Map<string, Undici.Client>()

  dispatcherFor(origin: string): Undici.Dispatcher {
    let client = this.clients.get(origin)
    if (client === undefined) {
      client = new Undici.Client(origin, { pipelining: 1 })
      this.clients.set(origin, client)
    }
    return client
  }

  /** Closes the lane's connections (a request in flight is aborted). */
  close(): Promise<void> {
    const clients = [...this.clients.values()]
    this.clients.clear()
    return Promise.all(clients.map((client) => client.destroy().catch(() => undefined))).then(() => undefined)
  }
}

export const isLean = (client: HttpClient.HttpClient): client is LeanHttpClient => LeanTypeId in client

class Answer implements TextAnswer {
  private cachedHeaders: Headers.Headers | undefined
  private cachedCookies: Cookies.Cookies | undefined
  constructor(
    readonly status: number,
    private readonly raw: Record<string, string | Array<string> | undefined>,
    readonly text: string,
  ) {}
  get headers(): Headers.Headers {
    return (this.cachedHeaders ??= Headers.fromInput(this.raw as Headers.Input))
  }
  get cookies(): Cookies.Cookies {
    return (this.cachedCookies ??= cookiesOf(this.raw))
  }
}

const cookiesOf = (headers: Record<string, string | Array<string> | undefined>): Cookies.Cookies => {
  const header = headers["set-cookie"]
  return header === undefined ? Cookies.empty : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
}

const textWithin = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  timeoutMs: number,
  lane: Lane | undefined,
): Effect.Effect<TextAnswer, HttpClientError.RequestError | DeadlineExceeded> => {
  const url = urlOf(request)
  if (url._tag === "Left") return Effect.fail(url.left)
  const via = lane === undefined ? dispatcher : lane.dispatcherFor(url.right.origin)
  const settle = (outcome: Outcome): Effect.Effect<TextAnswer, HttpClientError.RequestError | DeadlineExceeded> =>
    outcome instanceof Answer
      ? Effect.succeed(outcome)
      : outcome instanceof DeadlineExceeded
        ? Effect.fail(outcome)
        : Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: outcome }))
  const run = (body: Body) => dispatchText(via, dispatchOptions(request, url.right, body), timeoutMs, settle)
  return request.body._tag === "Stream" ? Effect.flatMap(bodyOf(request.body), run) : run(directBody(request.body))
}

/** One undici dispatch, its whole answer as text, aborted at the deadline or on interruption. */
const dispatchText = <A, E>(
  via: Undici.Dispatcher,
  options: Undici.Dispatcher.DispatchOptions,
  timeoutMs: number,
  settle: (outcome: Outcome) => Effect.Effect<A, E>,
): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    const call = startText(via, options, timeoutMs, (outcome) => resume(settle(outcome)))
    return Effect.sync(() => call.stop())
  })

/** One undici dispatch with its deadline; `report` hears how it ended, once, unless stopped first. */
const startText = (
  via: Undici.Dispatcher,
  options: Undici.Dispatcher.DispatchOptions,
  timeoutMs: number,
  report: (outcome: Outcome) => void,
): Call => {
  const handler = new TextHandler(report, timeoutMs)
  via.dispatch(options, handler)
  return handler
}

/** A deadline's timer callback, shared: no closure per call (a held poll keeps what its call holds). */
const expire = (handler: TextHandler) => handler.expire()

const NO_HEADERS: Record<string, string | Array<string> | undefined> = Object.freeze({})
const EMPTY_BODY = Buffer.alloc(0)

/**
 * Collects a whole answer straight from undici's dispatch callbacks into one string: no
 * Readable body stream, no promise per step (what `request()` + `body.text()` cost: about a
 * third of undici's CPU per request). Reports exactly once: the answer, an error, its
 * deadline passing, or nothing after `stop`.
 */
class TextHandler implements Undici.Dispatcher.DispatchHandler, Call {
  private controller: Undici.Dispatcher.DispatchController | undefined
  private cancelledBy: Error | undefined
  private done = false
  private status = 0
  private headers: Record<string, string | Array<string> | undefined> = NO_HEADERS
  /** The body so far: most answers come in one chunk, which needs no array. */
  private first: Buffer | undefined
  private rest: Array<Buffer> | undefined
  private readonly timer: NodeJS.Timeout

  constructor(
    private readonly report: (outcome: Outcome) => void,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(expire, timeoutMs, this)
  }

  /** The deadline passed: the call is aborted and reported as DeadlineExceeded. */
  expire(): void {
    const deadline = new DeadlineExceeded({ timeoutMs: this.timeoutMs })
    if (this.cancel(deadline)) this.report(deadline)
  }

  stop(): void {
    if (this.cancel(new Error("interrupted"))) clearTimeout(this.timer)
  }

  /** Stops the request (now, or as soon as undici starts it); true when nothing was reported yet. */
  private cancel(reason: Error): boolean {
    if (this.done) return false
    this.done = true
    this.cancelledBy = reason
    this.controller?.abort(reason)
    return true
  }

  private finish(outcome: Answer | Error): void {
    clearTimeout(this.timer)
    this.report(outcome)
  }

  onRequestStart(controller: Undici.Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.cancelledBy !== undefined) controller.abort(this.cancelledBy)
  }

  onResponseStart(
    _controller: Undici.Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | Array<string> | undefined>,
  ): void {
    // 1xx answers come before the real one.
    this.status = statusCode
    this.headers = headers
  }

  onResponseData(_controller: Undici.Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.first === undefined) this.first = chunk
    else (this.rest ??= []).push(chunk)
  }

  onResponseEnd(): void {
    if (this.done) return
    this.done = true
    const { first, rest } = this
    const bytes = rest === undefined ? (first ?? EMPTY_BODY) : Buffer.concat([first!, ...rest])
    // As fetch's text(): UTF-8, a leading byte order mark dropped.
    const text = bytes.toString("utf8")
    this.finish(new Answer(this.status, this.headers, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text))
  }

  onResponseError(_controller: Undici.Dispatcher.DispatchController, error: Error): void {
    if (this.done) return
    this.done = true
    this.finish(error)
  }
}

/**
 * Connections the shared pool opens to one origin at most; more requests wait for a free one.
 * Without a bound, a burst of calls (a fleet catching up after a stall) opened one connection
 * each, thousands, until the process ran out of files (EMFILE). Held polls do not count: they
 * run on lanes.
 */
export const DEFAULT_CONNECTIONS_PER_ORIGIN = 512

/** A scoped undici Agent (closed with the layer) behind the lean client. */
export const layerWith = (options: { readonly connectionsPerOrigin?: number } = {}): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent({ connections: options.connectionsPerOrigin ?? DEFAULT_CONNECTIONS_PER_ORIGIN })),
        (agent) => Effect.promise(() => agent.destroy()),
      ),
      make,
    ),
  )

export const layer: Layer.Layer<HttpClient.HttpClient> = layerWith()

const send = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError> => {
  const url = urlOf(request)
  if (url._tag === "Left") return Effect.fail(url.left)
  return Effect.flatMap(bodyOf(request.body), (body) =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.RequestError>((resume) => {
      const abort = new EventEmitter()
      dispatcher
        .request(undiciOptions(request, url.right, body, abort))
        .then(
          (source) => resume(Effect.succeed(new LeanResponse(request, source, abort))),
          (cause: unknown) =>
            resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))),
        )
      return Effect.sync(() => abort.emit("abort"))
    }),
  )
}

/** Where the request goes; an unusable URL is the RequestError platform clients give for it. */
const urlOf = (request: HttpClientRequest.HttpClientRequest): Either.Either<URL, HttpClientError.RequestError> =>
  Either.mapLeft(
    UrlParams.makeUrl(request.url, request.urlParams, request.hash),
    (cause) => new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause }),
  )

const targetOptions = (target: Omit<Target, "body"> & { readonly body: Body }): Undici.Dispatcher.DispatchOptions => ({
  method: target.method as Undici.Dispatcher.HttpMethod,
  headers: target.headers,
  origin: target.origin,
  path: target.path,
  body: target.body,
  // Deadlines are the caller's; undici's own would cut the 25-second long polls short.
  headersTimeout: 0,
  bodyTimeout: 0,
})

const dispatchOptions = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: Body,
): Undici.Dispatcher.DispatchOptions =>
  targetOptions({ method: request.method, headers: request.headers, origin: url.origin, path: url.pathname + url.search, body })

const undiciOptions = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: Body,
  abort: EventEmitter,
): Undici.Dispatcher.RequestOptions => ({
  ...dispatchOptions(request, url, body),
  // undici takes an EventEmitter as its abort signal: cheaper than an AbortController per request.
  signal: abort,
})

const directBody = (body: Exclude<HttpBody.HttpBody, HttpBody.Stream>): Body => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
    case "Raw":
      return body.body as Uint8Array
    case "FormData":
      return body.formData as unknown as Undici.FormData
  }
}

const bodyOf = (body: HttpBody.HttpBody): Effect.Effect<Body> =>
  body._tag === "Stream" ? NodeStream.toReadable(body.stream) : Effect.succeed(directBody(body))

class LeanResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  private textPromise: Promise<string> | undefined
  private cachedHeaders: Headers.Headers | undefined
  private cachedCookies: Cookies.Cookies | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private readonly source: Undici.Dispatcher.ResponseData,
    private readonly abort: EventEmitter,
  ) {
    super()
    // An aborted or broken body must not become an unhandled 'error' event.
    source.body.on("error", () => {})
  }

  get status(): number {
    return this.source.statusCode
  }

  get headers(): Headers.Headers {
    return (this.cachedHeaders ??= Headers.fromInput(this.source.headers as Headers.Input))
  }

  get cookies(): Cookies.Cookies {
    return (this.cachedCookies ??= cookiesOf(this.source.headers))
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  /** The whole body; read once, later calls share the result; interruption aborts the read. */
  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.onInterrupt(
      Effect.tryPromise({
        try: () => (this.textPromise ??= this.source.body.text()),
        catch: (cause) => this.decodeError(cause),
      }),
      () => Effect.sync(() => this.abort.emit("abort")),
    )
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => (text === "" ? null : (JSON.parse(text) as unknown)), catch: (cause) => this.decodeError(cause) }),
    )
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({ try: () => UrlParams.fromInput(new URLSearchParams(text)), catch: (cause) => this.decodeError(cause) }),
    )
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () => this.source.body.formData() as Promise<FormData>,
      catch: (cause) => this.decodeError(cause),
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.tryPromise({ try: () => this.source.body.arrayBuffer(), catch: (cause) => this.decodeError(cause) })
  }

  /** The body as it arrives; the stream's end or interruption releases the connection. */
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return NodeStream.fromReadable(
      () => this.source.body,
      (cause) => this.decodeError(cause),
    )
  }

  override toJSON(): unknown {
    return { _id: "@wxfleet/protocol/LeanUndiciClient/Response", status: this.status, url: this.request.url }
  }
}
