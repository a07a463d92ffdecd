import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Effect, Schema } from "effect"
import type { HttpFailure, SessionCallError } from "../Errors.js"
import { CGI, postJson, postJsonAs } from "../http/call.js"
import { Transport } from "../http/Transport.js"
import { negativeTimestamp } from "../Ids.js"
import { ProtocolConfig } from "../ProtocolConfig.js"
import { SyncKey } from "./SessionState.js"
import type { WxSession } from "./WxSession.js"
import { traced } from "../Tracing.js"

const InitAnswer = Schema.Struct({
  User: Schema.Struct({ Uin: Schema.Number, UserName: Schema.String, NickName: Schema.String }),
  SyncKey,
  SKey: Schema.optionalWith(Schema.String, { default: () => "" }),
  ContactList: Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  ChatSet: Schema.optionalWith(Schema.String, { default: () => "" }),
  InviteStartCount: Schema.optionalWith(Schema.Number, { default: () => 40 }),
})

export interface InitResult {
  readonly self: { readonly uin: number; readonly userName: string; readonly nickName: string }
  /** Recent chats as the server listed them (raw contact objects; decode them with `Contact.decodeContact`). */
  readonly recentContacts: ReadonlyArray<Record<string, unknown>>
  /** UserNames of the recent chats (`ChatSet`, trailing comma removed). */
  readonly chatSet: ReadonlyArray<string>
  /** Rooms at or above this size take `invitemember` instead of `addmember`. */
  readonly inviteStartCount: number
}

/** webwxinit: who we are, the recent chats and the first SyncKey; refreshes the skey when given one. */
export const init = (session: WxSession): Effect.Effect<InitResult, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const answer = yield* postJsonAs(session, { endpoint: "webwxinit", query: { r: negativeTimestamp() } }, InitAnswer)
    yield* session.data.update((d) => ({
      ...d,
      skey: answer.SKey || d.skey,
      syncKey: answer.SyncKey,
      self: { userName: answer.User.UserName, nickName: answer.User.NickName },
    }))
    return {
      self: { uin: answer.User.Uin, userName: answer.User.UserName, nickName: answer.User.NickName },
      recentContacts: answer.ContactList,
      chatSet: answer.ChatSet.split(",").filter((name) => name !== ""),
      inviteStartCount: answer.InviteStartCount,
    }
  })

/** StatusNotifyCode values this client sends: 1 a chat was read, 3 the client finished webwxinit. */
export type StatusNotifyCode = 1 | 3

/**
 * webwxstatusnotify: tells the phone what the web client did. Code 3 (to ourselves) after
 * webwxinit makes the phone send the recent-chats list; Code 1 marks the chat `toUserName` read.
 * Needs webwxinit first, which tells us our own UserName.
 */
export const statusNotify = (
  session: WxSession,
  code: StatusNotifyCode,
  toUserName?: string,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const self = yield* session.selfUserName()
    yield* postJson(session, {
      endpoint: "webwxstatusnotify",
      query: { lang: "zh_CN" },
      body: {
        Code: code,
        FromUserName: self,
        ToUserName: toUserName ?? self,
        // The official client sends the time in ms here, as a number.
        ClientMsgId: Date.now(),
      },
    })
  }).pipe(traced("Session.statusNotify", { attributes: { code }, captureStackTrace: false }))

/** The server answers webwxlogout by redirecting the browser to the login page. */
const LOGOUT_REDIRECTS = [301, 302]

/**
 * webwxlogout, as the official client does it: a form post of sid and uin, type 0 then type 1.
 * The answer is a redirect (no JSON) whether or not the session was still alive, so success only
 * means the server heard us.
 */
export const logout = (session: WxSession): Effect.Effect<void, HttpFailure, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const config = yield* ProtocolConfig
    const data = yield* session.data.get
    for (const type of [0, 1]) {
      const url = `https://${data.home}${CGI}/webwxlogout?redirect=1&type=${type}&skey=${encodeURIComponent(data.skey)}`
      yield* transport.text(
        HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUrlParams({ sid: data.sid, uin: data.uin })),
        {
          endpoint: "webwxlogout",
          jar: session.jar,
          timeout: config.requestTimeout,
          desktop: session.desktop,
          acceptStatus: LOGOUT_REDIRECTS,
        },
      )
    }
  }).pipe(traced("Session.logout"))
