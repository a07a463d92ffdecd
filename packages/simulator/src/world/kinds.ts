import { createHash } from "node:crypto"
import { escapeContent, escapeXmlText, withEmojiSpans } from "../wire/escape.js"
import { newMediaId } from "./ids.js"
import { avatarJpeg, sampleBytes } from "./media.js"
import type { MessageDraft } from "./model.js"
import type { MessageSpec } from "./speak.js"
import type { World } from "./World.js"

type Spec<K extends MessageSpec["kind"]> = Extract<MessageSpec, { kind: K }>

/** Who says a message where, and its id: what a builder needs besides the spec. */
export interface Utterance {
  readonly world: World
  readonly from: string
  /** A person, an account or a room. */
  readonly to: string
  readonly msgId: bigint
  /** The world's clock, unix seconds. */
  readonly now: number
}

/** Whom a message is drawn for: its receivers, or the speaker's own phone and web sessions. */
export type View = "theirs" | "own"

/** The PC client's AppID, which files carry in `AppInfo` and in their appmsg. */
const FILE_APP_ID = "wx6618f1cfc6c132f8"

// ---- wire helpers ----

/**
 * Raw text or XML as the server puts it into `Content`: escaped, newlines as `<br/>`, emoji as spans
 * (inside XML payloads too, which clients protect before decoding [U]).
 */
const toContent = (raw: string): string => withEmojiSpans(escapeContent(raw))

/** World names are kept in wire form (emoji as spans); XML payloads carry the characters themselves. */
const plainText = (wire: string): string =>
  wire.replace(/<span class="emoji emoji([0-9a-f]+)"><\/span>/g, (_, hex: string) =>
    String.fromCodePoint(...codePoints(hex)),
  )

/** A span's hex run back to code points: U+1xxxx (and tags) take 5 digits, keycaps 2+4, the rest 4. */
const codePoints = (hex: string): Array<number> => {
  const points: Array<number> = []
  for (let i = 0; i < hex.length;) {
    const rest = hex.length - i
    const width = rest === 6 ? 2 : rest <= 5 ? rest : hex[i] === "1" || hex[i] === "e" ? 5 : 4
    points.push(parseInt(hex.slice(i, i + width), 16))
    i += width
  }
  return points
}

/** Stable pseudo-random hex, so a message's keys and CDN ids render the same on every screen. */
const stableHex = (seed: string, chars: number): string =>
  Buffer.from(sampleBytes("bin", Math.ceil(chars / 2), seed))
    .toString("hex")
    .slice(0, chars)

/** Stable pseudo-random decimal digits, never starting with 0. */
const stableDigits = (seed: string, count: number): string => {
  const floor = 10n ** BigInt(count - 1)
  return ((BigInt(`0x${stableHex(seed, 32)}`) % (9n * floor)) + floor).toString()
}

const md5 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex")

/** CDN ids look like hex-encoded ASN.1 (`3050020100…`). */
const cdnId = (seed: string): string => `30500201000449304702010002${stableHex(seed, 140)}`

/** How `wxid` is named in the chat: its group nickname in a room when it has one, else its nickname. */
const nameIn = (u: Utterance, wxid: string): string => {
  const member = u.world.isRoom(u.to)
    ? u.world.group(u.to).members.find((m) => m.wxid === wxid)
    : undefined
  return plainText(member?.displayName || u.world.person(wxid).nickName)
}

// ---- a little XML, laid out the ways phones write it ----

/** An element: content already escaped (`text`, `cdata`), or child elements. */
type Element = readonly [
  name: string,
  content: string | ReadonlyArray<Element>,
  attributes?: string,
]

interface Layout {
  readonly newline: string
  readonly indent: string
}
const INDENTED: Layout = { newline: "\n", indent: "\t" }
const ONE_LINE: Layout = { newline: "", indent: "" }
const FLUSH_LEFT: Layout = { newline: "\n", indent: "" }

