import { Either, ParseResult, Schema } from "effect"

const text = Schema.optionalWith(Schema.String, { default: () => "" })
const int = Schema.optionalWith(Schema.Number, { default: () => 0 })

/** An id as decimal digits; a number is accepted too (dumps made with `JSON.parse` hold rounded numbers). */
const Digits = Schema.transform(Schema.Union(Schema.String, Schema.Number), Schema.String, {
  strict: true,
  decode: (value) => String(value),
  encode: (value) => value,
})
const digits = Schema.optionalWith(Digits, { default: () => "" })

/** Who a friend request or a shared card is about; present (zeroed) on every message. */
export const RecommendInfo = Schema.Struct({
  /** Session-scoped `@…` name: what webwxverifyuser takes. */
  UserName: text,
  NickName: text,
  QQNum: int,
  Province: text,
  City: text,
  /** The greeting of a friend request. */
  Content: text,
  Signature: text,
  Alias: text,
  Scene: int,
  VerifyFlag: int,
  AttrStatus: int,
  Sex: int,
  Ticket: text,
  OpCode: int,
})
export type RecommendInfo = typeof RecommendInfo.Type

export const AppInfo = Schema.Struct({ AppID: text, Type: int })
export type AppInfo = typeof AppInfo.Type

/**
 * One `webwxsync` `AddMsgList` entry with every field in its wire type. Lenient: a missing field takes
 * its zero value, so entries from older servers (no `OriContent`, no `NewMsgId`) read the same way.
 */
export const RawMessage = Schema.Struct({
  /** The canonical id, a uint64 as a decimal string. */
  MsgId: digits,
  FromUserName: text,
  ToUserName: text,
  MsgType: int,
  /** Escaped: `&lt;`/`&gt;`, newlines as `<br/>`, emoji spans, `@sender:<br/>` in groups. */
  Content: text,
  Status: int,
  ImgStatus: int,
  /** Unix seconds. */
  CreateTime: int,
  VoiceLength: int,
  PlayLength: int,
  FileName: text,
  /** A string on the wire (`""`, `"0"`, `"1024"`). */
  FileSize: digits,
  MediaId: text,
  Url: text,
  AppMsgType: int,
  StatusNotifyCode: int,
  /** Comma list of UserNames. */
  StatusNotifyUserName: text,
  RecommendInfo: Schema.optionalWith(RecommendInfo, { default: () => RecommendInfo.make({}) }),
  ForwardFlag: int,
  AppInfo: Schema.optionalWith(AppInfo, { default: () => AppInfo.make({}) }),
  HasProductId: int,
  Ticket: text,
  ImgHeight: int,
  ImgWidth: int,
  SubMsgType: int,
  /** Quoted by `parseServerJson` so no digit is lost; a (rounded) number when parsed otherwise. */
  NewMsgId: digits,
  /** Raw XML (real newlines) for locations, else `""`. */
  OriContent: text,
  EncryFileName: text,
})
export type RawMessage = typeof RawMessage.Type

const decodeRaw = Schema.decodeUnknownEither(RawMessage, { errors: "all" })

/** The first issue of each top-level field (an optional field reports each member of its union). */
const describeIssues = (error: ParseResult.ParseError): ReadonlyMap<string, string> => {
  const issues = new Map<string, string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const key = String(issue.path[0] ?? "")
    if (!issues.has(key)) issues.set(key, `${issue.path.join(".") || "entry"}: ${issue.message}`)
  }
  return issues
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Reads an entry without ever failing: fields of the wrong type are dropped (they take their zero
 * value) and reported in `issues`, so the caller can still keep what the entry said.
 */
export const readRawMessage = (
  entry: unknown,
): { readonly raw: RawMessage; readonly issues: string | undefined } => {
  if (!isRecord(entry))
    return { raw: RawMessage.make({}), issues: `not an object: ${String(entry).slice(0, 100)}` }
  return Either.match(decodeRaw(entry), {
    onRight: (raw) => ({ raw, issues: undefined }),
    onLeft: (error) => {
      const issues = describeIssues(error)
      const kept = Object.fromEntries(Object.entries(entry).filter(([key]) => !issues.has(key)))
      return {
        raw: Either.getOrElse(decodeRaw(kept), () => RawMessage.make({})),
        issues: [...issues.values()].join("; "),
      }
    },
  })
}
