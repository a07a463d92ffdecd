import { createHash } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import {
  joinGroup,
  MESSAGE_KINDS,
  renameGroup,
  requestFriend,
  Simulator,
  speak,
  type MessageSpec,
} from "@wxfleet/simulator"
import { Effect, Schema } from "effect"
import { afterAll } from "vitest"
import { postJson } from "../src/http/call.js"
import { decodeBatch } from "../src/messages/decode.js"
import { Message } from "../src/messages/Message.js"
import { SyncKey } from "../src/session/SessionState.js"
import type { WxSession } from "../src/session/WxSession.js"
import { protocolLayer } from "./support/layer.js"
import { loginAs } from "./support/session.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300 })
afterAll(() => sim.close())
const { world } = sim
world.addAccount({ wxid: "wxid_bot1", nickName: "Bot One", home: "wx2.qq.com" })
world.addPerson({
  wxid: "wxid_alice",
  nickName: 'Alice<span class="emoji emoji1f604"></span>',
  sex: 2,
})
world.addPerson({ wxid: "wxid_bob", nickName: "Bob", sex: 1 })
world.addPerson({ wxid: "wxid_carol", nickName: "Carol" })
world.addPerson({ wxid: "gh_news", nickName: "News Daily", verifyFlag: 24 })
world.befriend("wxid_bot1", "wxid_alice")
world.befriend("wxid_bot1", "gh_news")
const room = world.addGroup({
  topic: "Weekend hikers",
  owner: "wxid_bot1",
  members: ["wxid_alice", { wxid: "wxid_carol", displayName: "Caz" }],
}).roomId

const layer = protocolLayer(sim)
const { session, init } = await Effect.runPromise(
  loginAs(sim, "wxid_bot1").pipe(Effect.provide(layer)),
)
const context = { selfUserName: init.self.userName, selfDisplayNames: ["Bot One"] }
/** This session's UserName for a wxid, as the simulator renders it. */
const userName = (wxid: string): string => world.account("wxid_bot1").session!.userName(wxid)

const SyncAnswer = Schema.Struct({ AddMsgList: Schema.Array(Schema.Unknown), SyncKey })

/** A plain webwxsync: the entries since the last call, the SyncKey moved past them. */
const sync = (wx: WxSession) =>
  Effect.gen(function* () {
    const data = yield* wx.data.get
    const json = yield* postJson(wx, {
      endpoint: "webwxsync",
      query: { sid: data.sid, skey: data.skey, lang: "zh_CN" },
      body: { SyncKey: data.syncKey, rr: ~Date.now() },
    })
    const answer = yield* Schema.decodeUnknown(SyncAnswer)(json)
    if (answer.SyncKey.Count > 0)
      yield* wx.data.update((d) => ({ ...d, syncKey: answer.SyncKey }))
    return decodeBatch(answer.AddMsgList, context)
  })

const isMessage = Schema.is(Message)

/** Runs `act` (a friend or the phone speaking), syncs, and returns the decoded message `pick` chooses. */
const hear = (act: () => unknown, pick?: (message: Message) => boolean) =>
  Effect.gen(function* () {
    const msgId = act()
    const batch = yield* sync(session)
    const message = batch.find(pick ?? ((m) => m.id === msgId))
    assert.isDefined(message, `not delivered: ${msgId} in ${batch.map((m) => m._tag).join(",")}`)
    // What the decoders produce is valid as it is: the supervisor publishes it without re-encoding.
    for (const decoded of batch) assert.isTrue(isMessage(decoded), `invalid ${decoded._tag}: ${JSON.stringify(decoded)}`)
    return message!
  }).pipe(Effect.provide(layer))

const say = (from: string, to: string, spec: MessageSpec) => () =>
  speak(world, from, to, spec).msgId

/** Narrows to one kind, failing with the decoder's reason when it gave up. */
const as = <T extends Message["_tag"]>(message: Message, tag: T): Extract<Message, { _tag: T }> => {
  assert.strictEqual(message._tag, tag, message._tag === "Unknown" ? message.reason : undefined)
  return message as Extract<Message, { _tag: T }>
}