const render = (element: Element, layout: Layout, depth = 0): string => {
  const [name, content, attributes] = element
  const pad = layout.indent.repeat(depth)
  const open = attributes === undefined ? `<${name}>` : `<${name} ${attributes}>`
  if (typeof content === "string") return `${pad}${open}${content}</${name}>`
  return [
    `${pad}${open}`,
    ...content.map((child) => render(child, layout, depth + 1)),
    `${pad}</${name}>`,
  ].join(layout.newline)
}

const text = (value: string | number): string => escapeXmlText(String(value))

const cdata = (value: string): string => `<![CDATA[${value.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`

const attributes = (pairs: { readonly [name: string]: string | number }): string =>
  Object.entries(pairs)
    .map(([name, value]) => `${name}="${text(value)}"`)
    .join(" ")

const empty = (...names: ReadonlyArray<string>): Array<Element> => names.map((name) => [name, ""])

// ---- shared shapes ----

/** A thumbnail's size as `ImgWidth`/`ImgHeight` report it: the picture scaled to fit 120 px. [U] */
const thumbSize = (width: number, height: number): { width: number; height: number } => {
  const scale = Math.min(1, 120 / Math.max(width, height, 1))
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  }
}

const appAttach = (seed: string, thumb: boolean): Element => [
  "appattach",
  [
    ["totallen", "0"],
    ...empty("attachid", "emoticonmd5", "fileext"),
    ["cdnthumburl", thumb ? cdnId(`${seed}:thumb`) : ""],
    ["cdnthumbmd5", thumb ? stableHex(`${seed}:thumbmd5`, 32) : ""],
    ["cdnthumblength", thumb ? "4261" : ""],
    ["cdnthumbwidth", thumb ? "120" : ""],
    ["cdnthumbheight", thumb ? "120" : ""],
    ["cdnthumbaeskey", thumb ? stableHex(`${seed}:thumbaes`, 32) : ""],
    ["aeskey", thumb ? stableHex(`${seed}:aes`, 32) : ""],
    ["encryver", thumb ? "1" : "0"],
  ],
]

/** The `<msg>` around an appmsg: the appmsg, then who sent it and from which app. */
const appMessage = (
  u: Utterance,
  appmsg: {
    readonly children: ReadonlyArray<Element>
    readonly appid?: string
    readonly appname?: string
  },
  layout: Layout = INDENTED,
): string =>
  render(
    [
      "msg",
      [
        ["appmsg", appmsg.children, attributes({ appid: appmsg.appid ?? "", sdkver: "0" })],
        ["fromusername", text(u.from)],
        ["scene", "0"],
        [
          "appinfo",
          [
            ["version", "1"],
            ["appname", text(appmsg.appname ?? "")],
          ],
        ],
        ["commenturl", ""],
      ],
    ],
    layout,
  ) + layout.newline

/** MsgType 49: `FileName` is the title; `FileSize` is "0" unless a file says otherwise. */
const appDraft = (
  appMsgType: number,
  title: string,
  xml: string,
  fields: Partial<MessageDraft> = {},
): MessageDraft => ({
  MsgType: 49,
  AppMsgType: appMsgType,
  FileName: title,
  FileSize: "0",
  Content: toContent(xml),
  ...fields,
})

/** `Url` fields arrive HTML-escaped; the official client decodes them (genCheckURL). [U] */
const urlField = (url: string): string => url.replace(/&/g, "&amp;")

/** MsgType 10000: server notices, plain escaped text (Status 4 as in the captured friend-added notice). */
const notice = (raw: string): MessageDraft => ({
  MsgType: 10000,
  Content: toContent(raw),
  Status: 4,
})

// ---- one builder per kind ----

export const textDraft = (spec: Spec<"text">, u: Utterance): MessageDraft => {
  const mentions = (spec.mentions ?? []).map((wxid) => `@${nameIn(u, wxid)}\u2005`).join("")
  return { MsgType: 1, Content: toContent(mentions + spec.text) }
}

