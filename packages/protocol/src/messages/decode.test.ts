import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { parseServerJson } from "../wire/json.js"
import { decodeBatch, decodeMessage } from "./decode.js"
import type { Message } from "./Message.js"

const SELF = "@2ea0c8bc2e1b5d1ad6f3b5e6d3a1c4f2"
const ALICE = "@0ce0eee5b4f2a7d8c1e9f3a6b5d4c2e1"
const ROOM = "@@3ebf2dd0c4e2b8b6f1a9d7e3c5b2a8f4d6e1c3b7a9f2e4d8c6b1a3f5e7d9c2b4"
const context = { selfUserName: SELF, selfDisplayNames: ["SToneX"] }

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

/** An AddMsgList entry as the server writes it: every key present, zeroed when unused. */
const entry = (fields: Readonly<Record<string, unknown>>): Record<string, unknown> => ({
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

const decode = (fields: Readonly<Record<string, unknown>>): Message =>
  decodeMessage(entry(fields), context)

/** Narrows to one kind, failing with the decoder's reason when it gave up. */
const as = <T extends Message["_tag"]>(message: Message, tag: T): Extract<Message, { _tag: T }> => {
  assert.strictEqual(message._tag, tag, message._tag === "Unknown" ? message.reason : undefined)
  return message as Extract<Message, { _tag: T }>
}

/** How the server puts XML into Content: escaped (`&` too), newlines as `<br/>`. */
const wire = (xml: string): string =>
  xml.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, "<br/>")

describe("envelope", () => {
  it("keeps every digit of NewMsgId from the server's bare integer", () => {
    const json = parseServerJson(
      `{"AddMsgList":[{"MsgId":"6599448710267926107","FromUserName":"${ALICE}","ToUserName":"${SELF}",` +
        `"MsgType":1,"Content":"Hello World","CreateTime":1463755899,"NewMsgId":6599448710267926107}\n]}`,
    )
    const list = Either.getOrThrow(json) as { AddMsgList: ReadonlyArray<unknown> }
    const [message] = decodeBatch(list.AddMsgList, context)
    const text = as(message!, "Text")
    assert.strictEqual(text.id, "6599448710267926107")
    assert.strictEqual(text.newMsgId, "6599448710267926107")
    assert.strictEqual(text.text, "Hello World")
  })

  it("routes a private message: chat and sender are the peer", () => {
    const text = as(decode({ Content: "hi" }), "Text")
    assert.deepStrictEqual(
      [text.from, text.to, text.chat, text.sender, text.isGroup, text.isSelf, text.createTime],
      [ALICE, SELF, ALICE, ALICE, false, false, 1463755899],
    )
    assert.deepStrictEqual(text.mentions, [])
  })

  it("routes what this account sent from its phone: chat is the peer, no prefix is read in groups", () => {
    const direct = as(decode({ FromUserName: SELF, ToUserName: ALICE, Content: "ok" }), "Text")
    assert.deepStrictEqual([direct.chat, direct.sender, direct.isSelf], [ALICE, SELF, true])
    const group = as(
      decode({ FromUserName: SELF, ToUserName: ROOM, Content: "abc:<br/>hi" }),
      "Text",
    )
    assert.deepStrictEqual(
      [group.chat, group.sender, group.isGroup, group.text],
      [ROOM, SELF, true, "abc:\nhi"],
    )
  })

  it("falls back to MsgId when NewMsgId is missing (older servers)", () => {
    const { NewMsgId: _, ...older } = entry({ Content: "hi" })
    assert.strictEqual(as(decodeMessage(older, context), "Text").newMsgId, "3225371967511173931")
  })
})

describe("text", () => {
  it("reads a group text: prefix, @-mentions ended by U+2005, emoji spans including a flag", () => {
    const text = as(
      decode({
        FromUserName: ROOM,
        Content:
          `${ALICE}:<br/>@小明\u2005@SToneX\u2005普通群聊消息<span class="emoji emoji1f639"></span>` +
          '<span class="emoji emoji1f1e81f1f3"></span><br/>&lt;b&gt; &amp;amp;',
      }),
      "Text",
    )
    assert.deepStrictEqual([text.chat, text.sender, text.isGroup], [ROOM, ALICE, true])
    // The server's cat face 1f639 is the smiley 1f602 (itchat's table).
    assert.strictEqual(text.text, "@小明\u2005@SToneX\u2005普通群聊消息😂🇨🇳\n<b> &amp;")
    assert.deepStrictEqual(text.mentions, ["小明", "SToneX"])
    assert.isTrue(text.mentionsSelf)
  })

  it("tells mentions of others from mentions of this account, names in wire form included", () => {
    const other = as(
      decode({ FromUserName: ROOM, Content: `${ALICE}:<br/>@小明\u2005吃饭` }),
      "Text",
    )
    assert.isFalse(other.mentionsSelf)
    const entryWithEmoji = entry({
      FromUserName: ROOM,
      Content: `${ALICE}:<br/>hi @Bot<span class="emoji emoji1f604"></span>`,
    })
    const named = decodeMessage(entryWithEmoji, {
      selfUserName: SELF,
      selfDisplayNames: ['Bot<span class="emoji emoji1f604"></span>'],
    })
    assert.isTrue(as(named, "Text").mentionsSelf)
  })

  it("reads an empty text as empty", () => {
    assert.strictEqual(as(decode({ Content: "" }), "Text").text, "")
  })
})

describe("media", () => {
  it("reads an image from its escaped XML with <br/> and tabs", () => {
    const image = as(
      decode({
        MsgType: 3,
        ImgStatus: 2,
        ImgHeight: 90,
        ImgWidth: 120,
        Content:
          '&lt;?xml version="1.0"?&gt;<br/>&lt;msg&gt;<br/>\t&lt;img aeskey="7f3e5b8a2c4d6e1f9a0b3c5d7e2f4a6b" ' +
          'encryver="1" cdnthumbaeskey="1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d"' +
          ' cdnthumburl="30500201000449304702010002040400" ' +
          'cdnthumblength="6660" cdnthumbheight="120" cdnthumbwidth="103" cdnmidheight="0" cdnmidwidth="0" ' +
          'cdnhdheight="0" cdnhdwidth="0" cdnmidimgurl="30500201000449304702010002040401" length="45956" ' +
          'md5="405eb70eed3635e4ae896838ec77979d" /&gt;<br/>&lt;/msg&gt;<br/>',
      }),
      "Image",
    )
    assert.deepStrictEqual(
      [image.width, image.height, image.hasThumb, image.md5, image.length],
      [120, 90, true, "405eb70eed3635e4ae896838ec77979d", 45956],
    )
  })

  it("reads a voice's length from VoiceLength, or from its XML when an old server left it out", () => {
    const content =
      '&lt;msg&gt;&lt;voicemsg endflag="1" cancelflag="0" forwardflag="0" voiceformat="4" voicelength="2340" ' +
      'length="3898" bufid="289997841361207642" clientmsgid="41a1" fromusername="wxid_a8d806dzznm822" /&gt;&lt;/msg&gt;'
    assert.strictEqual(
      as(decode({ MsgType: 34, VoiceLength: 2340, Content: content }), "Voice").durationMs,
      2340,
    )
    assert.strictEqual(as(decode({ MsgType: 34, Content: content }), "Voice").durationMs, 2340)
    assert.strictEqual(as(decode({ MsgType: 34, Content: "" }), "Voice").durationMs, 0)
  })

  it("reads videos and sight videos (43, 62)", () => {
    const content =
      '&lt;?xml version="1.0"?&gt;<br/>&lt;msg&gt;<br/>\t&lt;videomsg aeskey="a" cdnthumbaeskey="b" cdnvideourl="c" ' +
      'cdnthumburl="d" length="328666" playlength="2" cdnthumblength="10398" cdnthumbwidth="960" ' +
      'cdnthumbheight="540" fromusername="zyfandlzz" md5="e" newmd5="f" isad="0" /&gt;<br/>&lt;/msg&gt;<br/>'
    for (const MsgType of [43, 62]) {
      const video = as(
        decode({ MsgType, PlayLength: 2, ImgHeight: 540, ImgWidth: 960, Content: content }),
        "Video",
      )
      assert.deepStrictEqual([video.seconds, video.width, video.height], [2, 960, 540])
    }
    assert.strictEqual(as(decode({ MsgType: 62, Content: content }), "Video").seconds, 2)
  })

  it("reads a custom sticker (spaces around = in its attributes) and a store sticker", () => {
    const custom = as(
      decode({
        MsgType: 47,
        ImgStatus: 2,
        Content:
          '&lt;msg&gt;&lt;emoji fromusername = "" tousername = "" type="2" idbuffer="media:0_0" ' +
          'md5="e68363487d8f0519c4e1047de403b2e7" len = "86235" productid="com.tencent.xin.emoticon.bilibili" ' +
          'cdnurl = "http://emoji.qpic.cn/wx_emoji/abc/" designerid = "" thumburl = "" ' +
          'encrypturl = "http://emoji.qpic.cn/wx_emoji/def/" aeskey= "0a1b" &gt;&lt;/emoji&gt; ' +
          '&lt;gameext type="0" content="0" &gt;&lt;/gameext&gt;&lt;/msg&gt;',
      }),
      "Emoticon",
    )
    assert.deepStrictEqual(
      [custom.md5, custom.cdnUrl, custom.isStore],
      ["e68363487d8f0519c4e1047de403b2e7", "http://emoji.qpic.cn/wx_emoji/abc/", false],
    )
    const store = as(
      decode({ MsgType: 47, HasProductId: 1, FromUserName: ROOM, Content: `${ALICE}:<br/>` }),
      "Emoticon",
    )
    assert.deepStrictEqual([store.md5, store.isStore, store.sender], ["", true, ALICE])
  })
})

describe("location", () => {
  const oriContent =
    '<?xml version="1.0"?>\n<msg>\n\t<location x="22.543096" y="113.934592" scale="16" label="广东省深圳市南山区" ' +
    'maptype="0" poiname="[位置]" poiid="" />\n</msg>\n'
  const mapLink =
    "/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&msgid=3225371967511173931&pictype=location"

  it("reads the three-part group form, preferring OriContent", () => {
    const location = as(
      decode({
        FromUserName: ROOM,
        SubMsgType: 48,
        Content: `${ALICE}:<br/>广东省深圳市南山区:<br/>${mapLink}`,
        Url: "http://apis.map.qq.com/uri/v1/geocoder?coord=22.543096,113.934592",
        OriContent: oriContent,
      }),
      "Location",
    )
    assert.deepStrictEqual(
      [location.sender, location.label, location.poiName, location.lat, location.lng, location.url],
      [
        ALICE,
        "广东省深圳市南山区",
        "[位置]",
        22.543096,
        113.934592,
        "http://apis.map.qq.com/uri/v1/geocoder?coord=22.543096,113.934592",
      ],
    )
  })

  it("falls back to Content and Url when there is no OriContent", () => {
    const location = as(
      decode({
        SubMsgType: 48,
        Content: `Somewhere &amp; there:<br/>${mapLink}`,
        Url: "http://apis.map.qq.com/uri/v1/geocoder?coord=22.5,113.9&amp;referer=wx",
      }),
      "Location",
    )
    assert.deepStrictEqual(
      [location.label, location.lat, location.lng, location.url],
      [
        "Somewhere & there",
        22.5,
        113.9,
        "http://apis.map.qq.com/uri/v1/geocoder?coord=22.5,113.9&referer=wx",
      ],
    )
    assert.strictEqual(decode({ SubMsgType: 48, Content: `x:<br/>${mapLink}` })._tag, "Unknown")
  })
})

describe("card", () => {
  it("reads an official account's card from its XML and RecommendInfo", () => {
    const card = as(
      decode({
        MsgType: 42,
        Content:
          '&lt;?xml version="1.0"?&gt;<br/>&lt;msg bigheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/x/0" ' +
          'smallheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/x/132" username="gh_7aac992b0363" nickname="新闻早班车"  ' +
          'shortpy="" alias="newsbus" imagestatus="3" scene="17" province="重庆" city="中国" sign="" sex="2" ' +
          'certflag="0" certinfo="" brandIconUrl="" brandHomeUrl="" brandSubscriptConfigUrl="" brandFlags="0" ' +
          'regionCode="CN_Chongqing_South Bank" /&gt;<br/>',
        RecommendInfo: {
          ...EMPTY_RECOMMEND,
          UserName: "@a9b8c7",
          NickName: "新闻早班车",
          Scene: 17,
          VerifyFlag: 24,
        },
      }),
      "Card",
    )
    assert.deepStrictEqual(
      [card.userName, card.nickName, card.alias, card.isOfficial],
      ["@a9b8c7", "新闻早班车", "newsbus", true],
    )
  })
})

describe("app messages", () => {
  it("reads a link whose URL is escaped twice (&amp;amp;), laid out with spaces and self-closing tags", () => {
    const link = as(
      decode({
        MsgType: 49,
        AppMsgType: 5,
        ImgStatus: 2,
        FileName: "约返:0.99 抢京东券",
        FileSize: "0",
        Url: "http://t.cn/RrBhwLB",
        Content:
          '&lt;msg&gt;<br/>    &lt;appmsg appid="" sdkver="0"&gt;<br/>        &lt;title&gt;约返:0.99 抢京东券&lt;/title&gt;' +
          "<br/>        &lt;des&gt;每天领券&lt;/des&gt;<br/>        " +
          "&lt;action /&gt;<br/>        &lt;type&gt;5&lt;/type&gt;" +
          "<br/>        &lt;url&gt;http://t.cn/jdc?d=7Zvxc4&amp;amp;come=appmessage&amp;amp;sn=1&lt;/url&gt;" +
          "<br/>        &lt;lowurl /&gt;<br/>        &lt;appattach" +
          "&gt;<br/>            &lt;totallen&gt;0&lt;/totallen&gt;" +
          "<br/>            &lt;attachid /&gt;<br/>        &lt;/appattach&gt;<br/>        &lt;extinfo /&gt;" +
          "<br/>        &lt;thumburl&gt;http://mmbiz.qpic.cn/a/0?wx_fmt=jpeg&lt;/thumburl&gt;<br/>    &lt;/appmsg&gt;" +
          "<br/>    &lt;fromusername&gt;wxid_a8d806dzznm822&lt;/fromusername&gt;<br/>    &lt;scene&gt;0&lt;/scene&gt;" +
          "<br/>    &lt;appinfo&gt;<br/>        &lt;version&gt;1" +
          "&lt;/version&gt;<br/>        &lt;appname&gt;京东&lt;/appname&gt;" +
          "<br/>    &lt;/appinfo&gt;<br/>    &lt;commenturl /&gt;<br/>&lt;/msg&gt;<br/>",
      }),
      "Link",
    )
    assert.deepStrictEqual(
      [link.title, link.description, link.url, link.source, link.thumbUrl],
      [
        "约返:0.99 抢京东券",
        "每天领券",
        "http://t.cn/jdc?d=7Zvxc4&come=appmessage&sn=1",
        "京东",
        "http://mmbiz.qpic.cn/a/0?wx_fmt=jpeg",
      ],
    )
  })

  it("reads a file sent in a group, its XML closed by an escaped <br/>", () => {
    const file = as(
      decode({
        MsgType: 49,
        AppMsgType: 6,
        FromUserName: ROOM,
        FileName: "fileName.zip",
        FileSize: "1024",
        MediaId: "@crypt_8d3c1a2b_7e6f5d4c",
        AppInfo: { AppID: "wx6618f1cfc6c132f8", Type: 0 },
        EncryFileName: "fileName%2Ezip",
        Content:
          `${ALICE}:<br/>&lt;msg&gt;&lt;appmsg appid="wx6618f1cfc6c132f8"` +
          ` sdkver="0"&gt;&lt;title&gt;fileName.zip&lt;/title&gt;` +
          "&lt;des&gt;&lt;/des&gt;&lt;action&gt;&lt;/action&gt;&lt;type" +
          "&gt;6&lt;/type&gt;&lt;showtype&gt;0&lt;/showtype&gt;" +
          "&lt;content&gt;&lt;/content&gt;&lt;url&gt;&lt;/url&gt;" +
          "&lt;recorditem&gt;&lt;![CDATA[]]&gt;&lt;/recorditem&gt;" +
          "&lt;appattach&gt;&lt;totallen&gt;1024&lt;/totallen&gt;&lt;attachid&gt;@cdn_qwerty_abcd_1&lt;/attachid&gt;" +
          "&lt;emoticonmd5&gt;&lt;/emoticonmd5&gt;&lt;fileext&gt;zip" +
          "&lt;/fileext&gt;&lt;cdnattachurl&gt;qwerty&lt;/cdnattachurl&gt;" +
          "&lt;aeskey&gt;abcd&lt;/aeskey&gt;&lt;encryver&gt;1" +
          "&lt;/encryver&gt;&lt;/appattach&gt;&lt;md5&gt;xxxx&lt;/md5&gt;" +
          "&lt;/appmsg&gt;&lt;fromusername&gt;wxid_a8d806dzznm822&lt;/fromusername&gt;&lt;scene&gt;0&lt;/scene&gt;" +
          "&lt;appinfo&gt;&lt;version&gt;1&lt;/version&gt;&lt;appname&gt;微信电脑版&lt;/appname&gt;&lt;/appinfo&gt;" +
          "&lt;commenturl&gt;&lt;/commenturl&gt;&lt;/msg&gt;&lt;br/&gt;<br/>",
      }),
      "File",
    )
    assert.deepStrictEqual(
      [file.sender, file.fileName, file.size, file.mediaId, file.encryFileName, file.extension],
      [ALICE, "fileName.zip", 1024, "@crypt_8d3c1a2b_7e6f5d4c", "fileName%2Ezip", "zip"],
    )
  })

  it("reads a transfer: CDATA values, one element per <br/> line, a <br/> inside CDATA", () => {
    const upgrade =
      "https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=page/common_page__upgrade" +
      "&amp;text=text001&amp;btn_text=btn_text_0"
    const lines = [
      "&lt;msg&gt;",
      '&lt;appmsg appid="" sdkver=""&gt;',
      "&lt;title&gt;&lt;![CDATA[微信转账]]&gt;&lt;/title&gt;",
      "&lt;des&gt;&lt;![CDATA[收到转账0.10元。<br/>如需收钱，请点此升级至最新版本]]&gt;&lt;/des&gt;",
      "&lt;action&gt;&lt;/action&gt;",
      "&lt;type&gt;2000&lt;/type&gt;",
      "&lt;content&gt;&lt;![CDATA[]]&gt;&lt;/content&gt;",
      `&lt;url&gt;&lt;![CDATA[${upgrade}]]&gt;&lt;/url&gt;`,
      `&lt;thumburl&gt;&lt;![CDATA[${upgrade}]]&gt;&lt;/thumburl&gt;`,
      "&lt;lowurl&gt;&lt;/lowurl&gt;",
      "&lt;extinfo&gt;",
      "&lt;/extinfo&gt;",
      "&lt;wcpayinfo&gt;",
      "&lt;paysubtype&gt;1&lt;/paysubtype&gt;",
      "&lt;feedesc&gt;&lt;![CDATA[￥0.10]]&gt;&lt;/feedesc&gt;",
      "&lt;transcationid&gt;&lt;![CDATA[100005020117111600024321086800000000]]&gt;&lt;/transcationid&gt;",
      "&lt;transferid&gt;&lt;![CDATA[1000050201201711160100300000000]]&gt;&lt;/transferid&gt;",
      "&lt;invalidtime&gt;&lt;![CDATA[1510910500]]&gt;&lt;/invalidtime&gt;",
      "&lt;begintransfertime&gt;&lt;![CDATA[1510818700]]&gt;&lt;/begintransfertime&gt;",
      "&lt;effectivedate&gt;&lt;![CDATA[1]]&gt;&lt;/effectivedate&gt;",
      "&lt;pay_memo&gt;&lt;![CDATA[房租 & 水电]]&gt;&lt;/pay_memo&gt;",
      "",
      "&lt;/wcpayinfo&gt;",
      "&lt;/appmsg&gt;",
      "&lt;/msg&gt;",
    ]
    const transfer = as(
      decode({ MsgType: 49, AppMsgType: 2000, FileName: "微信转账", Content: lines.join("<br/>") }),
      "Transfer",
    )
    assert.deepStrictEqual(
      [transfer.amount, transfer.memo, transfer.paySubType, transfer.transferId],
      ["￥0.10", "房租 & 水电", 1, "1000050201201711160100300000000"],
    )
  })

  it("reads a red packet app message (49/2001), and the official client's 1/2001 detour", () => {
    const xml =
      '<msg><appmsg appid="" sdkver=""><des><![CDATA[我给你发了一个红包，赶紧去拆!]]></des>' +
      "<url><![CDATA[https://wxapp.tenpay.com/mmpayhb/wxhb_personalreceive?showwxpaytitle=1" +
      "&msgtype=1&sendid=1000]]></url>" +
      "<type><![CDATA[2001]]></type><title><![CDATA[微信红包]]></title>" +
      "<thumburl><![CDATA[https://wx.gtimg.com/hongbao/1800/hb.png]]></thumburl><wcpayinfo><templateid/>" +
      "<nativeurl><![CDATA[wxpay://c2cbizmessagehandler/hongbao/receivehongbao?msgtype=1]]></nativeurl></wcpayinfo>" +
      "</appmsg><fromusername/></msg>"
    for (const MsgType of [49, 1]) {
      const packet = as(decode({ MsgType, AppMsgType: 2001, Content: wire(xml) }), "RedPacket")
      assert.deepStrictEqual([packet.text, packet.sent], ["我给你发了一个红包，赶紧去拆!", false])
    }
  })

  it("reads a mini program", () => {
    const xml =
      '<msg><appmsg appid="" sdkver="0"><title>来拼团</title><des></des><type>33</type>' +
      "<url>https://mp.weixin.qq.com/mp/waerrpage?appid=wx1234567890abcdef" +
      "&amp;type=upgrade&amp;upgradetype=3#wechat_redirect</url>" +
      "<appattach><cdnthumburl>3050</cdnthumburl></appattach><sourceusername>gh_5c8f3a2b1d4e@app</sourceusername>" +
      "<sourcedisplayname>拼多多</sourcedisplayname><weappinfo><username><![CDATA[gh_5c8f3a2b1d4e@app]]></username>" +
      "<appid><![CDATA[wx1234567890abcdef]]></appid><type>2</type><version>1</version>" +
      "<pagepath><![CDATA[pages/index/index.html?goods_id=7]]></pagepath></weappinfo></appmsg>" +
      "<fromusername>wxid_a8d806dzznm822</fromusername><scene>0" +
      "</scene><appinfo><version>1</version><appname></appname>" +
      "</appinfo><commenturl></commenturl></msg>"
    const mini = as(
      decode({ MsgType: 49, AppMsgType: 33, FileName: "来拼团", Content: wire(xml) }),
      "MiniProgram",
    )
    assert.deepStrictEqual(
      [mini.title, mini.appId, mini.pagePath, mini.sourceName, mini.sourceUserName],
      [
        "来拼团",
        "wx1234567890abcdef",
        "pages/index/index.html?goods_id=7",
        "拼多多",
        "gh_5c8f3a2b1d4e@app",
      ],
    )
  })

  it("reads a quote, its quoted content escaped once more", () => {
    const xml =
      '<msg><appmsg appid="" sdkver="0"><title>好的 &lt;3</title><des></des><type>57</type>' +
      "<refermsg><type>1</type><svrid>8425372943729876543</svrid><fromusr>18978654321@chatroom</fromusr>" +
      "<chatusr>wxid_a8d806dzznm822</chatusr><displayname>李卓桓</displayname>" +
      "<content>明天 &amp;lt;10点&amp;gt; 见？</content><createtime>1510818700</createtime></refermsg></appmsg>" +
      "<fromusername>wxid_b</fromusername></msg>"
    const quote = as(
      decode({
        MsgType: 49,
        AppMsgType: 57,
        FromUserName: ROOM,
        Content: `${ALICE}:<br/>${wire(xml)}`,
      }),
      "Quote",
    )
    assert.strictEqual(quote.text, "好的 <3")
    assert.deepStrictEqual(quote.quoted, {
      msgId: "8425372943729876543",
      fromUserName: "wxid_a8d806dzznm822",
      displayName: "李卓桓",
      content: "明天 &lt;10点&gt; 见？",
      type: 1,
    })
  })

  it("takes the kind from the XML's <type> when AppMsgType is 0", () => {
    const xml =
      "<msg><appmsg><title>t</title><type>5</type><url>http://a/?b=1&amp;c=2</url></appmsg></msg>"
    assert.strictEqual(
      as(decode({ MsgType: 49, Content: wire(xml) }), "Link").url,
      "http://a/?b=1&c=2",
    )
  })

  it("leaves app types it does not read as Unknown", () => {
    const xml = "<msg><appmsg><title>我发起了位置共享</title><type>17</type></appmsg></msg>"
    const unknown = as(decode({ MsgType: 49, AppMsgType: 17, Content: wire(xml) }), "Unknown")
    assert.deepStrictEqual(
      [unknown.msgType, unknown.appMsgType, unknown.reason],
      [49, 17, "app message type 17 is not decoded"],
    )
    assert.strictEqual(
      as(decode({ MsgType: 49, AppMsgType: 2000, Content: wire(xml) }), "Unknown").reason,
      "transfer without <wcpayinfo>",
    )
  })
})

describe("friend request", () => {
  it("reads RecommendInfo and the escaped XML (&amp;quot;, two spaces before shortpy)", () => {
    const request = as(
      decode({
        MsgType: 37,
        FromUserName: "fmessage",
        Content:
          '&lt;msg fromusername="wxid_a8d806dzznm822" encryptusername="v1_5a2b@stranger" fromnickname="李卓桓.PreAngel" ' +
          'content="我是群聊&amp;quot;Wechaty&amp;quot;的李卓桓.PreAngel"  shortpy="LZHPREANGEL" imagestatus="3" ' +
          'scene="14" country="CN" province="Beijing" city="Haidian" sign="见见面" percard="1" sex="1" ' +
          'alias="zixia008" weibo="" weibonickname="" albumflag="0" albumstyle="0" albumbgimgid="9d0e" snsflag="49" ' +
          'snsbgimgid="http://mmsns.qpic.cn/mmsns/x/0" snsbgobjectid="12183966160653848744" mhash="" mfullhash="" ' +
          'bigheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/y/0"' +
          ' smallheadimgurl="http://wx.qlogo.cn/mmhead/ver_1/y/132" ' +
          'ticket="v2_7c1d@stranger" opcode="2" googlecontact="" qrticket="" chatroomusername="2332413729@chatroom" ' +
          'sourceusername="" sourcenickname=""&gt;&lt;brandlist' +
          ' count="0" ver="670564024"&gt;&lt;/brandlist&gt;&lt;/msg&gt;',
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
      "FriendRequest",
    )
    assert.deepStrictEqual(
      { ...request, raw: undefined },
      {
        ...request,
        raw: undefined,
        userName: "@04a0fa314d0d8d50dc54e2ec908744ebf46b87404d143fd9a6692182dd90bd49",
        nickName: "李卓桓.PreAngel",
        wxid: "wxid_a8d806dzznm822",
        greeting: '我是群聊"Wechaty"的李卓桓.PreAngel',
        ticket: "v2_7c1d@stranger",
        scene: 14,
        alias: "zixia008",
        province: "Beijing",
        city: "Haidian",
        sex: 1,
      },
    )
  })

  it("falls back on the XML for a zeroed RecommendInfo's details, and on RecommendInfo for broken XML", () => {
    const recommend = {
      ...EMPTY_RECOMMEND,
      UserName: "@04a0",
      Ticket: "v2_x@stranger",
      Province: "北京",
      Sex: 2,
    }
    const request = as(
      decode({ MsgType: 37, Content: "&lt;msg", RecommendInfo: recommend }),
      "FriendRequest",
    )
    assert.deepStrictEqual(
      [request.userName, request.ticket, request.province, request.sex, request.wxid],
      ["@04a0", "v2_x@stranger", "北京", 2, ""],
    )
    assert.strictEqual(decode({ MsgType: 37, Content: "" })._tag, "Unknown")
  })
})

describe("notices", () => {
  it("reads a group notice with its event, trailing spaces trimmed", () => {
    const notice = as(
      decode({ MsgType: 10000, FromUserName: ROOM, Content: '你邀请"管理员"加入了群聊  ' }),
      "SystemNotice",
    )
    assert.deepStrictEqual(
      [notice.text, notice.chat, notice.sender],
      ['你邀请"管理员"加入了群聊', ROOM, ROOM],
    )
    assert.deepStrictEqual(notice.event, {
      _tag: "Joined",
      inviter: { name: "你", isSelf: true },
      invitees: [{ name: "管理员", isSelf: false }],
      viaQrCode: false,
    })
  })

  it("reads a rename with curly quotes, and keeps the text of links", () => {
    const renamed = as(
      decode({ MsgType: 10000, FromUserName: ROOM, Content: '"李佳芮"修改群名为“dong”' }),
      "SystemNotice",
    )
    assert.deepStrictEqual(renamed.event, {
      _tag: "Renamed",
      topic: "dong",
      by: { name: "李佳芮", isSelf: false },
    })
    const linked = as(
      decode({
        MsgType: 10000,
        Content:
          '对方开启了朋友验证。&lt;a href="weixin://findfriend/verifycontact"&gt;发送朋友验证&lt;/a&gt;',
      }),
      "SystemNotice",
    )
    assert.deepStrictEqual(
      [linked.text, linked.event],
      ["对方开启了朋友验证。发送朋友验证", undefined],
    )
  })

  it("reads red packet notices for the receiver and for the sender's phone", () => {
    const received = as(
      decode({ MsgType: 10000, Content: "收到红包，请在手机上查看" }),
      "RedPacket",
    )
    assert.deepStrictEqual([received.text, received.sent], ["收到红包，请在手机上查看", false])
    assert.isTrue(
      as(
        decode({ MsgType: 10000, FromUserName: SELF, Content: "发出红包，请在手机上查看" }),
        "RedPacket",
      ).sent,
    )
  })

  it("reads a revoke sysmsg: <msgid> is the revoked MsgId", () => {
    const revoke = as(
      decode({
        MsgType: 10002,
        Status: 4,
        Content:
          '&lt;sysmsg type="revokemsg"&gt;<br/>\t&lt;revokemsg&gt;' +
          "<br/>\t\t&lt;session&gt;wxid_xxxxxxx&lt;/session&gt;" +
          "<br/>\t\t&lt;oldmsgid&gt;1660000000&lt;/oldmsgid&gt;<br/>\t\t&lt;msgid&gt;41000000000000000&lt;/msgid&gt;" +
          '<br/>\t\t&lt;replacemsg&gt;&lt;![CDATA["xx" 撤回了一条消息]]&gt;&lt;/replacemsg&gt;<br/>\t&lt;/revokemsg&gt;' +
          "<br/>&lt;/sysmsg&gt;<br/>",
      }),
      "Revoke",
    )
    assert.deepStrictEqual(
      [revoke.revokedMsgId, revoke.replaceText],
      ["41000000000000000", '"xx" 撤回了一条消息'],
    )
    const other = decode({
      MsgType: 10002,
      Content: '&lt;sysmsg type="pat"&gt;&lt;pat /&gt;&lt;/sysmsg&gt;',
    })
    assert.strictEqual(as(other, "Unknown").reason, 'sysmsg of type "pat" is not decoded')
  })

  it("reads status notifications: recent chats after login, and a chat opened on the phone", () => {
    const recent = as(
      decode({
        MsgType: 51,
        FromUserName: SELF,
        StatusNotifyCode: 4,
        StatusNotifyUserName: `${ALICE},filehelper,${ROOM}`,
        Content:
          "&lt;msg&gt;<br/>&lt;op id='4'&gt;<br/>&lt;username" +
          "&gt;wxid_a8d806dzznm822,filehelper,902809793@chatroom&lt;/username&gt;" +
          "<br/>&lt;unreadchatlist&gt;<br/>&lt;chat&gt;<br/>&lt;username&gt;902809793@chatroom&lt;/username&gt;" +
          "<br/>&lt;lastreadtime&gt;1463754424&lt;/lastreadtime&gt;<br/>&lt;/chat&gt;<br/>&lt;/unreadchatlist&gt;" +
          "<br/>&lt;unreadfunctionlist&gt;<br/>&lt;/unreadfunctionlist&gt;<br/>&lt;/op&gt;<br/>&lt;/msg&gt;",
      }),
      "StatusNotify",
    )
    assert.deepStrictEqual(
      [recent.code, recent.userNames, recent.wxids],
      [4, [ALICE, "filehelper", ROOM], ["wxid_a8d806dzznm822", "filehelper", "902809793@chatroom"]],
    )
    const opened = as(
      decode({
        MsgType: 51,
        StatusNotifyCode: 2,
        ToUserName: "filehelper",
        StatusNotifyUserName: "filehelper",
      }),
      "StatusNotify",
    )
    assert.deepStrictEqual([opened.code, opened.userNames, opened.wxids], [2, ["filehelper"], []])
  })
})

describe("what cannot be read", () => {
  it("is Unknown with a reason, for unknown MsgTypes", () => {
    const unknown = as(decode({ MsgType: 53, Content: "voip" }), "Unknown")
    assert.deepStrictEqual(
      [unknown.msgType, unknown.reason, unknown.id],
      [53, "MsgType 53 is not decoded", "3225371967511173931"],
    )
  })

  it("is Unknown for odd entries, keeping what could be read", () => {
    for (const odd of [null, 42, "text", [], {}])
      assert.strictEqual(decodeMessage(odd, context)._tag, "Unknown")
    assert.strictEqual(
      as(decodeMessage({ MsgType: 1, Content: "hi" }, context), "Unknown").reason,
      "no MsgId",
    )
    const mistyped = as(decode({ MsgType: "1", ImgWidth: null }), "Unknown")
    assert.match(
      mistyped.reason,
      /^unreadable entry: MsgType: Expected number, actual "1"; ImgWidth: /,
    )
    assert.deepStrictEqual(
      [mistyped.id, mistyped.from, mistyped.raw.MsgType],
      ["3225371967511173931", ALICE, 0],
    )
  })

  it("is Unknown for XML-bearing contents that are not XML", () => {
    for (const Content of ["", "@1a2b3c", "&lt;msg&gt;&lt;img md5=&lt;/msg&gt;"]) {
      assert.strictEqual(decode({ MsgType: 3, Content })._tag, "Unknown", Content)
    }
    assert.strictEqual(
      as(decode({ MsgType: 3, Content: "&lt;msg&gt;&lt;/msg&gt;" }), "Unknown").reason,
      "image without <img>",
    )
  })

  it("is Unknown, promptly, for hostile XML: a DTD with an entity bomb, deep nesting, a huge content", () => {
    const bomb =
      '&lt;?xml version="1.0"?&gt;&lt;!DOCTYPE lolz [&lt;!ENTITY lol "lol"&gt;' +
      Array.from(
        { length: 9 },
        (_, i) => `&lt;!ENTITY lol${i + 1} "${`&amp;lol${i || ""};`.repeat(10)}"&gt;`,
      ).join("") +
      ']&gt;&lt;msg&gt;&lt;img md5="&amp;lol9;" /&gt;&lt;/msg&gt;'
    const deep = `${"&lt;a&gt;".repeat(20_000)}${"&lt;/a&gt;".repeat(20_000)}`
    const huge = `&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;${"x".repeat(300_000)}&lt;/title&gt;&lt;/appmsg&gt;&lt;/msg&gt;`
    const started = Date.now()
    assert.match(as(decode({ MsgType: 3, Content: bomb }), "Unknown").reason, /DTD/)
    assert.strictEqual(decode({ MsgType: 49, AppMsgType: 5, Content: deep })._tag, "Unknown")
    assert.match(
      as(decode({ MsgType: 49, AppMsgType: 5, Content: huge }), "Unknown").reason,
      /over/,
    )
    assert.isBelow(Date.now() - started, 2_000)
  })

  it("never fails a batch", () => {
    const batch = decodeBatch(
      [
        entry({ Content: "a" }),
        null,
        entry({ MsgType: 9999 }),
        entry({ MsgType: 3, Content: "x" }),
        entry({ Content: "b" }),
      ],
      context,
    )
    assert.deepStrictEqual(
      batch.map((message) => message._tag),
      ["Text", "Unknown", "Unknown", "Unknown", "Text"],
    )
  })
})
