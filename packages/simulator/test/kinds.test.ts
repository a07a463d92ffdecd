import { createHash } from "node:crypto"
import { afterAll, assert, describe, it } from "vitest"
import { MESSAGE_KINDS, speak, type MessageSpec } from "../src/index.js"
import { startWorld } from "./support/fixtures.js"
import { drain, qrLogin, sync } from "./support/webClient.js"

const { sim, world, group } = await startWorld()
afterAll(() => sim.close())
const c = await qrLogin(sim, "wxid_bot1")
await drain(c)
const session = world.account("wxid_bot1").session!
const userName = (wxid: string): string => session.userName(wxid)
const ALICE_WIRE = 'Alice<span class="emoji emoji1f604"></span>'

type Wire = Record<string, unknown>

/** Speaks, syncs once, and returns the message as the web client got it, after checking its ids on the raw wire. */
const hear = async (from: string, to: string, spec: MessageSpec): Promise<Wire> => {
  const { msgId } = speak(world, from, to, spec)
  const { raw, body } = await sync(c)
  const message = body.AddMsgList.find((m) => m["MsgId"] === msgId)
  assert.isDefined(message, `message ${msgId} was not delivered`)
  assert.match(msgId, /^\d{19}$/)
  assert.include(raw, `"NewMsgId":${msgId},`)
  return message!
}

const mediaOf = (message: Wire) => world.media.get(message["MsgId"] as string)

type Sample<K extends MessageSpec["kind"]> = readonly [
  Extract<MessageSpec, { kind: K }>,
  msgType: number,
  appMsgType: number,
]

const SAMPLES: { readonly [K in MessageSpec["kind"]]: Sample<K> } = {
  text: [{ kind: "text", text: "hi" }, 1, 0],
  image: [{ kind: "image" }, 3, 0],
  voice: [{ kind: "voice" }, 34, 0],
  video: [{ kind: "video" }, 43, 0],
  emoticon: [{ kind: "emoticon" }, 47, 0],
  location: [{ kind: "location", label: "Somewhere", lat: 22.5, lng: 113.9 }, 1, 0],
  card: [{ kind: "card", wxid: "wxid_bob" }, 42, 0],
  link: [{ kind: "link", title: "News", url: "https://example.com/a?b=1&c=2" }, 49, 5],
  file: [{ kind: "file", name: "a.txt" }, 49, 6],
  transfer: [{ kind: "transfer", amount: "1.00" }, 49, 2000],
  redPacket: [{ kind: "redPacket" }, 10000, 0],
  miniProgram: [{ kind: "miniProgram", title: "Shop", appId: "wx1234567890abcdef" }, 49, 33],
  quote: [
    { kind: "quote", text: "yes", quotedMsgId: "1", quotedFrom: "wxid_bot1", quotedText: "ok?" },
    49,
    57,
  ],
  revoke: [{ kind: "revoke", msgId: "4611686018427387904" }, 10002, 0],
  system: [{ kind: "system", text: "你已添加了Alice，现在可以开始聊天了。" }, 10000, 0],
  unknownApp: [{ kind: "unknownApp", appMsgType: 51, title: "Channels" }, 49, 51],
}

describe("every kind", () => {
  it.each(MESSAGE_KINDS)(
    "%s reaches the web client with its MsgType, escaped Content and string FileSize",
    async (kind) => {
      const [spec, msgType, appMsgType] = SAMPLES[kind]
      const message = await hear("wxid_alice", "wxid_bot1", spec)
      assert.strictEqual(message["MsgType"], msgType)
      assert.strictEqual(message["AppMsgType"], appMsgType)
      assert.strictEqual(message["FromUserName"], userName("wxid_alice"))
      assert.strictEqual(message["ToUserName"], c.self)
      assert.typeOf(message["FileSize"], "string")
      // Only line breaks and emoji spans may stay unescaped.
      const bare = (message["Content"] as string).replace(
        /<br\/>|<span class="emoji emoji[0-9a-f]+"><\/span>/g,
        "",
      )
      assert.notMatch(bare, /[<>]/)
    },
  )
})

