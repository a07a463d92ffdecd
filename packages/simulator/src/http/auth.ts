import type { Account } from "../world/World.js"
import type { Session } from "../world/Session.js"
import type { WireValue } from "../wire/json.js"
import type { Context } from "./Context.js"
import { defaultWebpushHosts } from "./hosts.js"

export type Authenticated = { readonly ok: true; readonly session: Session; readonly account: Account }
export type Refused = { readonly ok: false; readonly ret: 1100 | 1101 | 1102 }

export interface Credentials {
  readonly sid: string | undefined
  readonly skey?: string | undefined
  readonly uin: string | number | undefined
}

/** Reads `BaseRequest` (Uin may be a string or a number; the official client sends both). */
export const baseRequestOf = (body: Record<string, unknown> | undefined): Credentials & { deviceId: string | undefined } => {
  const base = body?.["BaseRequest"]
  const record = typeof base === "object" && base !== null ? (base as Record<string, unknown>) : {}
  const str = (v: unknown) => (typeof v === "string" ? v : undefined)
  const uin = record["Uin"]
  return {
    sid: str(record["Sid"]),
    skey: str(record["Skey"]),
    uin: typeof uin === "number" || typeof uin === "string" ? uin : undefined,
    deviceId: str(record["DeviceID"]),
  }
}

/**
 * Checks a request against the session as the real server does: an unknown sid is 1100
 * (no such session), wrong skey or uin is 1101 (invalid), missing or wrong cookies 1102.
 * A host that does not serve the account answers 1100 too, as if it had never heard of it.
 */
export const authenticate = (ctx: Context, credentials: Credentials, options: { requireSkey?: boolean } = {}): Authenticated | Refused => {
  const session = credentials.sid === undefined ? undefined : ctx.world.sessionsBySid.get(credentials.sid)
  if (!session) return { ok: false, ret: 1100 }
  if (session.endedWith !== undefined) return { ok: false, ret: session.endedWith }
  const account = ctx.world.accountOf(session)
  if (!servesAccount(ctx, account)) return { ok: false, ret: 1100 }
  if (String(credentials.uin ?? "") !== String(account.person.uin)) return { ok: false, ret: 1101 }
  if ((options.requireSkey ?? true) && credentials.skey !== session.skey) return { ok: false, ret: 1101 }
  if (ctx.cookies.get("wxsid") !== session.sid || ctx.cookies.get("wxuin") !== String(account.person.uin)) {
    return { ok: false, ret: 1102 }
  }
  return { ok: true, session, account }
}

const servesAccount = (ctx: Context, account: Account): boolean => {
  if (ctx.host.kind === "webpush") {
    return (account.servingWebpushHosts ?? defaultWebpushHosts(account.home)).has(ctx.host.host)
  }
  return ctx.host.home === account.home
}

export const baseResponse = (ret: number, errMsg = ""): { BaseResponse: { Ret: number; ErrMsg: string } } => ({
  BaseResponse: { Ret: ret, ErrMsg: errMsg },
})

/** Request JSON that is not an object is answered with Ret 1200 (MMWEBWX_ERR_PARSER_REQUEST). */
export const PARSER_REQUEST = 1200

/**
 * For JSON POST endpoints: reads the body, checks its BaseRequest, and on failure answers with
 * `failure(ret)` (each endpoint keeps its own zeroed shape). Returns undefined when it answered.
 */
export const sessionFromBody = async (
  ctx: Context,
  failure: (ret: number) => WireValue,
  options: { requireSkey?: boolean } = {},
): Promise<(Authenticated & { body: Record<string, unknown> }) | undefined> => {
  const body = await ctx.jsonBody()
  if (!body) {
    ctx.sendJson(failure(PARSER_REQUEST))
    return undefined
  }
  const auth = authenticate(ctx, baseRequestOf(body), options)
  if (!auth.ok) {
    ctx.sendJson(failure(auth.ret))
    return undefined
  }
  return { ...auth, body }
}