export const imageDraft = (spec: Spec<"image">, u: Utterance): MessageDraft => {
  const seed = u.msgId.toString()
  const full = spec.bytes ?? sampleBytes("jpeg", 24_000, seed)
  const thumb = avatarJpeg(`thumb:${seed}`)
  const size = thumbSize(spec.width ?? 120, spec.height ?? 90)
  const img = attributes({
    aeskey: stableHex(`${seed}:aes`, 32),
    encryver: 1,
    cdnthumbaeskey: stableHex(`${seed}:thumbaes`, 32),
    cdnthumburl: cdnId(`${seed}:thumb`),
    cdnthumblength: thumb.length,
    cdnthumbheight: size.height,
    cdnthumbwidth: size.width,
    cdnmidheight: 0,
    cdnmidwidth: 0,
    cdnhdheight: 0,
    cdnhdwidth: 0,
    cdnmidimgurl: cdnId(`${seed}:mid`),
    length: full.length,
    md5: md5(full),
  })
  return {
    MsgType: 3,
    Content: toContent(`<?xml version="1.0"?>\n<msg>\n\t<img ${img} />\n</msg>\n`),
    ImgStatus: 2,
    ImgHeight: size.height,
    ImgWidth: size.width,
    media: { mime: "image/jpeg", full, thumb },
  }
}

export const voiceDraft = (spec: Spec<"voice">, u: Utterance): MessageDraft => {
  const seed = u.msgId.toString()
  const durationMs = spec.durationMs ?? 2_340
  const full = spec.bytes ?? sampleBytes("mp3", Math.round(durationMs * 1.6), seed)
  const voicemsg = attributes({
    endflag: 1,
    cancelflag: 0,
    forwardflag: 0,
    voiceformat: 4,
    voicelength: durationMs,
    length: full.length,
    bufid: stableDigits(`${seed}:buf`, 18),
    clientmsgid: stableHex(`${seed}:client`, 54),
    fromusername: u.from,
  })
  return {
    MsgType: 34,
    Content: toContent(`<msg><voicemsg ${voicemsg} /></msg>`),
    VoiceLength: durationMs,
    media: { mime: "audio/mpeg", full },
  }
}

export const videoDraft = (spec: Spec<"video">, u: Utterance): MessageDraft => {
  const seed = u.msgId.toString()
  const seconds = spec.seconds ?? 2
  const full = spec.bytes ?? sampleBytes("mp4", 40_000, seed)
  const thumb = avatarJpeg(`videothumb:${seed}`)
  const videomsg = attributes({
    aeskey: stableHex(`${seed}:aes`, 32),
    cdnthumbaeskey: stableHex(`${seed}:thumbaes`, 32),
    cdnvideourl: cdnId(`${seed}:video`),
    cdnthumburl: cdnId(`${seed}:thumb`),
    length: full.length,
    playlength: seconds,
    cdnthumblength: thumb.length,
    cdnthumbwidth: 960,
    cdnthumbheight: 540,
    fromusername: u.from,
    md5: md5(full),
    newmd5: stableHex(`${seed}:newmd5`, 32),
    isad: 0,
  })
  return {
    MsgType: 43,
    Content: toContent(`<?xml version="1.0"?>\n<msg>\n\t<videomsg ${videomsg} />\n</msg>\n`),
    PlayLength: seconds,
    ImgHeight: 540,
    ImgWidth: 960,
    media: { mime: "video/mp4", full, thumb },
  }
}

