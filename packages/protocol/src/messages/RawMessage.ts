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

/** The fields of `T` as they may arrive: any value, or none. */
type Wire<T> = { readonly [K in keyof T]?: unknown }

const isText = (value: unknown): value is string | undefined =>
  value === undefined || typeof value === "string"
const isInt = (value: unknown): value is number | undefined =>
  value === undefined || typeof value === "number"
const isDigits = (value: unknown): value is string | number | undefined =>
  value === undefined || typeof value === "string" || typeof value === "number"
const digitsOf = (value: string | number | undefined): string =>
  value === undefined ? "" : String(value)

/**
 * An object as `JSON.parse` or a literal makes it, so a field it does not hold reads `undefined`
 * (others, class instances or objects with another prototype, are left to the Schema, which reads
 * own fields only). Assumes nothing adds the fields' names to `Object.prototype`.
 */
const isPlain = <T>(value: unknown): value is Wire<T> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** `RecommendInfo` by hand: each field read once; undefined when one is not of its wire type. */
const readRecommendInfo = (value: unknown): RecommendInfo | undefined => {
  if (value === undefined) return readRecommendInfo({})
  if (!isPlain<RecommendInfo>(value)) return undefined
  const { UserName, NickName, QQNum, Province, City, Content, Signature } = value
  const { Alias, Scene, VerifyFlag, AttrStatus, Sex, Ticket, OpCode } = value
  if (!(
    isText(UserName) &&
    isText(NickName) &&
    isInt(QQNum) &&
    isText(Province) &&
    isText(City) &&
    isText(Content) &&
    isText(Signature) &&
    isText(Alias) &&
    isInt(Scene) &&
    isInt(VerifyFlag) &&
    isInt(AttrStatus) &&
    isInt(Sex) &&
    isText(Ticket) &&
    isInt(OpCode)
  ))
    return undefined
  return {
    UserName: UserName ?? "",
    NickName: NickName ?? "",
    QQNum: QQNum ?? 0,
    Province: Province ?? "",
    City: City ?? "",
    Content: Content ?? "",
    Signature: Signature ?? "",
    Alias: Alias ?? "",
    Scene: Scene ?? 0,
    VerifyFlag: VerifyFlag ?? 0,
    AttrStatus: AttrStatus ?? 0,
    Sex: Sex ?? 0,
    Ticket: Ticket ?? "",
    OpCode: OpCode ?? 0,
  }
}

const readAppInfo = (value: unknown): AppInfo | undefined => {
  if (value === undefined) return { AppID: "", Type: 0 }
  if (!isPlain<AppInfo>(value)) return undefined
  const { AppID, Type } = value
  return isText(AppID) && isInt(Type) ? { AppID: AppID ?? "", Type: Type ?? 0 } : undefined
}

// Fast path: Schema-only, text decoding ran at 44,500 msg/CPU-s, 75 % in ParseResult (issue 3: 100,000).
/**
 * `RawMessage` decoded by hand, for entries whose every field has its wire type: the same value the
 * Schema gives (the Schema stays the definition; RawMessage.test.ts holds the two equal), or
 * `undefined` when a field is of another type, or `entry` not a plain object, for the Schema to read.
 */
export const readWellFormed = (entry: unknown): RawMessage | undefined => {
  if (!isPlain<RawMessage>(entry)) return undefined
  const { MsgId, FromUserName, ToUserName, MsgType, Content, Status, ImgStatus } = entry
  const { CreateTime, VoiceLength, PlayLength, FileName, FileSize, MediaId, Url } = entry
  const { AppMsgType, StatusNotifyCode, StatusNotifyUserName, ForwardFlag, HasProductId } = entry
  const { Ticket, ImgHeight, ImgWidth, SubMsgType, NewMsgId, OriContent, EncryFileName } = entry
  const recommendInfo = readRecommendInfo(entry.RecommendInfo)
  const appInfo = readAppInfo(entry.AppInfo)
  if (!(
    isDigits(MsgId) &&
    isText(FromUserName) &&
    isText(ToUserName) &&
    isInt(MsgType) &&
    isText(Content) &&
    isInt(Status) &&
    isInt(ImgStatus) &&
    isInt(CreateTime) &&
    isInt(VoiceLength) &&
    isInt(PlayLength) &&
    isText(FileName) &&
    isDigits(FileSize) &&
    isText(MediaId) &&
    isText(Url) &&
    isInt(AppMsgType) &&
    isInt(StatusNotifyCode) &&
    isText(StatusNotifyUserName) &&
    recommendInfo !== undefined &&
    isInt(ForwardFlag) &&
    appInfo !== undefined &&
    isInt(HasProductId) &&
    isText(Ticket) &&
    isInt(ImgHeight) &&
    isInt(ImgWidth) &&
    isInt(SubMsgType) &&
    isDigits(NewMsgId) &&
    isText(OriContent) &&
    isText(EncryFileName)
  ))
    return undefined
  return {
    MsgId: digitsOf(MsgId),
    FromUserName: FromUserName ?? "",
    ToUserName: ToUserName ?? "",
    MsgType: MsgType ?? 0,
    Content: Content ?? "",
    Status: Status ?? 0,
    ImgStatus: ImgStatus ?? 0,
    CreateTime: CreateTime ?? 0,
    VoiceLength: VoiceLength ?? 0,
    PlayLength: PlayLength ?? 0,
    FileName: FileName ?? "",
    FileSize: digitsOf(FileSize),
    MediaId: MediaId ?? "",
    Url: Url ?? "",
    AppMsgType: AppMsgType ?? 0,
    StatusNotifyCode: StatusNotifyCode ?? 0,
    StatusNotifyUserName: StatusNotifyUserName ?? "",
    RecommendInfo: recommendInfo,
    ForwardFlag: ForwardFlag ?? 0,
    AppInfo: appInfo,
    HasProductId: HasProductId ?? 0,
    Ticket: Ticket ?? "",
    ImgHeight: ImgHeight ?? 0,
    ImgWidth: ImgWidth ?? 0,
    SubMsgType: SubMsgType ?? 0,
    NewMsgId: digitsOf(NewMsgId),
    OriContent: OriContent ?? "",
    EncryFileName: EncryFileName ?? "",
  }
}

/** What a non-object entry looks like, even an array holding an object that cannot be a string. */
const describeValue = (value: unknown): string => {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}

/** `readRawMessage` through the Schema alone: what the fast path falls back to. */
export const readWithSchema = (
  entry: unknown,
): { readonly raw: RawMessage; readonly issues: string | undefined } => {
  if (!isRecord(entry))
    return { raw: RawMessage.make({}), issues: `not an object: ${describeValue(entry).slice(0, 100)}` }
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

/**
 * Reads an entry without ever failing: fields of the wrong type are dropped (they take their zero
 * value) and reported in `issues`, so the caller can still keep what the entry said.
 */
export const readRawMessage = (
  entry: unknown,
): { readonly raw: RawMessage; readonly issues: string | undefined } => {
  const raw = readWellFormed(entry)
  return raw === undefined ? readWithSchema(entry) : { raw, issues: undefined }
}
