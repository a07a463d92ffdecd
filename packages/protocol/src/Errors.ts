import { Data } from "effect"

/** The connection failed or broke (refused, reset, DNS): the server may or may not have seen it. */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly endpoint: string
  readonly host: string
  /** True when the request surely never reached the server (refused before connecting). */
  readonly beforeSend: boolean
  readonly reason: string
  readonly cause?: unknown
}> {
  override get message(): string {
    return `${this.endpoint} on ${this.host}: ${this.reason}`
  }
}

/** No answer within the deadline (deadlines live in Effect, not in undici). */
export class RequestTimeout extends Data.TaggedError("RequestTimeout")<{
  readonly endpoint: string
  readonly host: string
  readonly timeoutMs: number
}> {
  override get message(): string {
    return `${this.endpoint} on ${this.host}: no answer within ${this.timeoutMs} ms`
  }
}

/**
 * Server bodies can carry session secrets (the login XML's skey, wxsid and pass_ticket, cookies
 * echoed in URLs); errors keep raw bodies for diagnosis, so those values are masked first.
 */
export const redactSecrets = (text: string): string =>
  text
    .replace(/<(skey|wxsid|wxuin|pass_ticket)>[^<]*<\/\1>/gi, "<$1>***</$1>")
    .replace(/"(Skey|SKey|Sid|pass_ticket|webwx_data_ticket)"\s*:\s*"[^"]*"/g, `"$1":"***"`)
    .replace(/\b(skey|sid|pass_ticket|webwx_data_ticket|ticket|wxsid|webwx_auth_ticket)=[^&\s";]*/gi, "$1=***")

/** An HTTP status the endpoint never answers when healthy (404, 5xx…). */
export class UnexpectedStatus extends Data.TaggedError("UnexpectedStatus")<{
  readonly endpoint: string
  readonly host: string
  readonly status: number
  readonly raw: string
}> {
  constructor(props: { endpoint: string; host: string; status: number; raw: string }) {
    super({ ...props, raw: redactSecrets(props.raw) })
  }

  override get message(): string {
    return `${this.endpoint} on ${this.host}: HTTP ${this.status}`
  }
}

/** The server answered something we cannot read; `raw` keeps (the start of) what it said. */
export class MalformedResponse extends Data.TaggedError("MalformedResponse")<{
  readonly endpoint: string
  readonly host: string
  readonly reason: string
  readonly raw: string
}> {
  constructor(props: { endpoint: string; host: string; reason: string; raw: string }) {
    super({ ...props, raw: redactSecrets(props.raw) })
  }

  override get message(): string {
    return `${this.endpoint} on ${this.host}: malformed answer (${this.reason}): ${this.raw.slice(0, 200)}`
  }
}

export type SessionEndCode = 1100 | 1101 | 1102

const SESSION_END_MEANING: Record<SessionEndCode, string> = {
  1100: "the session no longer exists (logged out)",
  1101: "the session is invalid (logged in elsewhere or kicked)",
  1102: "the session cookies are invalid (logged out on the phone)",
}

/** The server ended the session (1100/1101/1102): a new login is needed. */
export class SessionExpired extends Data.TaggedError("SessionExpired")<{
  readonly code: SessionEndCode
  readonly endpoint: string
  readonly host: string
}> {
  override get message(): string {
    return `${this.endpoint} on ${this.host}: ${this.code}, ${SESSION_END_MEANING[this.code]}`
  }
}

/** 1205: the server throttles this account; slow down. */
export class RateLimited extends Data.TaggedError("RateLimited")<{
  readonly endpoint: string
  readonly host: string
}> {
  override get message(): string {
    return `${this.endpoint} on ${this.host}: 1205, the server throttles this account`
  }
}

/** Any other non-zero `BaseResponse.Ret` (1204 not a friend, 1 bad arguments, -1 system error…). */
export class RequestRejected extends Data.TaggedError("RequestRejected")<{
  readonly endpoint: string
  readonly host: string
  readonly ret: number
  readonly errMsg: string
  /** The refused answer as parsed, for callers that need more than ErrMsg from it. */
  readonly answer?: Readonly<Record<string, unknown>>
}> {
  override get message(): string {
    return `${this.endpoint} on ${this.host}: Ret ${this.ret}${this.errMsg ? ` (${this.errMsg})` : ""}`
  }
}

/** webwxnewloginpage said `ret` ≠ 0, e.g. 1203 "this account cannot log in to Web WeChat". */
export class LoginRefused extends Data.TaggedError("LoginRefused")<{
  readonly ret: number
  readonly serverMessage: string
  /** The host that refused (the account's home host). */
  readonly host: string
}> {
  override get message(): string {
    return `login refused by ${this.host} (ret ${this.ret}): ${this.serverMessage}`
  }
}

/** webwxpushloginurl refused (`ret` ≠ "0"): the stored cookies no longer allow a push login. */
export class PushLoginRefused extends Data.TaggedError("PushLoginRefused")<{
  readonly ret: string
  readonly serverMessage: string
  /** The host that refused (the account's home host). */
  readonly host: string
}> {
  override get message(): string {
    return `push login refused by ${this.host} (ret ${this.ret}): ${this.serverMessage}`
  }
}

/** The QR code (uuid) expired before it was confirmed (login poll 400). */
export class QrExpired extends Data.TaggedError("QrExpired")<{ readonly uuid: string }> {
  override get message(): string {
    return `QR code ${this.uuid} expired`
  }
}

/** The user tapped cancel on the phone (login poll 202). */
export class QrCancelled extends Data.TaggedError("QrCancelled")<{ readonly uuid: string }> {
  override get message(): string {
    return `login ${this.uuid} was cancelled on the phone`
  }
}

/**
 * A login redirect pointed outside Web WeChat's domains (qq.com, wechat.com): following it would
 * hand the login ticket and then the session's cookies to a host that is not Web WeChat.
 */
export class UnknownHost extends Data.TaggedError("UnknownHost")<{
  readonly endpoint: string
  /** The host named, or the whole value when it is not a URL. */
  readonly host: string
}> {
  override get message(): string {
    return `${this.endpoint}: ${this.host} is not a Web WeChat host`
  }
}

/** Every error that a round trip to a Web WeChat host can end in before its body is judged. */
export type HttpFailure = TransportError | RequestTimeout | UnexpectedStatus | MalformedResponse

/** Errors a call on a logged-in session can end in. */
export type SessionCallError = HttpFailure | SessionExpired | RateLimited | RequestRejected

const isSessionEnd = (ret: number): ret is SessionEndCode => ret === 1100 || ret === 1101 || ret === 1102

/** Turns a non-zero `Ret` into the typed error that says what it means. */
export const retError = (
  ret: number,
  context: {
    readonly endpoint: string
    readonly host: string
    readonly errMsg?: string
    readonly answer?: Readonly<Record<string, unknown>>
  },
): SessionExpired | RateLimited | RequestRejected =>
  isSessionEnd(ret)
    ? new SessionExpired({ code: ret, endpoint: context.endpoint, host: context.host })
    : ret === 1205
      ? new RateLimited({ endpoint: context.endpoint, host: context.host })
      : new RequestRejected({
          endpoint: context.endpoint,
          host: context.host,
          ret,
          errMsg: context.errMsg ?? "",
          ...(context.answer === undefined ? {} : { answer: context.answer }),
        })
