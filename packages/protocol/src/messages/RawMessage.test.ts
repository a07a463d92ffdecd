import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { parseServerJson } from "../wire/json.js"
import { RawMessage, readRawMessage, readWellFormed, readWithSchema } from "./RawMessage.js"

const SELF = "@2ea0c8bc2e1b5d1ad6f3b5e6d3a1c4f2"
const ALICE = "@0ce0eee5b4f2a7d8c1e9f3a6b5d4c2e1"
const ROOM = "@@3ebf2dd0c4e2b8b6f1a9d7e3c5b2a8f4d6e1c3b7a9f2e4d8c6b1a3f5e7d9c2b4"

type Entry = Record<string, unknown>

const EMPTY_RECOMMEND = {
  UserName: "",
  NickName: "",
  QQNum: 0,
  Province: "",
  City: "",
  Content: "",
  Signature: "",
  Alias: "",
  Scene: 0,
  VerifyFlag: 0,
  AttrStatus: 0,
  Sex: 0,
  Ticket: "",
  OpCode: 0,
}

/** An AddMsgList entry as the server writes it (as in decode.test.ts): every key present. */
const entry = (fields: Readonly<Entry>): Entry => ({
  MsgId: "3225371967511173931",
  FromUserName: ALICE,
  ToUserName: SELF,
  MsgType: 1,
  Content: "",
  Status: 3,
  ImgStatus: 1,
  CreateTime: 1463755899,
  VoiceLength: 0,
  PlayLength: 0,
  FileName: "",
  FileSize: "",
  MediaId: "",
  Url: "",
  AppMsgType: 0,
  StatusNotifyCode: 0,
  StatusNotifyUserName: "",
  RecommendInfo: EMPTY_RECOMMEND,
  ForwardFlag: 0,
  AppInfo: { AppID: "", Type: 0 },
  HasProductId: 0,
  Ticket: "",
  ImgHeight: 0,
  ImgWidth: 0,
  SubMsgType: 0,
  NewMsgId: "3225371967511173931",
  OriContent: "",
  EncryFileName: "",
  ...fields,
})

const withoutNewMsgId = (): Entry => {
  const { NewMsgId: _, ...older } = entry({ Content: "hi" })
  return older
}

const fromServerJson = (body: string): Entry => {
  const parsed = Either.getOrThrow(parseServerJson(body)) as { AddMsgList: ReadonlyArray<Entry> }
  return parsed.AddMsgList[0] ?? {}
}

/** The shapes of src/messages/*.test.ts, one per kind of entry. */
const PAYLOADS: ReadonlyArray<Entry> = [
  entry({ Content: "hi" }),
  entry({ FromUserName: SELF, ToUserName: ROOM, Content: "abc:<br/>hi" }),
  entry({
    FromUserName: ROOM,
    Content: `${ALICE}:<br/>@小明\u2005@SToneX\u2005普通群聊消息<span class="emoji emoji1f639"></span>&lt;b&gt;`,
  }),
  withoutNewMsgId(),
  fromServerJson(
    `{"AddMsgList":[{"MsgId":"6599448710267926107","FromUserName":"${ALICE}","ToUserName":"${SELF}",` +
      `"MsgType":1,"Content":"Hello World","CreateTime":1463755899,"NewMsgId":6599448710267926107}\n]}`,
  ),
  entry({
    MsgType: 3,
    ImgStatus: 2,
    ImgHeight: 90,
    ImgWidth: 120,
    Content: "&lt;msg&gt;&lt;/msg&gt;",
  }),
  entry({ MsgType: 34, VoiceLength: 2340, Content: "&lt;msg&gt;&lt;voicemsg /&gt;&lt;/msg&gt;" }),
  entry({ MsgType: 62, PlayLength: 2, ImgHeight: 540, ImgWidth: 960 }),
  entry({ MsgType: 47, HasProductId: 1, FromUserName: ROOM, Content: `${ALICE}:<br/>` }),
  entry({
    FromUserName: ROOM,
    SubMsgType: 48,
    Content: `${ALICE}:<br/>广东省深圳市南山区:<br/>/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx`,
    Url: "http://apis.map.qq.com/uri/v1/geocoder?coord=22.543096,113.934592",
    OriContent:
      '<?xml version="1.0"?>\n<msg>\n\t<location x="22.543096" y="113.934592" />\n</msg>\n',
  }),
  entry({
    MsgType: 42,
    RecommendInfo: {
      ...EMPTY_RECOMMEND,
      UserName: "@a9b8c7",
      NickName: "新闻早班车",
      Scene: 17,
      VerifyFlag: 24,
    },
  }),
  entry({
    MsgType: 49,
    AppMsgType: 5,
    ImgStatus: 2,
    FileName: "约返:0.99 抢京东券",
    FileSize: "0",
  }),
  entry({
    MsgType: 49,
    AppMsgType: 6,
    FromUserName: ROOM,
    FileName: "fileName.zip",
    FileSize: "1024",
    MediaId: "@crypt_8d3c1a2b_7e6f5d4c",
    AppInfo: { AppID: "wx6618f1cfc6c132f8", Type: 0 },
    EncryFileName: "fileName%2Ezip",
  }),
  entry({
    MsgType: 37,
    FromUserName: "fmessage",
    Content: '&lt;msg fromusername="wxid_a8d806dzznm822" ticket="v2_7c1d@stranger" /&gt;',
    RecommendInfo: {
      UserName: "@04a0fa314d0d8d50dc54e2ec908744ebf46b87404d143fd9a6692182dd90bd49",
      NickName: "李卓桓.PreAngel",
      QQNum: 0,
      Province: "北京",
      City: "海淀",
      Content: '我是群聊"Wechaty"的李卓桓.PreAngel',
      Signature: "见见面",
      Alias: "zixia008",
      Scene: 14,
      VerifyFlag: 0,
      AttrStatus: 233251,
      Sex: 1,
      Ticket: "v2_7c1d@stranger",
      OpCode: 2,
    },
  }),
  entry({ MsgType: 10000, FromUserName: ROOM, Content: '你邀请"管理员"加入了群聊  ' }),
  entry({ MsgType: 10002, Status: 4, Content: '&lt;sysmsg type="revokemsg"&gt;&lt;/sysmsg&gt;' }),
  entry({
    MsgType: 51,
    FromUserName: SELF,
    StatusNotifyCode: 4,
    StatusNotifyUserName: `${ALICE},filehelper,${ROOM}`,
  }),
  { MsgType: 1, Content: "hi" },
  {},
]