const md5Of = (msgId: string): string =>
  createHash("md5")
    .update(world.media.get(msgId)?.full ?? new Uint8Array())
    .digest("hex")

/** One check per kind the simulator can say, so a kind added there is a compile error here. */
const CHECKS: { readonly [K in MessageSpec["kind"]]: () => Effect.Effect<void, unknown> } = {
  text: () =>
    Effect.gen(function* () {
      const spec = {
        kind: "text",
        text: "周末去爬山吗 & <a>\n好 🇨🇳",
        mentions: ["wxid_bot1", "wxid_carol"],
      } as const
      const text = as(yield* hear(say("wxid_alice", room, spec)), "Text")
      assert.strictEqual(text.text, "@Bot One\u2005@Caz\u2005周末去爬山吗 & <a>\n好 🇨🇳")
      assert.deepStrictEqual(
        [text.chat, text.sender, text.isGroup, text.isSelf],
        [userName(room), userName("wxid_alice"), true, false],
      )
      assert.deepStrictEqual([text.mentions, text.mentionsSelf], [["Bot One", "Caz"], true])
      const direct = as(
        yield* hear(say("wxid_alice", "wxid_bot1", { kind: "text", text: "hi 😄" })),
        "Text",
      )
      assert.deepStrictEqual(
        [direct.text, direct.chat, direct.isGroup, direct.mentions],
        ["hi 😄", userName("wxid_alice"), false, []],
      )
    }),
  image: () =>
    Effect.gen(function* () {
      const image = as(
        yield* hear(say("wxid_alice", "wxid_bot1", { kind: "image", width: 800, height: 600 })),
        "Image",
      )
      assert.deepStrictEqual([image.width, image.height, image.hasThumb], [120, 90, true])
      assert.deepStrictEqual(
        [image.md5, image.length],
        [md5Of(image.id), world.media.get(image.id)?.full.length],
      )
    }),
  voice: () =>
    Effect.gen(function* () {
      const voice = as(
        yield* hear(say("wxid_alice", "wxid_bot1", { kind: "voice", durationMs: 4_200 })),
        "Voice",
      )
      assert.strictEqual(voice.durationMs, 4_200)
    }),
  video: () =>
    Effect.gen(function* () {
      const video = as(yield* hear(say("wxid_alice", room, { kind: "video", seconds: 7 })), "Video")
      assert.deepStrictEqual(
        [video.seconds, video.width, video.height, video.sender],
        [7, 960, 540, userName("wxid_alice")],
      )
    }),
  emoticon: () =>
    Effect.gen(function* () {
      const md5 = "e68363487d8f0519c4e1047de403b2e7"
      const custom = as(
        yield* hear(say("wxid_alice", "wxid_bot1", { kind: "emoticon", md5 })),
        "Emoticon",
      )
      assert.deepStrictEqual([custom.md5, custom.isStore], [md5, false])
      assert.match(custom.cdnUrl, /^http:\/\/emoji\.qpic\.cn\/wx_emoji\/[0-9a-f]+\/$/)
      const store = as(
        yield* hear(say("wxid_alice", room, { kind: "emoticon", store: true })),
        "Emoticon",
      )
      assert.deepStrictEqual(
        [store.md5, store.isStore, store.sender],
        ["", true, userName("wxid_alice")],
      )
    }),
  location: () =>
    Effect.gen(function* () {
      const spec = {
        kind: "location",
        label: "深圳湾公园 & 海边",
        lat: 22.5,
        lng: 113.9,
        poiname: "深圳湾",
      } as const
      const location = as(yield* hear(say("wxid_alice", room, spec)), "Location")
      assert.deepStrictEqual(
        [location.label, location.poiName, location.lat, location.lng, location.sender],
        ["深圳湾公园 & 海边", "深圳湾", 22.5, 113.9, userName("wxid_alice")],
      )
      assert.strictEqual(location.url, "http://apis.map.qq.com/uri/v1/geocoder?coord=22.5,113.9")
    }),
  card: () =>
    Effect.gen(function* () {
      const official = as(
        yield* hear(say("wxid_alice", "wxid_bot1", { kind: "card", wxid: "gh_news" })),
        "Card",
      )
      assert.deepStrictEqual(
        [official.userName, official.nickName, official.isOfficial],
        [userName("gh_news"), "News Daily", true],
      )
      const person = as(
        yield* hear(say("wxid_carol", room, { kind: "card", wxid: "wxid_alice" })),
        "Card",
      )
      assert.deepStrictEqual(
        [person.userName, person.nickName, person.isOfficial],
        [userName("wxid_alice"), "Alice😄", false],
      )
    }),
  link: () =>
    Effect.gen(function* () {
      const spec = {
        kind: "link",
        title: "News & more <today>",
        url: "https://example.com/a?b=1&c=2",
        description: "what's new",
        source: "Example",
      } as const
      const link = as(yield* hear(say("wxid_alice", "wxid_bot1", spec)), "Link")
      assert.deepStrictEqual(
        [link.title, link.url, link.description, link.source],
        ["News & more <today>", "https://example.com/a?b=1&c=2", "what's new", "Example"],
      )
    }),
  file: () =>
    Effect.gen(function* () {
      const file = as(
        yield* hear(
          say("wxid_alice", room, { kind: "file", name: "report.final.pdf", size: 2_048 }),
        ),
        "File",
      )
      assert.deepStrictEqual(
        [file.fileName, file.size, file.extension, file.encryFileName, file.sender],
        ["report.final.pdf", 2_048, "pdf", "report%2Efinal%2Epdf", userName("wxid_alice")],
      )
      assert.match(file.mediaId, /^@/)
    }),
  transfer: () =>
    Effect.gen(function* () {
      const transfer = as(
        yield* hear(
          say("wxid_alice", "wxid_bot1", { kind: "transfer", amount: "0.10", memo: "房租 & 水电" }),
        ),
        "Transfer",
      )
      assert.deepStrictEqual(
        [transfer.amount, transfer.memo, transfer.paySubType],
        ["￥0.10", "房租 & 水电", 1],
      )
      assert.match(transfer.transferId, /^\d{31}$/)
    }),
  redPacket: () =>
    Effect.gen(function* () {
      const received = as(
        yield* hear(say("wxid_alice", "wxid_bot1", { kind: "redPacket" })),
        "RedPacket",
      )
      assert.deepStrictEqual([received.text, received.sent], ["收到红包，请在手机上查看", false])
      const inRoom = as(yield* hear(say("wxid_alice", room, { kind: "redPacket" })), "RedPacket")
      assert.deepStrictEqual([inRoom.chat, inRoom.sent], [userName(room), false])
      const app = as(
        yield* hear(say("wxid_alice", "wxid_bot1", { kind: "redPacket", variant: "appmsg" })),
        "RedPacket",
      )
      assert.deepStrictEqual([app.text, app.sent], ["我给你发了一个红包，赶紧去拆!", false])
      const fromPhone = as(
        yield* hear(say("wxid_bot1", "wxid_alice", { kind: "redPacket" })),
        "RedPacket",
      )
      assert.deepStrictEqual(
        [fromPhone.text, fromPhone.sent, fromPhone.isSelf],
        ["发出红包，请在手机上查看", true, true],
      )
    }),
  miniProgram: () =>
    Effect.gen(function* () {
      const spec = {
        kind: "miniProgram",
        title: "来拼团",
        appId: "wx1234567890abcdef",
        pagePath: "pages/index/index.html?goods_id=7&from=share",
        sourceName: "拼多多",
      } as const
      const mini = as(yield* hear(say("wxid_alice", "wxid_bot1", spec)), "MiniProgram")
      assert.deepStrictEqual(
        [mini.title, mini.appId, mini.pagePath, mini.sourceName],
        ["来拼团", "wx1234567890abcdef", "pages/index/index.html?goods_id=7&from=share", "拼多多"],
      )
      assert.match(mini.sourceUserName, /^gh_[0-9a-f]+@app$/)
    }),
  quote: () =>
    Effect.gen(function* () {
      const spec = {
        kind: "quote",
        text: "好的 <3",
        quotedMsgId: "8425372943729876543",
        quotedFrom: "wxid_carol",
        quotedText: "明天 <10点> & 见？",
      } as const
      const quote = as(yield* hear(say("wxid_alice", room, spec)), "Quote")
      assert.strictEqual(quote.text, "好的 <3")
      assert.deepStrictEqual(quote.quoted, {
        msgId: "8425372943729876543",
        fromUserName: "wxid_carol",
        displayName: "Caz",
        content: "明天 <10点> & 见？",
        type: 1,
      })
    }),
  revoke: () =>
    Effect.gen(function* () {
      const said = speak(world, "wxid_alice", "wxid_bot1", { kind: "text", text: "oops" }).msgId
      const revoke = as(
        yield* hear(say("wxid_alice", "wxid_bot1", { kind: "revoke", msgId: said })),
        "Revoke",
      )
      assert.deepStrictEqual(
        [revoke.revokedMsgId, revoke.replaceText],
        [said, '"Alice😄" 撤回了一条消息'],
      )
      const own = as(
        yield* hear(say("wxid_bot1", room, { kind: "revoke", msgId: "4611686018427387904" })),
        "Revoke",
      )
      assert.deepStrictEqual(
        [own.revokedMsgId, own.replaceText, own.isSelf],
        ["4611686018427387904", "你撤回了一条消息", true],
      )
    }),
  system: () =>
    Effect.gen(function* () {
      const spec = { kind: "system", text: "你已添加了Alice，现在可以开始聊天了。" } as const
      const notice = as(yield* hear(say("wxid_alice", "wxid_bot1", spec)), "SystemNotice")
      assert.deepStrictEqual(notice.event, { _tag: "FriendAdded", name: "Alice", addedBy: "self" })
    }),
  unknownApp: () =>
    Effect.gen(function* () {
      const unknown = as(
        yield* hear(
          say("wxid_alice", "wxid_bot1", { kind: "unknownApp", appMsgType: 51, title: "Channels" }),
        ),
        "Unknown",
      )
      assert.deepStrictEqual([unknown.msgType, unknown.appMsgType], [49, 51])
    }),
}