describe("text", () => {
  it("escapes <, > and &, writes newlines as <br/> and emoji as spans", async () => {
    const message = await hear("wxid_alice", "wxid_bot1", {
      kind: "text",
      text: "a<b> & c\nsmile 😄",
    })
    assert.strictEqual(
      message["Content"],
      'a&lt;b&gt; &amp; c<br/>smile <span class="emoji emoji1f604"></span>',
    )
    assert.strictEqual(message["Status"], 3)
  })

  it("in a group: @-mentions by group nickname or nickname with U+2005, after the speaker prefix", async () => {
    const message = await hear("wxid_alice", group.roomId, {
      kind: "text",
      text: "lunch?",
      mentions: ["wxid_carol", "wxid_bot1"],
    })
    assert.strictEqual(message["FromUserName"], userName(group.roomId))
    assert.strictEqual(message["ToUserName"], c.self)
    assert.strictEqual(
      message["Content"],
      `${userName("wxid_alice")}:<br/>@Caz\u2005@Bot One\u2005lunch?`,
    )
  })

  it("sent from the account's own phone arrives from self, and into a group without a prefix", async () => {
    const direct = await hear("wxid_bot1", "wxid_alice", { kind: "text", text: "from my phone" })
    assert.strictEqual(direct["FromUserName"], c.self)
    assert.strictEqual(direct["ToUserName"], userName("wxid_alice"))
    assert.strictEqual(direct["Content"], "from my phone")
    const inGroup = await hear("wxid_bot1", group.roomId, { kind: "text", text: "hello group" })
    assert.strictEqual(inGroup["FromUserName"], c.self)
    assert.strictEqual(inGroup["ToUserName"], userName(group.roomId))
    assert.strictEqual(inGroup["Content"], "hello group")
  })
})

describe("media kinds", () => {
  it("image: escaped img XML, ImgStatus 2, thumbnail size, full and thumb JPEG bytes kept", async () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
    const message = await hear("wxid_alice", "wxid_bot1", {
      kind: "image",
      bytes,
      width: 1200,
      height: 900,
    })
    assert.strictEqual(message["ImgStatus"], 2)
    assert.strictEqual(message["ImgWidth"], 120)
    assert.strictEqual(message["ImgHeight"], 90)
    const content = message["Content"] as string
    assert.match(
      content,
      /^&lt;\?xml version="1\.0"\?&gt;<br\/>&lt;msg&gt;<br\/>\t&lt;img aeskey="[0-9a-f]{32}" /,
    )
    assert.include(content, `length="7" md5="${createHash("md5").update(bytes).digest("hex")}"`)
    assert.isTrue(content.endsWith(" /&gt;<br/>&lt;/msg&gt;<br/>"))
    const media = mediaOf(message)!
    assert.deepStrictEqual(media.full, bytes)
    assert.deepStrictEqual([...media.thumb!.subarray(0, 2)], [0xff, 0xd8])
  })

  it("voice: VoiceLength in ms, one-line voicemsg, mp3 bytes", async () => {
    const message = await hear("wxid_alice", "wxid_bot1", { kind: "voice", durationMs: 3_000 })
    assert.strictEqual(message["VoiceLength"], 3_000)
    assert.match(
      message["Content"] as string,
      /^&lt;msg&gt;&lt;voicemsg endflag="1" .*voicelength="3000" .*fromusername="wxid_alice" \/&gt;&lt;\/msg&gt;$/,
    )
    const media = mediaOf(message)!
    assert.strictEqual(media.mime, "audio/mpeg")
    assert.strictEqual(Buffer.from(media.full.subarray(0, 3)).toString("latin1"), "ID3")
  })

  it("video: PlayLength in seconds, videomsg XML, mp4 bytes and a thumbnail", async () => {
    const message = await hear("wxid_alice", "wxid_bot1", { kind: "video", seconds: 7 })
    assert.strictEqual(message["PlayLength"], 7)
    assert.strictEqual(message["ImgHeight"], 540)
    assert.match(
      message["Content"] as string,
      /^&lt;\?xml version="1\.0"\?&gt;<br\/>&lt;msg&gt;<br\/>\t&lt;videomsg /,
    )
    assert.include(message["Content"] as string, 'playlength="7"')
    const media = mediaOf(message)!
    assert.strictEqual(media.mime, "video/mp4")
    assert.isAbove(media.full.length, 1_000)
    assert.isDefined(media.thumb)
  })

  it("emoticon: a custom sticker carries its md5 in emoji XML; a store sticker is HasProductId 1 and empty", async () => {
    const md5 = "e68363487d8f0519c4e1047de403b2e7"
    const custom = await hear("wxid_alice", "wxid_bot1", { kind: "emoticon", md5 })
    assert.strictEqual(custom["ImgStatus"], 2)
    assert.strictEqual(custom["HasProductId"], 0)
    assert.match(
      custom["Content"] as string,
      new RegExp(`^&lt;msg&gt;&lt;emoji fromusername="wxid_alice" .*md5="${md5}"`),
    )
    assert.isDefined(mediaOf(custom))
    const store = await hear("wxid_alice", group.roomId, { kind: "emoticon", store: true })
    assert.strictEqual(store["MsgType"], 47)
    assert.strictEqual(store["HasProductId"], 1)
    assert.strictEqual(store["Content"], `${userName("wxid_alice")}:<br/>`)
  })

  it("file: 49/6 with FileSize a string, MediaId, EncryFileName, the PC AppID and downloadable bytes", async () => {
    const bytes = new Uint8Array(3_000).fill(7)
    const message = await hear("wxid_alice", "wxid_bot1", {
      kind: "file",
      name: "report.v2.pdf",
      bytes,
    })
    assert.strictEqual(message["FileName"], "report.v2.pdf")
    assert.strictEqual(message["FileSize"], "3000")
    assert.match(message["MediaId"] as string, /^@crypt_/)
    assert.strictEqual(message["EncryFileName"], "report%2Ev2%2Epdf")
    assert.deepStrictEqual(message["AppInfo"], { AppID: "wx6618f1cfc6c132f8", Type: 0 })
    const content = message["Content"] as string
    assert.match(
      content,
      /^&lt;msg&gt;&lt;appmsg appid="wx6618f1cfc6c132f8" sdkver="0"&gt;&lt;title&gt;report\.v2\.pdf/,
    )
    assert.include(content, "&lt;totallen&gt;3000&lt;/totallen&gt;")
    assert.include(content, "&lt;fileext&gt;pdf&lt;/fileext&gt;")
    assert.isTrue(content.endsWith("&lt;/msg&gt;&lt;br/&gt;<br/>"))
    assert.deepStrictEqual(mediaOf(message)!.full, bytes)
  })
})

