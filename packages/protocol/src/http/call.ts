import { HttpClientRequest } from "@effect/platform"
import { Effect, Either } from "effect"
import { MalformedResponse, retError, type SessionCallError } from "../Errors.js"
import { ProtocolConfig } from "../ProtocolConfig.js"
import type { WxSession } from "../session/WxSession.js"
import { parseServerJson } from "../wire/json.js"
import { decodeWith, Transport } from "./Transport.js"

export const CGI = "/cgi-bin/mmwebwx-bin"

/** A JSON answer's `BaseResponse.Ret` (and ErrMsg), or a reason it has none. */
const baseResponseOf = (value: unknown): Either.Either<{ ret: number; errMsg: string }, string> => {
  const base = (value as { BaseResponse?: { Ret?: unknown; ErrMsg?: unknown } } | null)?.BaseResponse
  if (typeof base?.Ret !== "number") return Either.left("no BaseResponse.Ret")
  return Either.right({ ret: base.Ret, errMsg: typeof base.ErrMsg === "string" ? base.ErrMsg : "" })
}

export interface JsonCall {
  readonly endpoint: string
  /** Host to call; the session's home by default. */
  readonly host?: string
  /** Query string without pass_ticket (added here). */
  readonly query?: Readonly<Record<string, string | number>>
  /** Body fields besides BaseRequest. */
  readonly body?: Readonly<Record<string, unknown>>
  /** Rets that are not errors for this endpoint (e.g. -2013 on addmember). */
  readonly okRets?: ReadonlyArray<number>
}

const queryString = (query: Readonly<Record<string, string | number>>, passTicket: string): string =>
  [...Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`), `pass_ticket=${passTicket}`].join("&")

/**
 * POSTs `{BaseRequest, ...body}` to a JSON endpoint of a logged-in session and returns the parsed
 * answer once its `BaseResponse.Ret` says it succeeded; a non-zero Ret becomes its typed error.
 * pass_ticket goes into the query as received (it arrives percent-encoded).
 */
export const postJson = (
  session: WxSession,
  call: JsonCall,
): Effect.Effect<Record<string, unknown>, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const config = yield* ProtocolConfig
    const data = yield* session.data.get
    const host = call.host ?? data.home
    const url = `https://${host}${CGI}/${call.endpoint}?${queryString(call.query ?? {}, data.passTicket)}`
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.bodyUnsafeJson({ BaseRequest: yield* session.baseRequest(), ...call.body }),
      HttpClientRequest.setHeader("content-type", "application/json;charset=UTF-8"),
    )
    const response = yield* transport.text(request, {
      endpoint: call.endpoint,
      jar: session.jar,
      timeout: config.requestTimeout,
      desktop: session.desktop,
    })
    const json = yield* decodeWith(response, call.endpoint, parseServerJson)
    const base = yield* Either.match(baseResponseOf(json), {
      onLeft: (reason) =>
        Effect.fail(new MalformedResponse({ endpoint: call.endpoint, host, reason, raw: response.text.slice(0, 4_000) })),
      onRight: Effect.succeed,
    })
    if (base.ret !== 0 && !call.okRets?.includes(base.ret)) {
      return yield* Effect.fail(retError(base.ret, { endpoint: call.endpoint, host, errMsg: base.errMsg }))
    }
    return json as Record<string, unknown>
  })