describe("messages from the simulator", () => {
  it("has a check for every kind the simulator can say", () => {
    assert.sameMembers(Object.keys(CHECKS), [...MESSAGE_KINDS])
  })

  it.effect.each(MESSAGE_KINDS)("decodes %s", (kind) => CHECKS[kind]())

  it.effect("decodes friend requests and group notices", () =>
    Effect.gen(function* () {
      const isRequest = (message: Message) => message._tag === "FriendRequest"
      let ticket = ""
      const act = () => {
        ticket = requestFriend(world, "wxid_bob", "wxid_bot1", {
          greeting: '我是"Bob" & co',
        }).ticket
      }
      const request = as(yield* hear(act, isRequest), "FriendRequest")
      assert.deepStrictEqual(
        [
          request.userName,
          request.wxid,
          request.nickName,
          request.greeting,
          request.ticket,
          request.scene,
          request.sex,
        ],
        [userName("wxid_bob"), "wxid_bob", "Bob", '我是"Bob" & co', ticket, 3, 1],
      )

      const isNotice = (message: Message) => message._tag === "SystemNotice"
      const renamed = as(
        yield* hear(() => renameGroup(world, room, "wxid_alice", "周末 & 爬山"), isNotice),
        "SystemNotice",
      )
      assert.deepStrictEqual([renamed.chat, renamed.sender], [userName(room), userName(room)])
      assert.deepStrictEqual(renamed.event, {
        _tag: "Renamed",
        topic: "周末 & 爬山",
        by: { name: "Alice😄", isSelf: false },
      })
      const joined = as(
        yield* hear(() => joinGroup(world, room, "wxid_alice", ["wxid_bob"]), isNotice),
        "SystemNotice",
      )
      assert.deepStrictEqual(joined.event, {
        _tag: "Joined",
        inviter: { name: "Alice😄", isSelf: false },
        invitees: [{ name: "Bob", isSelf: false }],
        viaQrCode: false,
      })
    }),
  )
})
