import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Headers from "@effect/platform/Headers"
import type { HttpClientError } from "@effect/platform/HttpClientError"
import { Duration, Effect, Either, Exit, Option, Stream } from "effect"
import { MalformedResponse, RequestTimeout, TransportError, UnexpectedStatus, type HttpFailure } from "../Errors.js"
import type { CookieJar } from "./CookieJar.js"
import * as LeanUndiciClient from "./LeanUndiciClient.js"
import { splitUrl } from "./SplitUrl.js"
import { transportUrl, transportUrlOf, Upstream } from "./Upstream.js"

/** The browser the web client is; desktop mode poses as the UOS desktop client instead. */
export const WEB_USER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
export const DESKTOP_USER_AGENT =
  "Mozilla/5.0 (X11; U; UOS x86_64; zh-cn) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.0 Safari/537.36 UOSBrowser/6.0.1.1001"

/** The desktop client's extra headers, the same bytes every desktop-mode library sends. */
export const DESKTOP_HEADERS: Readonly<Record<string, string>> = {
  "client-version": "2.0.0",
  extspam:
    "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAESySibk50w5Wb3uTl2c2h64jVVrV7gNs06GFlWplHQbY/5FfiO++1yH4ykCyNPWKXmco+wfQzK5R98D3so7rJ5LmGFvBLjGceleySrc3SOf2Pc1gVehzJgODeS0lDL3/I/0S2SSE98YgKleq6Uqx6ndTy9yaL9qFxJL7eiA/R3SEfTaW1SBoSITIu+EEkXff+Pv8NHOk7N57rcGk1w0ZzRrQDkXTOXFN2iHYIzAAZPIOY45Lsh+A4slpgnDiaOvRtlQYCt97nmPLuTipOJ8Qc5pM7ZsOsAPPrCQL7nK0I7aPrFDF0q4ziUUKettzW8MrAaiVfmbD1/VkmLNVqqZVvBCtRblXb5FHmtS8FxnqCzYP4WFvz3T0TcrOqwLX1M/DQvcHaGGw0B0y4bZMs7lVScGBFxMj3vbFi2SRKbKhaitxHfYHAOAa0X7/MSS0RNAjdwoyGHeOepXOKY+h3iHeqCvgOH6LOifdHf/1aaZNwSkGotYnYScW8Yx63LnSwba7+hESrtPa/huRmB9KWvMCKbDThL/nne14hnL277EDCSocPu3rOSYjuB9gKSOdVmWsj9Dxb/iZIe+S6AiG29Esm+/eUacSba0k8wn5HhHg9d4tIcixrxveflc8vi2/wNQGVFNsGO6tB5WF0xf/plngOvQ1/ivGV/C1Qpdhzznh0ExAVJ6dwzNg7qIEBaw+BzTJTUuRcPk92Sn6QDn2Pu3mpONaEumacjW4w6ipPnPw+g2TfywJjeEcpSZaP4Q3YV5HG8D6UjWA4GSkBKculWpdCMadx0usMomsSS/74QgpYqcPkmamB4nVv1JxczYITIqItIKjD35IGKAUwAA==",
}

export interface CallOptions {
  /** The endpoint's name, carried by every error (e.g. "webwxsync"). */
  readonly endpoint: string
  readonly jar: CookieJar
  readonly timeout: Duration.DurationInput
  readonly desktop?: boolean
  /** Extra headers (desktop headers on login calls, Range on downloads). */
  readonly headers?: Readonly<Record<string, string>>
  /** Statuses other than 200 this endpoint may answer (301 in desktop mode, 206 for ranges). */
  readonly acceptStatus?: ReadonlyArray<number>
  /** The caller's own connection (a session's long poll) instead of the shared pool; lean client only. */
  readonly lane?: LeanUndiciClient.Lane
}

/** A request for `Transport.plain`: the real URL, headers besides the browser's, a body. */
export interface PlainRequest {
  readonly method: "GET" | "POST"
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

export interface TextResponse {
  readonly status: number
  readonly headers: Headers.Headers
  readonly text: string
  readonly host: string
}

const BEFORE_SEND_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])

