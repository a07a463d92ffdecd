import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Context, Effect, Either, Exit, type ParseResult, Schema } from "effect"
import {
  MalformedResponse,
  retError,
  type RateLimited,
  type RequestRejected,
  type SessionCallError,
  type SessionExpired,
} from "../Errors.js"
import { ProtocolConfig, type ProtocolConfigShape } from "../ProtocolConfig.js"
import { baseRequestOf, type SessionData, type WxSession } from "../session/WxSession.js"
import { parseServerJson } from "../wire/json.js"
import type { Call } from "./LeanUndiciClient.js"
import { decodedWith, exitOf, Transport, type CallOptions, type PlainTransport, type TextResponse } from "./Transport.js"

export const CGI = "/cgi-bin/mmwebwx-bin"

/** A JSON answer's `BaseResponse.Ret` (and ErrMsg), or a reason it has none. */
const baseResponseOf = (value: unknown): Either.Either<{ ret: number; errMsg: string }, string> => {
  const base = (value as { BaseResponse?: { Ret?: unknown; ErrMsg?: unknown } } | null)
    ?.BaseResponse
  if (typeof base?.Ret !== "number") return Either.left("no BaseResponse.Ret")
  return Either.right({ ret: base.Ret, errMsg: typeof base.ErrMsg === "string" ? base.ErrMsg : "" })
}

/** How to judge an endpoint's JSON answer. */
export interface AnswerRules {
  readonly endpoint: string
  /** Rets that are not errors for this endpoint (e.g. -2013 on addmember). */
  readonly okRets?: ReadonlyArray<number>
  /**
   * A top-level field that explains a refusal better than `ErrMsg` (webwxrevokemsg's
   * `SysWording`); when it holds text, the RequestRejected carries it as `errMsg`.
   */
  readonly refusalWording?: string
}

export interface JsonCall extends AnswerRules {
  /** Host to call; the session's home by default. */
  readonly host?: string
  /** Query string without pass_ticket (added here). */
  readonly query?: Readonly<Record<string, string | number>>
  /** Body fields besides BaseRequest. */
  readonly body?: Readonly<Record<string, unknown>>
}

const wordingOf = (json: Record<string, unknown>, field: string | undefined): string => {
  const wording = field === undefined ? undefined : json[field]
  return typeof wording === "string" ? wording : ""
}

/**
 * Parses a JSON answer and judges its `BaseResponse.Ret`: zero (or one of `okRets`) gives the
 * parsed answer, anything else its typed error, which keeps the refused answer for the caller.
 */
const judgedAnswer = (
  response: TextResponse,
  rules: AnswerRules,
): Either.Either<Record<string, unknown>, MalformedResponse | SessionExpired | RateLimited | RequestRejected> =>
  Either.flatMap(decodedWith(response, rules.endpoint, parseServerJson), (parsed): Either.Either<
    Record<string, unknown>,
    MalformedResponse | SessionExpired | RateLimited | RequestRejected
  > => {
    const json = parsed as Record<string, unknown>
    const base = baseResponseOf(json)
    if (Either.isLeft(base))
      return Either.left(
        new MalformedResponse({ endpoint: rules.endpoint, host: response.host, reason: base.left, raw: response.text.slice(0, 4_000) }),
      )
    const { ret, errMsg } = base.right
    if (ret !== 0 && !rules.okRets?.includes(ret))
      return Either.left(
        retError(ret, {
          endpoint: rules.endpoint,
          host: response.host,
          errMsg: wordingOf(json, rules.refusalWording) || errMsg,
          answer: json,
        }),
      )
    return Either.right(json)
  })

/** `judgedAnswer` as an effect. */
export const judgeAnswer = (
  response: TextResponse,
  rules: AnswerRules,
): Effect.Effect<Record<string, unknown>, MalformedResponse | SessionExpired | RateLimited | RequestRejected> =>
  judgedAnswer(response, rules)

const malformedAnswer = (json: unknown, where: { readonly endpoint: string; readonly host: string }) => (error: ParseResult.ParseError) =>
  new MalformedResponse({ endpoint: where.endpoint, host: where.host, reason: error.message, raw: JSON.stringify(json).slice(0, 4_000) })

/** Decodes a parsed JSON answer with a Schema; a mismatch is a MalformedResponse carrying the answer. */
export const decodeAnswer = <A, I>(
  schema: Schema.Schema<A, I>,
  json: unknown,
  where: { readonly endpoint: string; readonly host: string },
): Effect.Effect<A, MalformedResponse> => Schema.decodeUnknown(schema)(json).pipe(Effect.mapError(malformedAnswer(json, where)))

/** `decodeAnswer` at once, for a Schema that decodes synchronously. */
const decodedAnswer = <A, I>(
  schema: Schema.Schema<A, I>,
  json: unknown,
  where: { readonly endpoint: string; readonly host: string },
): Either.Either<A, MalformedResponse> => Either.mapLeft(Schema.decodeUnknownEither(schema)(json), malformedAnswer(json, where))

