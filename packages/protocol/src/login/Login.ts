import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Effect, Either, Option, Stream } from "effect"
import {
  LoginRefused,
  MalformedResponse,
  PushLoginRefused,
  UnknownHost,
  QrCancelled,
  QrExpired,
  type HttpFailure,
} from "../Errors.js"
import { hostsFor } from "../Hosts.js"
import { CGI } from "../http/call.js"
import { CookieJar } from "../http/CookieJar.js"
import { Lane } from "../http/LeanUndiciClient.js"
import { decodeWith, DESKTOP_HEADERS, Transport } from "../http/Transport.js"
import { negativeTimestamp } from "../Ids.js"
import { ProtocolConfig } from "../ProtocolConfig.js"
import { EMPTY_SYNC_KEY } from "../session/SessionState.js"
import { WxSession } from "../session/WxSession.js"
import { parseJsLogin, parseLoginPoll } from "../wire/javascript.js"
import { parseServerJson } from "../wire/json.js"
import { childText, parseXml } from "../wire/xml.js"

export const APP_ID = "wx782c26e4c19acffb"
const LOGIN_HOST = "login.wx.qq.com"
const QR_HOST = "login.weixin.qq.com"

/** What the QR code encodes: the phone opens this link. */
export const qrPayload = (uuid: string): string => `https://${QR_HOST}/l/${uuid}`

export interface LoginOptions {
  /** Desktop mode: `mod=desktop` and the desktop client's headers (accounts refused by web login may pass). */
  readonly desktop: boolean
  /** Cookies of this login attempt (a push login must carry the earlier session's). */
  readonly jar: CookieJar
  /** The connection the held login polls run on (awaitConfirmation opens one when none is given). */
  readonly lane?: Lane
}

/** jslogin: a fresh uuid for a QR code. */
export const requestUuid = (
  options: LoginOptions,
): Effect.Effect<string, HttpFailure, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const config = yield* ProtocolConfig
    const redirect = `https://wx.qq.com${CGI}/webwxnewloginpage${options.desktop ? "?mod=desktop" : ""}`
    const url =
      `https://${LOGIN_HOST}/jslogin?appid=${APP_ID}&redirect_uri=${encodeURIComponent(redirect)}` +
      `&fun=new&lang=zh_CN&_=${Date.now()}`
    const response = yield* transport.text(HttpClientRequest.get(url), {
      endpoint: "jslogin",
      jar: options.jar,
      timeout: config.requestTimeout,
      desktop: options.desktop,
    })
    const answer = yield* decodeWith(response, "jslogin", parseJsLogin)
    if (answer.code !== 200 || !answer.uuid) {
      return yield* new MalformedResponse({
        endpoint: "jslogin",
        host: response.host,
        reason: `code ${answer.code} without a uuid`,
        raw: response.text,
      })
    }
    return answer.uuid
  })

/** The QR code as the server renders it (an image), streamed. */
export const qrImage = (
  options: LoginOptions,
  uuid: string,
): Stream.Stream<Uint8Array, HttpFailure, Transport | ProtocolConfig> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const transport = yield* Transport
      const config = yield* ProtocolConfig
      const answer = yield* transport.stream(HttpClientRequest.get(`https://${QR_HOST}/qrcode/${uuid}`), {
        endpoint: "qrcode",
        jar: options.jar,
        timeout: config.requestTimeout,
      })
      return answer.body
    }),
  )

/** One answer of the login poll that does not end the login. */
export type LoginProgress =
  | { readonly _tag: "Waiting" }
  | { readonly _tag: "Scanned"; readonly avatar: string | undefined }
  | { readonly _tag: "Confirmed"; readonly redirectUri: string }

/**
 * One login poll (the server holds it ~25 s): 408 waiting, 201 scanned (with the avatar),
 * 200 confirmed (with redirect_uri), 400/500/0 expired (a new uuid is needed), 202 cancelled.
 */