const causeCode = (cause: unknown): string | undefined => {
  for (let c: unknown = cause, depth = 0; c !== undefined && c !== null && depth < 5; depth++) {
    const code = (c as { code?: unknown }).code
    if (typeof code === "string") return code
    c = (c as { cause?: unknown }).cause
  }
  return undefined
}

/**
 * A failed exchange as a TransportError. `cause` is what failed underneath; a failure of the
 * request (not of reading its answer) whose code says so never reached the server.
 */
const transportFailure = (
  options: CallOptions,
  host: string,
  cause: unknown,
  reason: string,
  ofRequest: boolean,
): TransportError => {
  const code = causeCode(cause)
  return new TransportError({
    endpoint: options.endpoint,
    host,
    beforeSend: ofRequest && code !== undefined && BEFORE_SEND_CODES.has(code),
    reason: code ?? reason,
    cause,
  })
}

const transportError = (options: CallOptions, host: string, error: HttpClientError): TransportError =>
  transportFailure(options, host, error.cause, error.reason, error._tag === "RequestError")

/**
 * Every request to a Web WeChat host goes through here: the account's cookies for the real URL,
 * the upstream rewrite, a deadline in Effect, and failures turned into typed errors.
 */
export class Transport extends Effect.Service<Transport>()("@wxfleet/protocol/Transport", {
  effect: Effect.gen(function* () {
    // No span per request and, above all, no `b3`/`traceparent` headers: a browser never sends
    // them, and a fleet must not look different from the web client on the wire.
    const provided = yield* HttpClient.HttpClient
    // The lean client (LeanUndiciClient) sends no such headers and makes no spans by itself.
    const lean = LeanUndiciClient.isLean(provided) ? provided : undefined
    const client = lean ?? provided.pipe(
      HttpClient.withTracerPropagation(false),
      HttpClient.withTracerDisabledWhen(() => true),
    )
    const { template } = yield* Upstream

    /** The request as sent: the browser's headers, the account's cookies, the upstream rewrite. */
    /** The headers a browser adds to a request for `href`: its user agent, the cookies, the call's own (lower case). */
    const browserHeaders = (href: string, options: CallOptions): Record<string, string> => {
      const headers: Record<string, string> = { "user-agent": options.desktop ? DESKTOP_USER_AGENT : WEB_USER_AGENT }
      const cookie = options.jar.header(href)
      if (cookie) headers["cookie"] = cookie
      if (options.headers !== undefined) for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value
      return headers
    }

    const prepare = (request: HttpClientRequest.HttpClientRequest, options: CallOptions) => {
      const realUrl = new URL(request.url)
      const prepared = request.pipe(
        HttpClientRequest.setHeaders(browserHeaders(realUrl.href, options)),
        HttpClientRequest.setUrl(transportUrl(template, realUrl)),
      )
      return { prepared, realUrl, host: realUrl.host }
    }

    const accepted = (status: number, options: CallOptions) =>
      status === 200 || (options.acceptStatus?.includes(status) ?? false)

    const execute = (
      request: HttpClientRequest.HttpClientRequest,
      options: CallOptions,
    ): Effect.Effect<{ response: HttpClientResponse.HttpClientResponse; host: string }, HttpFailure> => {
      const { prepared, realUrl, host } = prepare(request, options)
      return client.execute(prepared).pipe(
        Effect.mapError((error) => transportError(options, host, error)),
        Effect.tap((response) => Effect.sync(() => options.jar.store(realUrl.href, response.cookies))),
        Effect.flatMap((response) =>
          accepted(response.status, options)
            ? Effect.succeed({ response, host })
            : Effect.flatMap(
                response.text.pipe(Effect.orElseSucceed(() => "")),
                (raw) =>
                  new UnexpectedStatus({ endpoint: options.endpoint, host, status: response.status, raw: raw.slice(0, 2_000) }),
              ),
        ),
      )
    }

    const withDeadline = <A, E>(effect: Effect.Effect<A, E>, options: CallOptions, host: string) =>
      Effect.timeoutFail(effect, {
        duration: options.timeout,
        onTimeout: () =>
          new RequestTimeout({ endpoint: options.endpoint, host, timeoutMs: Duration.toMillis(options.timeout) }),
      })

    /**
     * The request as undici takes it, built straight from `request` (one URL parse, one headers
     * object) where `prepare` builds a new request twice and the client parses its URL again;
     * undefined for what only `prepare` handles (a streamed or form body, URL params, a hash).
     */
    const leanTarget = (request: HttpClientRequest.HttpClientRequest, options: CallOptions) => {
      const { body } = request
      if ((body._tag !== "Uint8Array" && body._tag !== "Empty") || request.urlParams.length > 0 || Option.isSome(request.hash))
        return undefined
      return targetOf(request.method, request.url, request.headers, body._tag === "Uint8Array" ? body.body : null, options)
    }

    /** Where and what undici sends for a request to `url` (the real one), with the browser's headers. */
    const targetOf = (
      method: string,
      url: string,
      headers: Readonly<Record<string, string>>,
      body: string | Uint8Array | null,
      options: CallOptions,
    ) => {
      // The URL as given when parsing would change nothing (the client's own URLs): a long poll
      // keeps what its call refers to for its whole hold, so no parsed copy is made.
      const real = splitUrl(url)
      const { href, host } = real
      const sent = transportUrlOf(template, real)
      const slash = sent.indexOf("/", sent.indexOf("//") + 2)
      const target: LeanUndiciClient.Target = {
        method,
        origin: slash === -1 ? sent : sent.slice(0, slash),
        path: slash === -1 ? "/" : sent.slice(slash),
        headers: { ...headers, ...browserHeaders(href, options) },
        body,
      }
      return { target, href, host: ownHost(host) }
    }

    /**
     * `text` on the lean client: one undici call and one timer for the whole round trip, the
     * request taken apart once when `leanTarget` can, else prepared as for any client.
     */
    const leanText = (
      client: LeanUndiciClient.LeanHttpClient,
      request: HttpClientRequest.HttpClientRequest,
      options: CallOptions,
    ): Effect.Effect<TextResponse, HttpFailure> => {
      const timeoutMs = Duration.toMillis(options.timeout)
      const lean = leanTarget(request, options)
      if (lean !== undefined) {
        const { href, host } = lean
        return client.textTo(lean.target, timeoutMs, options.lane, (outcome) => settled(outcome, href, host, options, timeoutMs))
      }
      const { prepared, realUrl, host } = prepare(request, options)
      return Effect.matchEffect(client.textWithin(prepared, timeoutMs, options.lane), {
        onFailure: (error) =>
          error._tag === "DeadlineExceeded"
            ? settled(error, realUrl.href, host, options, timeoutMs)
            : Effect.fail(transportError(options, host, error)),
        onSuccess: (answer) => settled(answer, realUrl.href, host, options, timeoutMs),
      })
    }

    /**
     * How a lean call ended, as its result: its failure typed, the cookies kept, the status
     * judged. An Either is an Effect too, so the Effect path runs it as it is.
     */
    const settled = (
      outcome: LeanUndiciClient.Outcome,
      href: string,
      host: string,
      options: CallOptions,
      timeoutMs: number,
    ): Either.Either<TextResponse, HttpFailure> => {
      if (!LeanUndiciClient.isAnswer(outcome))
        return Either.left(
          outcome instanceof LeanUndiciClient.DeadlineExceeded
            ? new RequestTimeout({ endpoint: options.endpoint, host, timeoutMs })
            : transportFailure(options, host, outcome, "Transport", true),
        )
      options.jar.store(href, outcome.cookies)
      return accepted(outcome.status, options)
        ? Either.right<TextResponse>({
            status: outcome.status,
            // Few callers look at the headers: they are built only when asked for.
            get headers() {
              return outcome.headers
            },
            text: outcome.text,
            host,
          })
        : Either.left(
            new UnexpectedStatus({ endpoint: options.endpoint, host, status: outcome.status, raw: outcome.text.slice(0, 2_000) }),
          )
    }

    /**
     * `text` without Effect, for a loop whose round is callbacks: `done` hears the answer or the
     * typed failure, once, unless the call is stopped first. Only on the lean client (`plain`
     * is undefined on any other), where it makes the same request as `text`.
     */
    const textThen = (
      client: LeanUndiciClient.LeanHttpClient,
      request: PlainRequest,
      options: CallOptions,
      done: (result: Exit.Exit<TextResponse, HttpFailure>) => void,
    ): LeanUndiciClient.Call => {
      const timeoutMs = Duration.toMillis(options.timeout)
      const { target, href, host } = targetOf(request.method, request.url, request.headers ?? NO_HEADERS, request.body ?? null, options)
      return client.textThen(target, timeoutMs, options.lane, (outcome) =>
        done(exitOf(() => settled(outcome, href, host, options, timeoutMs))),
      )
    }

    /** A round trip whose whole body is read as text within the deadline. */
    const text = (request: HttpClientRequest.HttpClientRequest, options: CallOptions): Effect.Effect<TextResponse, HttpFailure> =>
      lean !== undefined ? leanText(lean, request, options) : withDeadline(
        Effect.flatMap(execute(request, options), ({ response, host }) =>
          response.text.pipe(
            Effect.mapError((error) => transportError(options, host, error)),
            Effect.map((text) => ({ status: response.status, headers: response.headers, text, host })),
          ),
        ),
        options,
        new URL(request.url).host,
      )

    /** A round trip whose body is streamed (media); the deadline covers the answer's headers. */
    const stream = (
      request: HttpClientRequest.HttpClientRequest,
      options: CallOptions,
    ): Effect.Effect<
      { readonly status: number; readonly headers: Headers.Headers; readonly body: Stream.Stream<Uint8Array, HttpFailure> },
      HttpFailure
    > =>
      withDeadline(execute(request, options), options, new URL(request.url).host).pipe(
        Effect.map(({ response, host }) => ({
          status: response.status,
          headers: response.headers,
          body: response.stream.pipe(Stream.mapError((error) => transportError(options, host, error))),
        })),
      )

    const plain =
      lean === undefined
        ? undefined
        : {
            textThen: (request: PlainRequest, options: CallOptions, done: (result: Exit.Exit<TextResponse, HttpFailure>) => void) =>
              textThen(lean, request, options, done),
          }

    return { text, stream, plain } as const
  }),
}) {}