/** Custom stickers carry the emoji XML; store stickers arrive with `HasProductId` 1 and no content. */
export const emoticonDraft = (spec: Spec<"emoticon">, u: Utterance): MessageDraft => {
  if (spec.store === true)
    return {
      MsgType: 47,
      Content: "",
      ImgStatus: 2,
      HasProductId: 1,
      ImgHeight: 240,
      ImgWidth: 240,
    }
  const seed = u.msgId.toString()
  const full = Buffer.concat([Buffer.from("GIF89a", "latin1"), sampleBytes("bin", 3_000, seed)])
  const sum = spec.md5 ?? md5(full)
  const cdnUrl = `http://emoji.qpic.cn/wx_emoji/${stableHex(`${sum}:cdn`, 96)}/`
  const emoji = attributes({
    fromusername: u.from,
    tousername: u.to,
    type: 2,
    idbuffer: "media:0_0",
    md5: sum,
    len: full.length,
    productid: "",
    androidmd5: sum,
    androidlen: full.length,
    s60v3md5: sum,
    s60v3len: full.length,
    s60v5md5: sum,
    s60v5len: full.length,
    cdnurl: cdnUrl,
    designerid: "",
    thumburl: "",
    encrypturl: cdnUrl,
    aeskey: stableHex(`${sum}:aes`, 32),
    externurl: "",
    externmd5: "",
    width: 240,
    height: 240,
    tpurl: "",
    tpauthkey: "",
    attachedtext: "",
    attachedtextcolor: "",
    lensid: "",
  })
  return {
    MsgType: 47,
    Content: toContent(`<msg><emoji ${emoji}></emoji></msg>`),
    ImgStatus: 2,
    ImgHeight: 240,
    ImgWidth: 240,
    media: { mime: "image/gif", full },
  }
}

const MAP_IMAGE = "/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg"

/** A location is a text (MsgType 1, SubMsgType 48) whose map link names the message's own id, raw `&`s. */
export const locationDraft = (spec: Spec<"location">, u: Utterance): MessageDraft => {
  const location = attributes({
    x: spec.lat.toFixed(6),
    y: spec.lng.toFixed(6),
    scale: 16,
    label: spec.label,
    maptype: 0,
    poiname: spec.poiname ?? "[位置]",
    poiid: "",
  })
  return {
    MsgType: 1,
    SubMsgType: 48,
    Content: `${toContent(spec.label)}:<br/>${MAP_IMAGE}?url=xxx&msgid=${u.msgId}&pictype=location`,
    Url: `http://apis.map.qq.com/uri/v1/geocoder?coord=${spec.lat},${spec.lng}`,
    OriContent: `<?xml version="1.0"?>\n<msg>\n\t<location ${location} />\n</msg>\n`,
  }
}

export const cardDraft = (spec: Spec<"card">, u: Utterance): MessageDraft => {
  const person = u.world.person(spec.wxid)
  const official = (person.verifyFlag & 8) !== 0
  const head = `http://wx.qlogo.cn/mmhead/ver_1/${stableHex(`${person.wxid}:head`, 96)}`
  const who = attributes({
    bigheadimgurl: `${head}/0`,
    smallheadimgurl: `${head}/132`,
    username: person.wxid,
    nickname: plainText(person.nickName),
  })
  const about = attributes({
    shortpy: "",
    alias: person.alias,
    imagestatus: 3,
    scene: 17,
    province: person.province,
    city: person.city,
    sign: plainText(person.signature),
    sex: person.sex,
    certflag: official ? person.verifyFlag : 0,
    certinfo: "",
    brandIconUrl: "",
    brandHomeUrl: "",
    brandSubscriptConfigUrl: "",
    brandFlags: 0,
    regionCode: "",
  })
  return {
    MsgType: 42,
    // Two spaces before shortpy, as in every captured card.
    Content: toContent(`<?xml version="1.0"?>\n<msg ${who}  ${about} />\n`),
    RecommendInfo: {
      wxid: person.wxid,
      NickName: person.nickName,
      Province: person.province,
      City: person.city,
      Content: "",
      Signature: person.signature,
      Alias: person.alias,
      Scene: 17,
      VerifyFlag: person.verifyFlag,
      // The same opaque mask contacts carry: large for people, 0 for official accounts.
      AttrStatus: official ? 0 : 33_000 + (person.uin % 200_000),
      Sex: person.sex,
      Ticket: "",
      OpCode: 0,
    },
  }
}

