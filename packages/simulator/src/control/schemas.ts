import { Schema } from "effect"
import { HOME_HOSTS } from "../world/model.js"

/** Request bodies of the control API. Optional fields are exact: absent, never `undefined`. */

const optional = <S extends Schema.Schema.All>(schema: S) =>
  Schema.optionalWith(schema, { exact: true })

const Wxid = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128))
const Count = (max: number) => Schema.Int.pipe(Schema.between(0, max))
export const Home = Schema.Literal(...HOME_HOSTS)

const personFields = {
  wxid: Wxid,
  nickName: Schema.String,
  uin: optional(Schema.Int.pipe(Schema.between(1, 0xffff_ffff))),
  sex: optional(Schema.Literal(0, 1, 2)),
  signature: optional(Schema.String),
  province: optional(Schema.String),
  city: optional(Schema.String),
  alias: optional(Schema.String),
  verifyFlag: optional(Count(0xffff)),
}

export const PersonBody = Schema.Struct(personFields)
export const PersonsBody = Schema.Struct({ persons: Schema.Array(PersonBody) })

export const AccountBody = Schema.Struct({
  ...personFields,
  home: optional(Home),
  webLoginRefused: optional(Schema.Boolean),
  /** wxids (persons that exist) to befriend at once. */
  friends: optional(Schema.Array(Wxid)),
})
export const AccountsBody = Schema.Struct({ accounts: Schema.Array(AccountBody) })

export const BulkAccountsBody = Schema.Struct({
  count: Schema.Int.pipe(Schema.between(1, 100_000)),
  prefix: optional(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,32}$/))),
  start: optional(Count(10_000_000)),
  friendsEach: optional(Count(5_000)),
  groupsEach: optional(Count(500)),
  poolSize: optional(Schema.Int.pipe(Schema.between(1, 1_000_000))),
  home: optional(Schema.Union(Home, Schema.Literal("mixed"))),
})

export const FriendBody = Schema.Struct({
  account: Wxid,
  wxid: Wxid,
  remarkName: optional(Schema.String),
})

export const GroupBody = Schema.Struct({
  topic: Schema.String,
  owner: Wxid,
  members: Schema.Array(
    Schema.Union(Wxid, Schema.Struct({ wxid: Wxid, displayName: Schema.String })),
  ),
  roomId: optional(Schema.String.pipe(Schema.pattern(/^[^/\s]+@chatroom$/))),
})

export const UuidBody = Schema.Struct({ uuid: Schema.String.pipe(Schema.minLength(1)) })
export const ScanBody = Schema.Struct({ uuid: optional(Schema.String.pipe(Schema.minLength(1))) })
export const LogoutBody = Schema.Struct({ code: optional(Schema.Literal(1100, 1101, 1102)) })

const kind = <K extends string, F extends Schema.Struct.Fields>(name: K, fields: F) =>
  Schema.Struct({ kind: Schema.Literal(name), ...fields })

/** What `say` can make a person say; media bytes are generated (JSON carries none). */
export const MessageSpecBody = Schema.Union(
  kind("text", { text: Schema.String, mentions: optional(Schema.Array(Wxid)) }),
  kind("image", { width: optional(Count(100_000)), height: optional(Count(100_000)) }),
  kind("voice", { durationMs: optional(Count(600_000)) }),
  kind("video", { seconds: optional(Count(36_000)) }),
  kind("emoticon", { md5: optional(Schema.String), store: optional(Schema.Boolean) }),
  kind("location", {
    label: Schema.String,
    lat: Schema.Number,
    lng: Schema.Number,
    poiname: optional(Schema.String),
  }),
  kind("card", { wxid: Wxid }),
  kind("link", {
    title: Schema.String,
    url: Schema.String,
    description: optional(Schema.String),
    source: optional(Schema.String),
  }),
  kind("file", { name: Schema.String.pipe(Schema.minLength(1)), size: optional(Count(1024 ** 3)) }),
  kind("transfer", {
    amount: Schema.String.pipe(Schema.pattern(/^\d+(\.\d{1,2})?$/)),
    memo: optional(Schema.String),
  }),
  kind("redPacket", { variant: optional(Schema.Literal("notice", "appmsg")) }),
  kind("miniProgram", {
    title: Schema.String,
    appId: Schema.String,
    pagePath: optional(Schema.String),
    sourceName: optional(Schema.String),
  }),
  kind("quote", {
    text: Schema.String,
    quotedMsgId: Schema.String,
    quotedFrom: Wxid,
    quotedText: Schema.String,
  }),
  kind("revoke", { msgId: Schema.String.pipe(Schema.pattern(/^\d+$/)) }),
  kind("system", { text: Schema.String }),
  kind("unknownApp", { appMsgType: Count(0xffff), title: Schema.String }),
)

export const SayBody = Schema.Struct({ from: Wxid, to: Wxid, spec: MessageSpecBody })

/** Most messages one `/say-batch` carries: a load generator's tick, not a whole load. */
export const MAX_SAY_BATCH = 1_000
export const SayBatchBody = Schema.Struct({
  messages: Schema.Array(SayBody).pipe(Schema.maxItems(MAX_SAY_BATCH)),
})

export const FriendRequestBody = Schema.Struct({
  stranger: Wxid,
  account: Wxid,
  greeting: optional(Schema.String),
  scene: optional(Count(0xffff)),
})
export const AcceptRequestBody = Schema.Struct({ stranger: Wxid, account: Wxid })

export const JoinBody = Schema.Struct({ inviter: Wxid, members: Schema.NonEmptyArray(Wxid) })
export const LeaveBody = Schema.Struct({ member: Wxid })
export const RemoveBody = Schema.Struct({ by: Wxid, member: Wxid })
export const RenameBody = Schema.Struct({ by: Wxid, topic: Schema.String })

export const LatencyBody = Schema.Struct({ host: Schema.String, ms: Count(600_000) })
export const RateLimitBody = Schema.Struct({
  account: Wxid,
  after: Schema.NullOr(Count(1_000_000)),
})
/** The next `count` synccheck or webwxsync answers of an account are 1205. */
export const RateLimitedAnswersBody = Schema.Struct({ account: Wxid, count: Count(1_000_000) })
export const MalformedBody = Schema.Struct({
  host: optional(Schema.String),
  path: optional(Schema.String.pipe(Schema.minLength(1))),
  kind: optional(Schema.Literal("truncated", "html", "empty")),
  count: optional(Schema.Int.pipe(Schema.between(1, 1_000_000))),
})
export const DropLongPollsBody = Schema.Struct({
  host: optional(Schema.String),
  account: optional(Wxid),
})