/**
 * `judge()` as an Exit: its answer, its typed failure, or what it threw, as a defect. Code that
 * runs in undici's callbacks (the plain path) has no fiber to catch a throw, which would reach
 * undici instead; as an Exit it ends the call's fiber the way a throw inside an effect would.
 */
export const exitOf = <A, E>(judge: () => Either.Either<A, E>): Exit.Exit<A, E> => {
  try {
    const judged = judge()
    return Either.isRight(judged) ? Exit.succeed(judged.right) : Exit.fail(judged.left)
  } catch (defect) {
    return Exit.die(defect)
  }
}

/** The lean client's plain path (`Transport.plain`), where there is one. */
export type PlainTransport = NonNullable<Transport["plain"]>

/** Hosts seen, each kept once as a string of its own: a URL's `host` is a slice that keeps the whole URL alive. */
const hosts = new Map<string, string>()
const MAX_HOSTS = 1_024

const ownHost = (host: string): string => {
  const known = hosts.get(host)
  if (known !== undefined) return known
  if (hosts.size >= MAX_HOSTS) hosts.clear()
  const own = Buffer.from(host, "latin1").toString("latin1")
  hosts.set(own, own)
  return own
}

/** Parses a body, or gives MalformedResponse carrying the raw text. */
export const decodedWith = <A>(
  response: TextResponse,
  endpoint: string,
  parse: (text: string) => Either.Either<A, string>,
): Either.Either<A, MalformedResponse> =>
  Either.mapLeft(
    parse(response.text),
    (reason) => new MalformedResponse({ endpoint, host: response.host, reason, raw: response.text.slice(0, 4_000) }),
  )

/** Parses a body or fails with MalformedResponse carrying the raw text. */
export const decodeWith = <A>(
  response: TextResponse,
  endpoint: string,
  parse: (text: string) => Either.Either<A, string>,
): Effect.Effect<A, MalformedResponse> => decodedWith(response, endpoint, parse)