describe("location", () => {
  const spec: MessageSpec = {
    kind: "location",
    label: "广东省深圳市南山区",
    lat: 22.5,
    lng: 113.93,
    poiname: "科技园",
  }

  it("is a text with SubMsgType 48, the map link naming its own MsgId, and raw OriContent", async () => {
    const message = await hear("wxid_alice", "wxid_bot1", spec)
    assert.strictEqual(message["MsgType"], 1)
    assert.strictEqual(message["SubMsgType"], 48)
    const link = `/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&msgid=${message["MsgId"] as string}&pictype=location`
    assert.strictEqual(message["Content"], `广东省深圳市南山区:<br/>${link}`)
    assert.strictEqual(message["Url"], "http://apis.map.qq.com/uri/v1/geocoder?coord=22.5,113.93")
    assert.strictEqual(
      message["OriContent"],
      '<?xml version="1.0"?>\n<msg>\n\t<location x="22.500000" y="113.930000" scale="16" label="广东省深圳市南山区" ' +
        'maptype="0" poiname="科技园" poiid="" />\n</msg>\n',
    )
  })

  it("in a group has three parts: speaker, label, map link", async () => {
    const message = await hear("wxid_alice", group.roomId, spec)
    const parts = (message["Content"] as string).split(":<br/>")
    assert.deepStrictEqual(parts.slice(0, 2), [userName("wxid_alice"), "广东省深圳市南山区"])
    assert.include(parts[2], `msgid=${message["MsgId"] as string}&pictype=location`)
  })
})

describe("card", () => {
  it("names the person in XML and in RecommendInfo with this session's UserName", async () => {
    const message = await hear("wxid_bob", "wxid_bot1", { kind: "card", wxid: "wxid_alice" })
    const content = message["Content"] as string
    assert.match(
      content,
      /^&lt;\?xml version="1\.0"\?&gt;<br\/>&lt;msg bigheadimgurl="http:\/\/wx\.qlogo\.cn\//,
    )
    assert.include(content, `username="wxid_alice" nickname="${ALICE_WIRE}"  shortpy=""`)
    assert.include(content, 'scene="17"')
    const info = message["RecommendInfo"] as Wire
    assert.strictEqual(info["UserName"], userName("wxid_alice"))
    assert.strictEqual(info["NickName"], ALICE_WIRE)
    assert.strictEqual(info["Province"], "北京")
    assert.strictEqual(info["Scene"], 17)
    assert.strictEqual(info["Sex"], 2)
  })
})