const queryString = (
  query: Readonly<Record<string, string | number>>,
  passTicket: string,
): string =>
  [
    ...Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`),
    `pass_ticket=${passTicket}`,
  ].join("&")

/** A JSON call's URL (pass_ticket as received: it arrives percent-encoded) and body, as JSON text. */
const jsonRequest = (data: SessionData, call: JsonCall): { readonly url: string; readonly body: string } => ({
  url: `https://${call.host ?? data.home}${CGI}/${call.endpoint}?${queryString(call.query ?? {}, data.passTicket)}`,
  body: JSON.stringify({ BaseRequest: baseRequestOf(data), ...call.body }),
})

/** The headers a JSON call adds to the browser's. */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/json;charset=UTF-8" })

/** How a session's JSON call to `endpoint` is made. */
const jsonCallOptions = (session: WxSession, config: ProtocolConfigShape, endpoint: string): CallOptions => ({
  endpoint,
  jar: session.jar,
  timeout: config.requestTimeout,
  desktop: session.desktop,
})

/** A judged answer and the host that answered (errors of a later decode name it). */
export interface Judged {
  readonly json: Record<string, unknown>
  readonly host: string
}

const judgedFrom = (response: TextResponse, call: JsonCall) =>
  Either.map(judgedAnswer(response, call), (json): Judged => ({ json, host: response.host }))

/** The round trip of `postJson`: one Effect step on the lean client (see `exchangeThen`). */
const exchange = (session: WxSession, call: JsonCall): Effect.Effect<Judged, SessionCallError, Transport | ProtocolConfig> =>
  Effect.contextWithEffect((context: Context.Context<Transport | ProtocolConfig>) => {
    const transport = Context.get(context, Transport)
    const config = Context.get(context, ProtocolConfig)
    const { plain } = transport
    if (plain !== undefined)
      return Effect.async<Judged, SessionCallError>((resume) => {
        const started = exchangeThen(plain, config, session, call, resume)
        return Effect.sync(() => started.stop())
      })
    const { url, body } = jsonRequest(session.data.current(), call)
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.bodyText(body, "application/json"),
      HttpClientRequest.setHeaders(JSON_HEADERS),
    )
    return Effect.flatMap(transport.text(request, jsonCallOptions(session, config, call.endpoint)), (response) =>
      judgedFrom(response, call),
    )
  })

/**
 * `exchange` on the lean client's plain path: the same request, answer and errors, made and
 * judged in undici's callbacks; `done` hears the judged answer or the typed failure, once,
 * unless the call is stopped first. As an Effect it is one step instead of a chain of them.
 */
export const exchangeThen = (
  transport: PlainTransport,
  config: ProtocolConfigShape,
  session: WxSession,
  call: JsonCall,
  done: (result: Exit.Exit<Judged, SessionCallError>) => void,
): Call => {
  const { url, body } = jsonRequest(session.data.current(), call)
  return transport.textThen({ method: "POST", url, headers: JSON_HEADERS, body }, jsonCallOptions(session, config, call.endpoint), (result) =>
    done(Exit.flatMap(result, (response) => exitOf(() => judgedFrom(response, call)))),
  )
}

/**
 * `postJsonAs`'s decoding at once: by `plain` when it can, else by `schema`, which must decode
 * synchronously.
 */
export const judgedAs = <A, I>(
  judged: Judged,
  call: JsonCall,
  schema: Schema.Schema<A, I>,
  plain: (json: Record<string, unknown>) => A | undefined,
): Either.Either<A, MalformedResponse> => {
  const decoded = plain(judged.json)
  return decoded === undefined ? decodedAnswer(schema, judged.json, { endpoint: call.endpoint, host: judged.host }) : Either.right(decoded)
}

/**
 * POSTs `{BaseRequest, ...body}` to a JSON endpoint of a logged-in session and returns the parsed
 * answer once its `BaseResponse.Ret` says it succeeded; a non-zero Ret becomes its typed error.
 * pass_ticket goes into the query as received (it arrives percent-encoded).
 */
export const postJson = (
  session: WxSession,
  call: JsonCall,
): Effect.Effect<Record<string, unknown>, SessionCallError, Transport | ProtocolConfig> =>
  Effect.map(exchange(session, call), ({ json }) => json)

/**
 * `postJson`, then the answer decoded with `schema` (a mismatch is MalformedResponse). `plain`,
 * when given, decodes the common well-formed answer by hand, exactly as `schema` would, and
 * answers undefined for anything else, which `schema` then decodes (or words the error of).
 */
export const postJsonAs = <A, I>(
  session: WxSession,
  call: JsonCall,
  schema: Schema.Schema<A, I>,
  plain?: (json: Record<string, unknown>) => A | undefined,
): Effect.Effect<A, SessionCallError, Transport | ProtocolConfig> =>
  Effect.flatMap(exchange(session, call), ({ json, host }) => {
    const decoded = plain?.(json)
    return decoded === undefined ? decodeAnswer(schema, json, { endpoint: call.endpoint, host }) : Effect.succeed(decoded)
  })
