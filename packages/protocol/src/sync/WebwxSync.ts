import { Effect, Either, Exit, ParseResult, Schema } from "effect"
import type { SessionCallError } from "../Errors.js"
import { exchangeThen, judgedAs, postJsonAs, type JsonCall } from "../http/call.js"
import type { Call } from "../http/LeanUndiciClient.js"
import { exitOf, type PlainTransport, type Transport } from "../http/Transport.js"
import { negativeTimestamp } from "../Ids.js"
import type { ProtocolConfig, ProtocolConfigShape } from "../ProtocolConfig.js"
import { SyncKey } from "../session/SessionState.js"
import type { SessionData, WxSession } from "../session/WxSession.js"
import { traced } from "../Tracing.js"

/** Entries stay raw here: the decoders of messages and contacts read them. */
const RawEntryArray = Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown }))

/**
 * An entry that `RawEntryArray` would only copy. Not one with an own `__proto__` key (as
 * `JSON.parse` makes it), which the copy turns into its prototype, nor that copy itself.
 */
const isPlainEntry = (entry: unknown): boolean =>
  typeof entry === "object" &&
  entry !== null &&
  Object.getPrototypeOf(entry) === Object.prototype &&
  !Object.hasOwn(entry, "__proto__")

/** Entries `RawEntryArray` would only copy: they pass as they are. */
const arePlainEntries = (input: unknown): input is ReadonlyArray<Record<string, unknown>> =>
  Array.isArray(input) && input.every(isPlainEntry)

/**
 * `RawEntryArray` without copying every field of every entry, a sixth of the CPU of a webwxsync
 * call with 100 messages: parsed entries pass as they are, anything else goes through the schema.
 */
const RawEntryList = Schema.declare(
  [RawEntryArray],
  {
    decode: (entries) => (input, options) =>
      arePlainEntries(input)
        ? ParseResult.succeed(input)
        : ParseResult.decodeUnknown(entries)(input, options),
    encode: (entries) => (input, options) => ParseResult.encodeUnknown(entries)(input, options),
  },
  { identifier: String(RawEntryArray.ast) },
)
const RawEntries = Schema.optionalWith(RawEntryList, { default: () => [] })

/** A webwxsync answer as decoded (entries left raw); exported for its tests. */
export const SyncAnswer = Schema.Struct({
  AddMsgList: RawEntries,
  ModContactList: RawEntries,
  DelContactList: RawEntries,
  ModChatRoomMemberList: RawEntries,
  ContinueFlag: Schema.optionalWith(Schema.Number, { default: () => 0 }),
  SyncKey,
  SyncCheckKey: Schema.optional(SyncKey),
  SKey: Schema.optionalWith(Schema.String, { default: () => "" }),
})

type SyncAnswer = typeof SyncAnswer.Type

/** `SyncKey`'s decoding of `value` when it is a well-formed key (a copy, as the Struct makes); else undefined. */
const plainSyncKey = (value: unknown): SyncKey | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const { Count, List } = value as { readonly Count?: unknown; readonly List?: unknown }
  if (typeof Count !== "number" || !Array.isArray(List)) return undefined
  const list: Array<{ readonly Key: number; readonly Val: number }> = new Array(List.length)
  for (let i = 0; i < List.length; i++) {
    const item: unknown = List[i]
    if (typeof item !== "object" || item === null) return undefined
    const { Key, Val } = item as { readonly Key?: unknown; readonly Val?: unknown }
    if (typeof Key !== "number" || typeof Val !== "number") return undefined
    list[i] = { Key, Val }
  }
  return { Count, List: list }
}

const plainEntries = (value: unknown): ReadonlyArray<Record<string, unknown>> | undefined =>
  value === undefined ? [] : arePlainEntries(value) ? value : undefined

/**
 * `SyncAnswer`'s decoding of a well-formed answer, by hand: Schema's Struct and Array decoders
 * made half of the garbage of a webwxsync call (~80 KB of ~160 KB). Anything unusual gives
 * undefined and goes through the Schema, which also words the error.
 */
export const plainSyncAnswer = (json: Record<string, unknown>): SyncAnswer | undefined => {
  const AddMsgList = plainEntries(json["AddMsgList"])
  const ModContactList = plainEntries(json["ModContactList"])
  const DelContactList = plainEntries(json["DelContactList"])
  const ModChatRoomMemberList = plainEntries(json["ModChatRoomMemberList"])
  const continueFlag = json["ContinueFlag"] ?? 0
  const skey = json["SKey"] ?? ""
  const syncKey = plainSyncKey(json["SyncKey"])
  const rawCheckKey = json["SyncCheckKey"]
  const syncCheckKey = rawCheckKey === undefined ? undefined : plainSyncKey(rawCheckKey)
  if (
    AddMsgList === undefined ||
    ModContactList === undefined ||
    DelContactList === undefined ||
    ModChatRoomMemberList === undefined ||
    typeof continueFlag !== "number" ||
    typeof skey !== "string" ||
    syncKey === undefined ||
    (rawCheckKey !== undefined && syncCheckKey === undefined)
  )
    return undefined
  return {
    AddMsgList,
    ModContactList,
    DelContactList,
    ModChatRoomMemberList,
    ContinueFlag: continueFlag,
    SyncKey: syncKey,
    ...(syncCheckKey === undefined ? {} : { SyncCheckKey: syncCheckKey }),
    SKey: skey,
  }
}

