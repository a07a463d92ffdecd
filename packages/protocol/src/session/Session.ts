import { Effect, Ref, Schema } from "effect"
import { MalformedResponse, type SessionCallError } from "../Errors.js"
import { postJson } from "../http/call.js"
import type { Transport } from "../http/Transport.js"
import { negativeTimestamp } from "../Ids.js"
import type { ProtocolConfig } from "../ProtocolConfig.js"
import { SyncKey } from "./SessionState.js"
import type { WxSession } from "./WxSession.js"

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
  /** Recent chats as the server listed them (raw contact objects; decode them with Contacts). */
  readonly recentContacts: ReadonlyArray<Record<string, unknown>>
  /** UserNames of the recent chats (`ChatSet`, trailing comma removed). */
  readonly chatSet: ReadonlyArray<string>
  /** Rooms at or above this size take `invitemember` instead of `addmember`. */
  readonly inviteStartCount: number
}

/** webwxinit: who we are, the recent chats and the first SyncKey; refreshes the skey when given one. */
export const init = (
  session: WxSession,
): Effect.Effect<InitResult, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const json = yield* postJson(session, { endpoint: "webwxinit", query: { r: negativeTimestamp() } })
    const answer = yield* Schema.decodeUnknown(InitAnswer)(json).pipe(
      Effect.mapError(
        (error) =>
          new MalformedResponse({
            endpoint: "webwxinit",
            host: session.hosts.home,
            reason: error.message,
            raw: JSON.stringify(json).slice(0, 4_000),
          }),
      ),
    )
    yield* Ref.update(session.data, (d) => ({
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
