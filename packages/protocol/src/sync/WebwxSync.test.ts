import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Layer, Schema } from "effect"
import { CookieJar } from "../http/CookieJar.js"
import { Transport } from "../http/Transport.js"
import { Upstream } from "../http/Upstream.js"
import { ProtocolConfig } from "../ProtocolConfig.js"
import { WxSession } from "../session/WxSession.js"
import { plainSyncAnswer, sharingUnchanged, SyncAnswer, webwxsync } from "./WebwxSync.js"

const KEYS = `"BaseResponse":{"Ret":0,"ErrMsg":""},"SyncKey":{"Count":1,"List":[{"Key":1,"Val":2}]}`

/** webwxsync on a session whose HTTP answers `{KEYS, ...fields}` from memory. */
const syncAnswering = (fields: string) =>
  Effect.gen(function* () {
    const session = yield* WxSession.make({
      jar: CookieJar.empty(),
      desktop: false,
      data: {
        uin: "1",
        sid: "sid",
        skey: "@crypt_1",
        passTicket: "ticket",
        home: "wx2.qq.com",
        webpushHost: "webpush.wx2.qq.com",
        syncKey: { Count: 1, List: [{ Key: 1, Val: 1 }] },
        syncCheckKey: undefined,
        self: { userName: "@self", nickName: "Self" },
      },
    })
    return yield* Effect.either(webwxsync(session))
  }).pipe(
    Effect.provide(
      Layer.mergeAll(Transport.Default, ProtocolConfig.layer()).pipe(
        Layer.provide(
          Layer.mergeAll(
            Layer.succeed(
              HttpClient.HttpClient,
              HttpClient.make((request) =>
                Effect.succeed(HttpClientResponse.fromWeb(request, new Response(`{${KEYS},${fields}}`))),
              ),
            ),
            Upstream.layer(),
          ),
        ),
      ),
    ),
  )

describe("webwxsync's answer", () => {
  it.effect("hands over the entries as parsed, every field, NewMsgId with all its digits", () =>
    Effect.gen(function* () {
      const answer = yield* syncAnswering(
        `"AddMsgList":[{"MsgId":"1","NewMsgId":1234567890123456789,"Content":"hi","RecommendInfo":{"Sex":1}}],` +
          `"ModContactList":[{"UserName":"@a","MemberList":[]}],"DelContactList":[],"SKey":"@crypt_2"`,
      )
      assert(answer._tag === "Right")
      const batch = answer.right
      assert.deepStrictEqual(batch.addMsgList, [
        { MsgId: "1", NewMsgId: "1234567890123456789", Content: "hi", RecommendInfo: { Sex: 1 } },
      ])
      assert.deepStrictEqual(batch.modContactList, [{ UserName: "@a", MemberList: [] }])
      assert.deepStrictEqual([batch.delContactList, batch.modChatRoomMemberList, batch.skey], [[], [], "@crypt_2"])
    }),
  )

  it.effect("drops an entry's own __proto__ key, as the copy of a Record schema does", () =>
    Effect.gen(function* () {
      const answer = yield* syncAnswering(
        `"AddMsgList":[{"__proto__":{"x":1},"b":2},{"__proto__":null,"c":3}],"ModContactList":[{"d":{"__proto__":4}}]`,
      )
      assert(answer._tag === "Right")
      const [first, second] = answer.right.addMsgList
      assert.deepStrictEqual([first, second], [{ b: 2 }, { c: 3 }])
      assert.deepStrictEqual([Object.getPrototypeOf(first), Object.getPrototypeOf(second)], [Object.prototype, Object.prototype])
      const nested = answer.right.modContactList[0]?.["d"]
      assert.isTrue(Object.hasOwn(nested as object, "__proto__"))
    }),
  )

  it.effect("fails an entry that is no object as MalformedResponse, with the Record schema's reason", () =>
    Effect.gen(function* () {
      const answer = yield* syncAnswering(`"AddMsgList":[{"a":1},5]`)
      assert(answer._tag === "Left" && answer.left._tag === "MalformedResponse")
      assert.strictEqual(
        answer.left.reason,
        [
          "(Struct (Encoded side) <-> Struct (Type side))",
          "└─ Encoded side transformation failure",
          "   └─ Struct (Encoded side)",
          '      └─ ["AddMsgList"]',
          "         └─ ReadonlyArray<{ readonly [x: string]: unknown }> | undefined",
          "            ├─ ReadonlyArray<{ readonly [x: string]: unknown }>",
          "            │  └─ [1]",
          "            │     └─ Expected { readonly [x: string]: unknown }, actual 5",
          '            └─ Expected undefined, actual [{"a":1},5]',
        ].join("\n"),
      )
      const nested = yield* syncAnswering(`"AddMsgList":[[1]],"ModChatRoomMemberList":"x"`)
      assert(nested._tag === "Left" && nested.left._tag === "MalformedResponse")
      assert.include(nested.left.reason, "Expected { readonly [x: string]: unknown }, actual [1]")
    }),
  )
})