/** What one webwxsync answered, with the keys that follow it (not yet stored: see `commitKeys`). */
export interface SyncBatch {
  readonly addMsgList: ReadonlyArray<Record<string, unknown>>
  readonly modContactList: ReadonlyArray<Record<string, unknown>>
  readonly delContactList: ReadonlyArray<Record<string, unknown>>
  readonly modChatRoomMemberList: ReadonlyArray<Record<string, unknown>>
  /** ≠ 0 when the server holds more: fetch again before polling. */
  readonly continueFlag: number
  readonly syncKey: SyncKey
  readonly syncCheckKey: SyncKey | undefined
  /** A new skey, or "" when the server keeps the old one. */
  readonly skey: string
}

/** The webwxsync call for a session's keys now. */
const syncCall = (data: SessionData): JsonCall => ({
  endpoint: "webwxsync",
  query: { sid: data.sid, skey: data.skey, lang: "zh_CN" },
  body: { SyncKey: data.syncKey, rr: negativeTimestamp() },
})

const batchOf = (answer: SyncAnswer): SyncBatch => ({
  addMsgList: answer.AddMsgList,
  modContactList: answer.ModContactList,
  delContactList: answer.DelContactList,
  modChatRoomMemberList: answer.ModChatRoomMemberList,
  continueFlag: answer.ContinueFlag,
  syncKey: answer.SyncKey,
  syncCheckKey: answer.SyncCheckKey,
  skey: answer.SKey,
})

/**
 * webwxsync on the home host: the changes after the session's SyncKey. The session is left
 * untouched, so a batch that is lost before it was handled is fetched again.
 */
export const webwxsync = (
  session: WxSession,
): Effect.Effect<SyncBatch, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const call = syncCall(yield* session.data.get)
    return batchOf(yield* postJsonAs(session, call, SyncAnswer, plainSyncAnswer))
  }).pipe(traced("webwxsync", { captureStackTrace: false }))

/**
 * `webwxsync` without Effect, on the lean client's plain path (see `Transport.plain`): `done`
 * hears the batch or the typed failure, once, unless the call is stopped first. The same
 * request, and the same answers and errors.
 */
export const webwxsyncThen = (
  session: WxSession,
  transport: PlainTransport,
  config: ProtocolConfigShape,
  done: (result: Exit.Exit<SyncBatch, SessionCallError>) => void,
): Call => {
  const call = syncCall(session.data.current())
  return exchangeThen(transport, config, session, call, (result) =>
    done(Exit.flatMap(result, (judged) => exitOf(() => Either.map(judgedAs(judged, call, SyncAnswer, plainSyncAnswer), batchOf)))),
  )
}

const hasKeys = (key: SyncKey | undefined): key is SyncKey => key !== undefined && key.Count > 0

/**
 * Moves the session past a handled batch: keys with `Count` 0 are ignored, as the official client
 * does, and a non-empty SKey replaces the skey. A SyncKey that advances without a SyncCheckKey
 * drops the old SyncCheckKey, which would make synccheck report the handled changes forever.
 */
export const commitKeys = (session: WxSession, batch: SyncBatch): Effect.Effect<void> =>
  Effect.sync(commitKeysNow(session, batch))

/** `commitKeys` as a plain function, for callers outside Effect. */
export const commitKeysNow = (session: WxSession, batch: SyncBatch) => (): void =>
  session.data.updateNow((d) => ({
    ...d,
    skey: batch.skey || d.skey,
    syncKey: hasKeys(batch.syncKey) ? sharingUnchanged(d.syncKey, batch.syncKey) : d.syncKey,
    syncCheckKey: hasKeys(batch.syncCheckKey)
      ? sharingUnchanged(d.syncCheckKey, batch.syncCheckKey)
      : hasKeys(batch.syncKey)
        ? undefined
        : d.syncCheckKey,
  }))

/**
 * `next`, with each of its keys that `previous` holds unchanged taken from `previous` (all of
 * it when nothing changed): a round usually moves one or two keys, and a session keeps its keys
 * for the whole next long poll, so the rest of the new answer's keys can be garbage at once.
 */
export const sharingUnchanged = (previous: SyncKey | undefined, next: SyncKey): SyncKey => {
  if (previous === undefined || previous.Count !== next.Count || previous.List.length !== next.List.length) return next
  let changed = 0
  const list = next.List.map((key, i) => {
    const old = previous.List[i]!
    if (old.Key === key.Key && old.Val === key.Val) return old
    changed++
    return key
  })
  return changed === 0 ? previous : { Count: next.Count, List: list }
}