export const pollOnce = (
  options: LoginOptions,
  uuid: string,
  tip: 0 | 1,
): Effect.Effect<LoginProgress, HttpFailure | QrExpired | QrCancelled, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const config = yield* ProtocolConfig
    const url =
      `https://${LOGIN_HOST}${CGI}/login?loginicon=true&uuid=${encodeURIComponent(uuid)}` +
      `&tip=${tip}&r=${negativeTimestamp()}&_=${Date.now()}`
    const response = yield* transport.text(HttpClientRequest.get(url), {
      endpoint: "login",
      jar: options.jar,
      timeout: config.loginPollTimeout,
      desktop: options.desktop,
      ...(options.lane === undefined ? {} : { lane: options.lane }),
    })
    const answer = yield* decodeWith(response, "login", parseLoginPoll)
    switch (answer.code) {
      case 408:
        return { _tag: "Waiting" } as const
      case 201:
        return { _tag: "Scanned", avatar: answer.userAvatar } as const
      case 200:
        if (!answer.redirectUri) {
          return yield* new MalformedResponse({ endpoint: "login", host: response.host, reason: "200 without redirect_uri", raw: response.text })
        }
        return { _tag: "Confirmed", redirectUri: answer.redirectUri } as const
      case 202:
        return yield* new QrCancelled({ uuid })
      case 400:
      case 500:
      case 0:
        return yield* new QrExpired({ uuid })
      default:
        return yield* new MalformedResponse({ endpoint: "login", host: response.host, reason: `unknown code ${answer.code}`, raw: response.text })
    }
  })

/**
 * Polls until the login is confirmed, emitting each change (Scanned, Confirmed); the stream
 * ends with Confirmed or fails with QrExpired / QrCancelled. Polls ask with `tip=1` until the
 * code was scanned and `tip=0` after, as the official client does: a `tip=0` poll is not told
 * of the scan, so switching after a mere 408 would lose the Scanned answer and its avatar. The held polls run on a connection
 * of their own (a Lane), closed when the stream ends, not on one of the shared pool's.
 */
export const awaitConfirmation = (
  options: LoginOptions,
  uuid: string,
): Stream.Stream<LoginProgress, HttpFailure | QrExpired | QrCancelled, Transport | ProtocolConfig> =>
  Stream.unwrapScoped(
    Effect.map(
      options.lane === undefined
        ? Effect.acquireRelease(
            Effect.sync(() => new Lane()),
            (lane) => Effect.promise(() => lane.close()),
          )
        : Effect.succeed(options.lane),
      (lane) =>
        Stream.paginateEffect(1 as 0 | 1, (tip) =>
          Effect.map(
            pollOnce({ ...options, lane }, uuid, tip),
            (progress) =>
              [
                progress,
                progress._tag === "Confirmed"
                  ? Option.none()
                  : Option.some<0 | 1>(progress._tag === "Scanned" ? 0 : tip),
              ] as const,
          ),
        ),
    ),
  ).pipe(Stream.filter((progress) => progress._tag !== "Waiting"))

/**
 * Push login: with the cookies of an earlier session, asks the phone to confirm a new login (no
 * QR). Returns the uuid to poll. `ret` is a string; anything but "0" is PushLoginRefused.
 */
export const pushLogin = (
  options: LoginOptions,
  home: string,
  uin: string,
): Effect.Effect<string, HttpFailure | PushLoginRefused, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const config = yield* ProtocolConfig
    const url = `https://${home}${CGI}/webwxpushloginurl?uin=${encodeURIComponent(uin)}${options.desktop ? "&mod=desktop" : ""}`
    const response = yield* transport.text(HttpClientRequest.get(url), {
      endpoint: "webwxpushloginurl",
      jar: options.jar,
      timeout: config.requestTimeout,
      desktop: options.desktop,
    })
    const answer = yield* decodeWith(response, "webwxpushloginurl", (text) =>
      Either.flatMap(parseServerJson(text), (json) => {
        const { ret, msg, uuid } = (json ?? {}) as { ret?: unknown; msg?: unknown; uuid?: unknown }
        return ret === undefined ? Either.left("no ret") : Either.right({ ret: String(ret), msg: String(msg ?? ""), uuid })
      }),
    )
    if (answer.ret !== "0" || typeof answer.uuid !== "string" || answer.uuid === "") {
      return yield* new PushLoginRefused({ ret: answer.ret, serverMessage: answer.msg, host: response.host })
    }
    return answer.uuid
  })

