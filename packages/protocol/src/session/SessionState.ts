import { Schema } from "effect"

export const SyncKey = Schema.Struct({
  Count: Schema.Number,
  List: Schema.Array(Schema.Struct({ Key: Schema.Number, Val: Schema.Number })),
})
export type SyncKey = typeof SyncKey.Type

export const EMPTY_SYNC_KEY: SyncKey = { Count: 0, List: [] }

/**
 * Everything needed to resume a logged-in session without a scan: keys, cookies, hosts and the
 * sync position. Serialisable (JSON); contains secrets, so it is encrypted wherever it is stored.
 */
export const SessionState = Schema.Struct({
  uin: Schema.String,
  sid: Schema.String,
  skey: Schema.String,
  /** As the server sent it: already percent-encoded. */
  passTicket: Schema.String,
  /** The host the login redirect pointed to (wx.qq.com, wx2.qq.com, web.wechat.com…). */
  home: Schema.String,
  /** The webpush host that answered last; tried first next time. */
  webpushHost: Schema.optional(Schema.String),
  syncKey: SyncKey,
  syncCheckKey: Schema.optional(SyncKey),
  self: Schema.optional(Schema.Struct({ userName: Schema.String, nickName: Schema.String })),
  desktop: Schema.Boolean,
  /** The cookie jar, serialised. */
  cookies: Schema.Unknown,
})
export type SessionState = typeof SessionState.Type