describe("app messages", () => {
  it("link: title and description in CDATA, & in the URL double-escaped, FileName the title", async () => {
    const url = "https://mp.weixin.qq.com/s?__biz=MzA&mid=1&idx=1#rd"
    const message = await hear("wxid_alice", "wxid_bot1", {
      kind: "link",
      title: "Tom & Jerry <3",
      url,
      source: "Cartoons",
    })
    assert.strictEqual(message["FileName"], "Tom & Jerry <3")
    assert.strictEqual(
      message["Url"],
      "https://mp.weixin.qq.com/s?__biz=MzA&amp;mid=1&amp;idx=1#rd",
    )
    assert.strictEqual(message["FileSize"], "0")
    assert.strictEqual(message["ImgStatus"], 2)
    const content = message["Content"] as string
    assert.match(content, /^&lt;msg&gt;<br\/>\t&lt;appmsg appid="" sdkver="0"&gt;<br\/>/)
    assert.include(content, "&lt;title&gt;&lt;![CDATA[Tom &amp; Jerry &lt;3]]&gt;&lt;/title&gt;")
    assert.include(
      content,
      "&lt;url&gt;https://mp.weixin.qq.com/s?__biz=MzA&amp;amp;mid=1&amp;amp;idx=1#rd&lt;/url&gt;",
    )
    assert.include(content, "&lt;type&gt;5&lt;/type&gt;")
    assert.include(content, "&lt;fromusername&gt;wxid_alice&lt;/fromusername&gt;")
  })

  it("transfer: 微信转账, flush-left <br/> lines, CDATA values, fee with ￥", async () => {
    const message = await hear("wxid_alice", "wxid_bot1", {
      kind: "transfer",
      amount: "0.10",
      memo: "lunch",
    })
    assert.strictEqual(message["FileName"], "微信转账")
    const content = message["Content"] as string
    assert.match(
      content,
      /^&lt;msg&gt;<br\/>&lt;appmsg appid="" sdkver=""&gt;<br\/>&lt;title&gt;&lt;!\[CDATA\[微信转账\]\]&gt;/,
    )
    assert.include(content, "&lt;![CDATA[收到转账0.10元。如需收钱，请点此升级至最新版本]]&gt;")
    assert.include(content, "&lt;feedesc&gt;&lt;![CDATA[￥0.10]]&gt;&lt;/feedesc&gt;")
    assert.include(content, "&lt;pay_memo&gt;&lt;![CDATA[lunch]]&gt;&lt;/pay_memo&gt;")
    assert.include(content, "common_page__upgrade&amp;text=text001")
    assert.include(content, "&lt;extinfo&gt;<br/>&lt;/extinfo&gt;")
  })

  it("red packet: a 10000 notice by default (no prefix in groups, 发出 on the sender's phone), or 49/2001", async () => {
    const direct = await hear("wxid_alice", "wxid_bot1", { kind: "redPacket" })
    assert.strictEqual(direct["Content"], "收到红包，请在手机上查看")
    const inGroup = await hear("wxid_alice", group.roomId, { kind: "redPacket" })
    assert.strictEqual(inGroup["FromUserName"], userName(group.roomId))
    assert.strictEqual(inGroup["Content"], "收到红包，请在手机上查看")
    const own = await hear("wxid_bot1", "wxid_alice", { kind: "redPacket" })
    assert.strictEqual(own["FromUserName"], c.self)
    assert.strictEqual(own["Content"], "发出红包，请在手机上查看")
    const appmsg = await hear("wxid_alice", "wxid_bot1", { kind: "redPacket", variant: "appmsg" })
    assert.strictEqual(appmsg["MsgType"], 49)
    assert.strictEqual(appmsg["AppMsgType"], 2001)
    assert.strictEqual(appmsg["FileName"], "微信红包")
    assert.include(appmsg["Content"] as string, "&lt;wcpayinfo&gt;")
  })

  it("mini program: 49/33 with weappinfo", async () => {
    const message = await hear("wxid_alice", "wxid_bot1", {
      kind: "miniProgram",
      title: "Order coffee",
      appId: "wxabcdef0123456789",
      pagePath: "pages/index?id=1&x=2",
      sourceName: "Coffee",
    })
    assert.strictEqual(message["FileName"], "Order coffee")
    const content = message["Content"] as string
    assert.include(content, "&lt;appid&gt;&lt;![CDATA[wxabcdef0123456789]]&gt;&lt;/appid&gt;")
    assert.include(
      content,
      "&lt;pagepath&gt;&lt;![CDATA[pages/index?id=1&amp;x=2]]&gt;&lt;/pagepath&gt;",
    )
    assert.include(content, "&lt;sourcedisplayname&gt;Coffee&lt;/sourcedisplayname&gt;")
  })

  it("quote: 49/57 whose refermsg names the quoted message and escapes its text once more", async () => {
    const message = await hear("wxid_alice", group.roomId, {
      kind: "quote",
      text: "agreed",
      quotedMsgId: "4611686018427387905",
      quotedFrom: "wxid_carol",
      quotedText: "a <b> & c",
    })
    assert.strictEqual(message["FileName"], "agreed")
    const content = message["Content"] as string
    assert.isTrue(content.startsWith(`${userName("wxid_alice")}:<br/>&lt;msg&gt;`))
    assert.include(content, "&lt;svrid&gt;4611686018427387905&lt;/svrid&gt;")
    assert.include(content, `&lt;fromusr&gt;${group.roomId}&lt;/fromusr&gt;`)
    assert.include(content, "&lt;chatusr&gt;wxid_carol&lt;/chatusr&gt;")
    assert.include(content, "&lt;displayname&gt;Caz&lt;/displayname&gt;")
    assert.include(content, "&lt;content&gt;a &amp;lt;b&amp;gt; &amp;amp; c&lt;/content&gt;")
  })

  it("unknown app type: 49/<n> with the title as FileName", async () => {
    const message = await hear("wxid_alice", "wxid_bot1", {
      kind: "unknownApp",
      appMsgType: 19,
      title: "聊天记录",
    })
    assert.strictEqual(message["AppMsgType"], 19)
    assert.strictEqual(message["FileName"], "聊天记录")
    assert.include(message["Content"] as string, "&lt;type&gt;19&lt;/type&gt;")
  })
})