const WEB_WECHAT_DOMAINS = ["qq.com", "wechat.com"]

const hostOf = (uri: string): string => (URL.canParse(uri) ? new URL(uri).host : uri)

/** The https host `uri` names when it is one of Web WeChat's (a qq.com or wechat.com host), else undefined. */
export const webWeChatHost = (uri: string): string | undefined => {
  if (!URL.canParse(uri)) return undefined
  const url = new URL(uri)
  const host = url.hostname
  const inDomain = WEB_WECHAT_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`))
  return url.protocol === "https:" && url.port === "" && inDomain ? url.host : undefined
}

/**
 * webwxnewloginpage: trades the confirmed login's redirect for session keys. The answer is XML
 * rooted at `<error>` even on success; `ret` ≠ 0 is LoginRefused (1203 with the server's text).
 * Desktop mode may answer 301 with the XML in the body (redirects are never followed) and leave
 * wxsid/wxuin to the cookies. A redirect outside qq.com and wechat.com is UnknownHost, never followed.
 */
export const completeLogin = (
  options: LoginOptions,
  redirectUri: string,
): Effect.Effect<WxSession, HttpFailure | LoginRefused | UnknownHost, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const config = yield* ProtocolConfig
    const home = webWeChatHost(redirectUri)
    if (home === undefined) return yield* new UnknownHost({ endpoint: "webwxnewloginpage", host: hostOf(redirectUri) })
    const url = `${redirectUri}&fun=new&version=v2${options.desktop ? "&mod=desktop" : ""}`
    const response = yield* transport.text(HttpClientRequest.get(url), {
      endpoint: "webwxnewloginpage",
      jar: options.jar,
      timeout: config.requestTimeout,
      desktop: options.desktop,
      acceptStatus: [301, 302],
      ...(options.desktop ? { headers: { ...DESKTOP_HEADERS, referer: "https://wx.qq.com/?&lang=zh_CN&target=t" } } : {}),
    })
    const xml = yield* decodeWith(response, "webwxnewloginpage", (text) =>
      Either.filterOrLeft(parseXml(text), (doc) => doc["error"] !== undefined, () => "no <error> root"),
    )
    const root = xml["error"]
    const ret = Number(childText(root, "ret"))
    if (ret !== 0) return yield* new LoginRefused({ ret, serverMessage: childText(root, "message"), host: response.host })
    const cookieUrl = `https://${home}/`
    const sid = childText(root, "wxsid") || options.jar.value("wxsid", cookieUrl)
    const uin = childText(root, "wxuin") || options.jar.value("wxuin", cookieUrl)
    const skey = childText(root, "skey")
    const passTicket = childText(root, "pass_ticket")
    if (!sid || !uin || !skey) {
      return yield* new MalformedResponse({
        endpoint: "webwxnewloginpage",
        host: response.host,
        reason: "no skey, wxsid or wxuin in the answer or its cookies",
        raw: response.text,
      })
    }
    return yield* WxSession.make({
      jar: options.jar,
      desktop: options.desktop,
      data: {
        uin,
        sid,
        skey,
        passTicket,
        home,
        webpushHost: hostsFor(home).webpush[0],
        syncKey: EMPTY_SYNC_KEY,
        syncCheckKey: undefined,
        self: undefined,
      },
    })
  })