describe("webwxsync's answer decoded by hand", () => {
  const key = { Count: 2, List: [{ Key: 1, Val: 10 }, { Key: 2, Val: 20 }] }
  const answers: ReadonlyArray<Record<string, unknown>> = [
    { SyncKey: key },
    { SyncKey: key, SyncCheckKey: key, ContinueFlag: 1, SKey: "@crypt_9" },
    { SyncKey: { Count: 0, List: [] }, AddMsgList: [{ MsgId: "1" }], ModContactList: [], DelContactList: [{ UserName: "@x" }] },
    { SyncKey: { Count: 1, List: [{ Key: 1, Val: 2, Extra: true }], More: 1 }, ModChatRoomMemberList: [] },
    { SyncKey: key, Profile: { BitFlag: 0 }, AddMsgCount: 0 },
    // What the Schema refuses, or copies differently: the hand decoder must leave them to it.
    { SyncKey: key, SyncCheckKey: null },
    { SyncKey: { Count: "1", List: [] } },
    { SyncKey: { Count: 1, List: [{ Key: 1 }] } },
    { SyncKey: { Count: 1, List: [null] } },
    { SyncKey: key, ContinueFlag: "1" },
    { SyncKey: key, SKey: 5 },
    { SyncKey: key, AddMsgList: [{ a: 1 }, 5] },
    { SyncKey: key, AddMsgList: JSON.parse('[{"__proto__":{"x":1},"b":2}]') as unknown },
    { SyncKey: key, ModContactList: {} },
    {},
  ]

  it("gives what the Schema gives, and leaves to it whatever it would refuse or copy", () => {
    const decode = Schema.decodeUnknownEither(SyncAnswer)
    for (const answer of answers) {
      const byHand = plainSyncAnswer(answer)
      const bySchema = decode(answer)
      if (byHand === undefined) continue
      assert(Either.isRight(bySchema), `the Schema refuses ${JSON.stringify(answer)}`)
      assert.deepStrictEqual(byHand, bySchema.right)
    }
    // The well-formed ones are all taken by hand.
    assert.deepStrictEqual(
      answers.slice(0, 5).map((answer) => plainSyncAnswer(answer) !== undefined),
      [true, true, true, true, true],
    )
    assert.deepStrictEqual(
      answers.slice(5).map((answer) => plainSyncAnswer(answer)),
      answers.slice(5).map(() => undefined),
    )
  })
})

describe("sharingUnchanged", () => {
  const keys = (...vals: Array<number>) => ({ Count: vals.length, List: vals.map((Val, i) => ({ Key: i + 1, Val })) })

  it("keeps the previous keys' objects where they did not move, and takes the moved ones", () => {
    const previous = keys(10, 20, 30)
    const next = keys(11, 20, 30)
    const kept = sharingUnchanged(previous, next)
    assert.deepStrictEqual(kept, next)
    assert.strictEqual(kept.List[0], next.List[0])
    assert.strictEqual(kept.List[1], previous.List[1])
    assert.strictEqual(kept.List[2], previous.List[2])
  })

  it("answers the previous keys themselves when nothing moved", () => {
    const previous = keys(10, 20)
    assert.strictEqual(sharingUnchanged(previous, keys(10, 20)), previous)
  })

  it("takes the new keys whole when their shape changed or there were none", () => {
    const next = keys(10, 20, 30)
    assert.strictEqual(sharingUnchanged(keys(10, 20), next), next)
    assert.strictEqual(sharingUnchanged(undefined, next), next)
    const renamed = { Count: 2, List: [{ Key: 1, Val: 10 }, { Key: 5, Val: 20 }] }
    const kept = sharingUnchanged(keys(10, 20), renamed)
    assert.deepStrictEqual(kept, renamed)
    assert.strictEqual(kept.List[1], renamed.List[1])
  })
})