/** A shared link (49/5): title and description in CDATA, the URL as escaped text (so `&` is `&amp;amp;`). */
export const linkDraft = (spec: Spec<"link">, u: Utterance): MessageDraft => {
  const xml = appMessage(u, {
    appname: spec.source ?? "",
    children: [
      ["title", cdata(spec.title)],
      ["des", cdata(spec.description ?? "")],
      ["action", ""],
      ["type", "5"],
      ["showtype", "0"],
      ["soundtype", "0"],
      ...empty("mediatagname", "messageext", "messageaction", "content"),
      ["contentattr", "0"],
      ["url", text(spec.url)],
      ...empty("lowurl", "dataurl", "lowdataurl"),
      appAttach(u.msgId.toString(), true),
      ...empty("extinfo", "sourceusername"),
      ["sourcedisplayname", text(spec.source ?? "")],
      ...empty("thumburl", "md5", "statextstr"),
    ],
  })
  return appDraft(5, spec.title, xml, { Url: urlField(spec.url), ImgStatus: 2 })
}

/** A file (49/6): one-line XML the PC client writes, closed by an escaped `<br/>` of its own. */
export const fileDraft = (spec: Spec<"file">, u: Utterance): MessageDraft => {
  const seed = u.msgId.toString()
  const full = spec.bytes ?? sampleBytes("bin", spec.size ?? 1_024, seed)
  const size = spec.size ?? full.length
  const xml = appMessage(
    u,
    {
      appid: FILE_APP_ID,
      appname: "微信电脑版",
      children: [
        ["title", text(spec.name)],
        ...empty("des", "action"),
        ["type", "6"],
        ["showtype", "0"],
        ...empty("content", "url", "dataurl", "lowurl", "lowdataurl"),
        ["recorditem", cdata("")],
        ...empty(
          "thumburl",
          "messageaction",
          "extinfo",
          "sourceusername",
          "sourcedisplayname",
          "commenturl",
        ),
        [
          "appattach",
          [
            ["totallen", text(size)],
            [
              "attachid",
              text(`@cdn_${stableHex(`${seed}:cdn`, 120)}_${stableHex(`${seed}:key`, 32)}_1`),
            ],
            ["emoticonmd5", ""],
            ["fileext", text(/\.([^.]+)$/.exec(spec.name)?.[1] ?? "")],
            ["cdnattachurl", stableHex(`${seed}:cdn`, 120)],
            ["aeskey", stableHex(`${seed}:key`, 32)],
            ["encryver", "1"],
          ],
        ],
        ["md5", md5(full)],
      ],
    },
    ONE_LINE,
  )
  return appDraft(6, spec.name, `${xml}<br/>\n`, {
    FileSize: String(size),
    MediaId: newMediaId(),
    EncryFileName: encodeURIComponent(spec.name).replace(/\./g, "%2E"),
    AppInfo: { AppID: FILE_APP_ID, Type: 0 },
    media: { mime: "application/octet-stream", full },
  })
}

const UPGRADE_PAGE = "https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate"

/** A transfer (49/2000): flush-left lines, CDATA values, the fee with a full-width ￥. */
export const transferDraft = (spec: Spec<"transfer">, u: Utterance): MessageDraft => {
  const seed = u.msgId.toString()
  const upgrade = `${UPGRADE_PAGE}?t=page/common_page__upgrade&text=text001&btn_text=btn_text_0`
  const appmsg: Element = [
    "appmsg",
    [
      ["title", cdata("微信转账")],
      ["des", cdata(`收到转账${spec.amount}元。如需收钱，请点此升级至最新版本`)],
      ["action", ""],
      ["type", "2000"],
      ["content", cdata("")],
      ["url", cdata(upgrade)],
      ["thumburl", cdata(upgrade)],
      ["lowurl", ""],
      ["extinfo", []],
      [
        "wcpayinfo",
        [
          ["paysubtype", "1"],
          ["feedesc", cdata(`￥${spec.amount}`)],
          // "transcationid" is WeChat's own spelling.
          ["transcationid", cdata(stableDigits(`${seed}:transaction`, 36))],
          ["transferid", cdata(stableDigits(`${seed}:transfer`, 31))],
          ["invalidtime", cdata(String(u.now + 86_400))],
          ["begintransfertime", cdata(String(u.now))],
          ["effectivedate", cdata("1")],
          ["pay_memo", cdata(spec.memo ?? "")],
        ],
      ],
    ],
    attributes({ appid: "", sdkver: "" }),
  ]
  return appDraft(2000, "微信转账", render(["msg", [appmsg]], FLUSH_LEFT))
}