const RECOMMEND_FIELDS = Object.keys(EMPTY_RECOMMEND)
const TOP_FIELDS = Object.keys(entry({}))

/** Values of every other wire type, and the same value in the other form (numbers as strings and back). */
const replacements = (value: unknown): ReadonlyArray<unknown> => [
  undefined,
  null,
  true,
  "",
  "7",
  0,
  7,
  -0,
  Number.NaN,
  1.5e21,
  [],
  ["a"],
  {},
  { UserName: "x" },
  typeof value === "number" ? String(value) : typeof value === "string" ? Number(value) : value,
]

/** Every single-field mutation of an entry: left out, retyped, and an extra field beside it. */
const mutations = (base: Entry): ReadonlyArray<unknown> => {
  const out: Array<unknown> = [
    null,
    undefined,
    "text",
    42,
    [],
    [base],
    { ...base, Extra: 1, AppInfo2: {} },
  ]
  for (const key of TOP_FIELDS) {
    const { [key]: _, ...missing } = base
    out.push(missing)
    for (const value of replacements(base[key])) out.push({ ...base, [key]: value })
  }
  for (const [nested, fields] of [
    ["RecommendInfo", RECOMMEND_FIELDS],
    ["AppInfo", ["AppID", "Type"]],
  ] as const) {
    const inner = base[nested]
    const record: Entry = typeof inner === "object" && inner !== null ? { ...inner } : {}
    out.push({ ...base, [nested]: { ...record, Extra: "x" } })
    for (const key of fields) {
      const { [key]: _, ...missing } = record
      out.push({ ...base, [nested]: missing })
      for (const value of replacements(record[key]))
        out.push({ ...base, [nested]: { ...record, [key]: value } })
    }
  }
  return out
}

const decodeRaw = Schema.decodeUnknownEither(RawMessage, { errors: "all" })

/** An object literal or `JSON.parse` result (prototype `Object.prototype` or none), not an array. */
const isPlain = (value: unknown): value is Entry => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** What the fast path reads itself: plain objects, with plain (or no) nested objects. */
const isPlainEntry = (value: unknown): boolean =>
  isPlain(value) &&
  [value["RecommendInfo"], value["AppInfo"]].every(
    (nested) => typeof nested !== "object" || nested === null || isPlain(nested),
  )

/**
 * The fast path agrees with the Schema: the Schema's value for every plain entry the Schema reads,
 * nothing for the others; and `readRawMessage` answers exactly as through the Schema alone.
 */
const assertSame = (input: unknown): void => {
  const fast = readWellFormed(input)
  const schema = isRecord(input) ? decodeRaw(input) : undefined
  if (schema === undefined || Either.isLeft(schema) || !isPlainEntry(input))
    assert.isUndefined(fast)
  else {
    assert.deepStrictEqual(fast, schema.right)
    assert.strictEqual(JSON.stringify(fast), JSON.stringify(schema.right))
  }
  const read = readRawMessage(input)
  const slow = readWithSchema(input)
  assert.deepStrictEqual(read, slow)
  assert.strictEqual(JSON.stringify(read), JSON.stringify(slow))
}

const isRecord = (value: unknown): value is Entry =>
  typeof value === "object" && value !== null && !Array.isArray(value)