describe("revoke and system notices", () => {
  it("revoke: 10002, Status 4, sysmsg naming the recalled MsgId and the speaker", async () => {
    const original = await hear("wxid_alice", "wxid_bot1", { kind: "text", text: "oops" })
    const msgId = original["MsgId"] as string
    const message = await hear("wxid_alice", "wxid_bot1", { kind: "revoke", msgId })
    assert.strictEqual(message["MsgType"], 10002)
    assert.strictEqual(message["Status"], 4)
    const content = message["Content"] as string
    assert.match(
      content,
      /^&lt;sysmsg type="revokemsg"&gt;<br\/>\t&lt;revokemsg&gt;<br\/>\t\t&lt;session&gt;wxid_alice&lt;\/session&gt;<br\/>/,
    )
    assert.include(content, `<br/>\t\t&lt;msgid&gt;${msgId}&lt;/msgid&gt;<br/>`)
    assert.include(
      content,
      `&lt;replacemsg&gt;&lt;![CDATA["${ALICE_WIRE}" 撤回了一条消息]]&gt;&lt;/replacemsg&gt;`,
    )
    assert.isTrue(content.endsWith("&lt;/revokemsg&gt;<br/>&lt;/sysmsg&gt;<br/>"))
  })

  it("revoke in a group: the speaker prefix, the room as session, the group nickname", async () => {
    const message = await hear("wxid_carol", group.roomId, {
      kind: "revoke",
      msgId: "4611686018427387906",
    })
    const content = message["Content"] as string
    assert.isTrue(
      content.startsWith(`${userName("wxid_carol")}:<br/>&lt;sysmsg type="revokemsg"&gt;`),
    )
    assert.include(content, `&lt;session&gt;${group.roomId}&lt;/session&gt;`)
    assert.include(content, '&lt;![CDATA["Caz" 撤回了一条消息]]&gt;')
  })

  it("revoke from the account's phone reads 你撤回了一条消息, from self, no prefix", async () => {
    const message = await hear("wxid_bot1", group.roomId, {
      kind: "revoke",
      msgId: "4611686018427387907",
    })
    assert.strictEqual(message["FromUserName"], c.self)
    assert.strictEqual(message["ToUserName"], userName(group.roomId))
    const content = message["Content"] as string
    assert.isTrue(content.startsWith('&lt;sysmsg type="revokemsg"&gt;'))
    assert.include(content, "&lt;![CDATA[你撤回了一条消息]]&gt;")
  })

  it("system: a 10000 notice, escaped, with no prefix in a group", async () => {
    const message = await hear("wxid_alice", group.roomId, {
      kind: "system",
      text: '"Alice"邀请"Bob"加入了群聊',
    })
    assert.strictEqual(message["MsgType"], 10000)
    assert.strictEqual(message["FromUserName"], userName(group.roomId))
    assert.strictEqual(message["Content"], '"Alice"邀请"Bob"加入了群聊')
  })

  it("refuses a speaker who is not in the group", () => {
    assert.throws(
      () => speak(world, "wxid_bob", group.roomId, { kind: "text", text: "hi" }),
      /not a member/,
    )
  })
})