/**
 * Web WeChat mostly shows red packets as a notice ("收到红包…" to receivers, "发出红包…" to the sender's
 * phone); the 49/2001 appmsg follows the schema known from other protocols. [U]
 */
export const redPacketDraft = (spec: Spec<"redPacket">, u: Utterance, view: View): MessageDraft => {
  if (spec.variant !== "appmsg")
    return notice(view === "own" ? "发出红包，请在手机上查看" : "收到红包，请在手机上查看")
  const seed = u.msgId.toString()
  const sendId = stableDigits(`${seed}:send`, 28)
  const sign = stableHex(`${seed}:sign`, 96)
  const query = `msgtype=1&channelid=1&sendid=${sendId}&sendusername=${u.from}&ver=6&sign=${sign}`
  const url = `https://wxapp.tenpay.com/mmpayhb/wxhb_personalreceive?showwxpaytitle=1&${query}`
  const appmsg: Element = [
    "appmsg",
    [
      ["des", cdata("我给你发了一个红包，赶紧去拆!")],
      ["url", cdata(url)],
      ["type", cdata("2001")],
      ["title", cdata("微信红包")],
      ["thumburl", cdata("https://wx.gtimg.com/hongbao/1800/hb.png")],
      [
        "wcpayinfo",
        [
          ...empty("templateid", "url", "iconurl"),
          ["receivertitle", cdata("恭喜发财，大吉大利")],
          ["sendertitle", cdata("恭喜发财，大吉大利")],
          ["scenetext", cdata("微信红包")],
          ["senderdes", cdata("查看红包")],
          ["receiverdes", cdata("领取红包")],
          ["nativeurl", cdata(`wxpay://c2cbizmessagehandler/hongbao/receivehongbao?${query}`)],
          ["sceneid", cdata("1002")],
          ["innertype", cdata("0")],
          ["paymsgid", cdata(sendId)],
          ["locallogoicon", ""],
          ["invalidtime", cdata(String(u.now + 86_400))],
        ],
      ],
    ],
    attributes({ appid: "", sdkver: "" }),
  ]
  const xml = render(["msg", [appmsg, ["fromusername", text(u.from)]]], ONE_LINE)
  return appDraft(2001, "微信红包", xml, { Url: urlField(url) })
}

/** A mini program (49/33) with its weappinfo; the web envelope (`FileName`, `Url`) is inferred. [U] */
export const miniProgramDraft = (spec: Spec<"miniProgram">, u: Utterance): MessageDraft => {
  const userName = `gh_${stableHex(`${spec.appId}:gh`, 12)}@app`
  const url = `https://mp.weixin.qq.com/mp/waerrpage?appid=${spec.appId}&type=upgrade&upgradetype=3#wechat_redirect`
  const xml = appMessage(u, {
    children: [
      ["title", text(spec.title)],
      ...empty("des", "action"),
      ["type", "33"],
      ["showtype", "0"],
      ["content", ""],
      ["contentattr", "0"],
      ["url", text(url)],
      ["lowurl", ""],
      appAttach(u.msgId.toString(), true),
      ["extinfo", ""],
      ["sourceusername", text(userName)],
      ["sourcedisplayname", text(spec.sourceName ?? "")],
      ...empty("thumburl", "md5", "statextstr"),
      [
        "weappinfo",
        [
          ["username", cdata(userName)],
          ["appid", cdata(spec.appId)],
          ["type", "2"],
          ["version", "1"],
          [
            "weappiconurl",
            cdata(
              `http://mmbiz.qpic.cn/mmbiz_png/${stableHex(`${spec.appId}:icon`, 64)}/640?wx_fmt=png`,
            ),
          ],
          ["pagepath", cdata(spec.pagePath ?? "")],
          ["shareId", cdata(`1_${spec.appId}_${u.now}_0`)],
          ["appservicetype", "0"],
        ],
      ],
    ],
  })
  return appDraft(33, spec.title, xml, { Url: urlField(url), ImgStatus: 2 })
}