describe("readRawMessage's fast path", () => {
  it("reads every real-shaped payload itself, as the Schema does", () => {
    for (const payload of PAYLOADS) {
      assert.isDefined(readWellFormed(payload))
      assertSame(payload)
    }
    assert.strictEqual(readWellFormed(PAYLOADS[4])?.NewMsgId, "6599448710267926107")
  })

  it("gives the Schema's defaults for an empty entry", () => {
    assert.deepStrictEqual(readWellFormed({}), RawMessage.make({}))
  })

  it("agrees with the Schema on every single-field mutation of the payloads", () => {
    // One payload of each shape: full text, no NewMsgId, bare-number NewMsgId and few fields,
    // card, file (AppInfo), friend request (every RecommendInfo field set), minimal, empty.
    const shapes = [0, 3, 4, 10, 12, 13, 17, 18].map((index) => PAYLOADS[index] ?? {})
    let checked = 0
    for (const payload of shapes)
      for (const mutated of mutations(payload)) {
        assertSame(mutated)
        checked += 1
      }
    assert.isAbove(checked, 5_000)
  }, 120_000)

  it("leaves entries with a wrong type to the Schema, which reports them as before", () => {
    const mistyped = entry({ MsgType: "1", ImgWidth: null, RecommendInfo: { Sex: "1" } })
    assert.isUndefined(readWellFormed(mistyped))
    const { raw, issues } = readRawMessage(mistyped)
    assert.strictEqual(
      issues,
      'MsgType: Expected number, actual "1"; RecommendInfo.Sex: Expected number, actual "1"; ' +
        "ImgWidth: Expected number, actual null",
    )
    assert.deepStrictEqual(
      [raw.MsgType, raw.ImgWidth, raw.RecommendInfo.Sex, raw.Content],
      [0, 0, 0, ""],
    )
  })

  it("reads an entry that is no object, even one that cannot be made a string, with its issue", () => {
    const { raw, issues } = readRawMessage([{ toString: "" }])
    assert.deepStrictEqual(raw, RawMessage.make({}))
    assert.strictEqual(issues, "not an object: [object Array]")
    assert.strictEqual(readRawMessage(7).issues, "not an object: 7")
  })

  it("leaves objects that are not plain to the Schema, which reads own fields only", () => {
    const inherited = Object.assign(Object.create({ MsgType: "1", Content: 5 }) as Entry, {
      MsgId: "1",
    })
    assert.isUndefined(readWellFormed(inherited))
    assertSame(inherited)
    assert.deepStrictEqual(readRawMessage(inherited).raw, RawMessage.make({ MsgId: "1" }))
    const odd = [
      entry({ RecommendInfo: new Map() }),
      entry({ AppInfo: new Date(0) }),
      entry({ AppInfo: Object.assign(Object.create({ Type: 1 }) as Entry, { AppID: "a" }) }),
      new (class Received {
        readonly MsgId = "1"
      })(),
    ]
    for (const input of odd) assertSame(input)
    const nullPrototype = (fields: Entry): Entry =>
      Object.assign(Object.create(null) as Entry, fields)
    const plain = nullPrototype(entry({ Content: "x", AppInfo: nullPrototype({ AppID: "a" }) }))
    assert.isDefined(readWellFormed(plain))
    assertSame(plain)
  })

  it("agrees with the Schema on generated well-formed entries", () => {
    const wellFormed = Arbitrary.make(Schema.encodedSchema(RawMessage))
    fc.assert(
      fc.property(wellFormed, (generated) => {
        assert.isDefined(readWellFormed(generated))
        assertSame(generated)
      }),
      { numRuns: 500 },
    )
  }, 120_000)

  it("agrees with the Schema on generated entries with fields mutated, extra or of any type", () => {
    const key = fc.constantFrom(...TOP_FIELDS, "Extra", "__proto__", "constructor")
    const nestedKey = fc.constantFrom(...RECOMMEND_FIELDS, "AppID", "Type", "Extra")
    const value = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.double(),
      fc.integer().map(String),
      fc.constant(undefined),
      fc.constant(null),
    )
    const edit = fc.oneof(
      fc.record({ key, value }),
      fc.record({ key: fc.constantFrom("RecommendInfo", "AppInfo"), nestedKey, value }),
      fc.record({ remove: key }),
    )
    const base = fc.oneof(
      fc.constantFrom(...PAYLOADS),
      Arbitrary.make(Schema.encodedSchema(RawMessage)),
    )
    fc.assert(
      fc.property(base, fc.array(edit, { maxLength: 4 }), (start, edits) => {
        const mutated: Entry = { ...start }
        for (const change of edits) {
          if ("remove" in change) delete mutated[change.remove]
          else if ("nestedKey" in change) {
            const inner = mutated[change.key]
            const record: Entry = typeof inner === "object" && inner !== null ? { ...inner } : {}
            mutated[change.key] = { ...record, [change.nestedKey]: change.value }
          } else
            Object.defineProperty(mutated, change.key, {
              value: change.value,
              enumerable: true,
              writable: true,
              configurable: true,
            })
        }
        assertSame(mutated)
      }),
      { numRuns: 2_000 },
    )
    fc.assert(
      fc.property(fc.anything(), (anything) => assertSame(anything)),
      { numRuns: 500 },
    )
  }, 120_000)
})