/**
 * A reply quoting a text (49/57): `refermsg` names the quoted message, its chat and sender; the quoted
 * text is escaped inside the XML and so once more on the wire. The web envelope is inferred. [U]
 */
export const quoteDraft = (spec: Spec<"quote">, u: Utterance): MessageDraft => {
  const xml = appMessage(u, {
    children: [
      ["title", text(spec.text)],
      ...empty("des", "action"),
      ["type", "57"],
      ["showtype", "0"],
      ["soundtype", "0"],
      ...empty("mediatagname", "messageext", "messageaction", "content"),
      ["contentattr", "0"],
      ...empty("url", "lowurl", "dataurl", "lowdataurl"),
      appAttach(u.msgId.toString(), false),
      ...empty("extinfo", "sourceusername", "sourcedisplayname", "thumburl", "md5", "statextstr"),
      [
        "refermsg",
        [
          ["type", "1"],
          ["svrid", text(spec.quotedMsgId)],
          ["fromusr", text(u.world.isRoom(u.to) ? u.to : spec.quotedFrom)],
          ["chatusr", text(spec.quotedFrom)],
          ["displayname", text(nameIn(u, spec.quotedFrom))],
          ["content", text(spec.quotedText)],
          // The quoted message's own time is not tracked; "now" keeps the element well-formed. [U]
          ["createtime", String(u.now)],
        ],
      ],
    ],
  })
  return appDraft(57, spec.text, xml)
}

/**
 * A recall (10002, Status 4): `<msgid>` is the recalled MsgId, `<session>` the chat as the viewer sees it.
 * The speaker's own sessions read "你撤回了一条消息", everyone else the speaker's name.
 */
export const revokeDraft = (spec: Spec<"revoke">, u: Utterance, view: View): MessageDraft => {
  const chat = u.world.isRoom(u.to) || view === "own" ? u.to : u.from
  const replacement = view === "own" ? "你撤回了一条消息" : `"${nameIn(u, u.from)}" 撤回了一条消息`
  const revokemsg: Element = [
    "revokemsg",
    [
      ["session", text(chat)],
      ["oldmsgid", stableDigits(`${spec.msgId}:old`, 10)],
      ["msgid", text(spec.msgId)],
      ["replacemsg", cdata(replacement)],
    ],
  ]
  const xml = render(["sysmsg", [revokemsg], attributes({ type: "revokemsg" })], INDENTED)
  return { MsgType: 10002, Content: toContent(`${xml}\n`), Status: 4 }
}

export const systemDraft = (spec: Spec<"system">): MessageDraft => notice(spec.text)

/** An app message of a type the web client cannot show: the generic appmsg with its title. */
export const unknownAppDraft = (spec: Spec<"unknownApp">, u: Utterance): MessageDraft => {
  const xml = appMessage(u, {
    children: [
      ["title", text(spec.title)],
      ...empty("des", "action"),
      ["type", String(spec.appMsgType)],
      ["showtype", "0"],
      ...empty("content", "url", "lowurl"),
      appAttach(u.msgId.toString(), false),
      ["extinfo", ""],
    ],
  })
  return appDraft(spec.appMsgType, spec.title, xml)
}
