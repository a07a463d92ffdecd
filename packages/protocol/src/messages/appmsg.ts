import { Either } from "effect"
import { decodeEntities } from "../text/entities.js"
import type { XmlNode } from "../wire/xml.js"
import { contentXml, field, numberField, toNumber, unescapeText, xmlPath } from "./content.js"
import { unknown, type Envelope, type Message } from "./Message.js"

/** AppMsgType values (OFF:7538-7556, plus the later ones other web clients read). */
export const AppMsgType = {
  music: 3,
  videoLink: 4,
  url: 5,
  attach: 6,
  transfer: 2000,
  redPacket: 2001,
  miniProgram: 33,
  miniProgramApp: 36,
  quote: 57,
} as const

/** The parts of an app message's XML each kind reads. */
interface App {
  readonly msg: XmlNode | undefined
  readonly appmsg: XmlNode
}

const link = (envelope: Envelope, { msg, appmsg }: App): Message => ({
  _tag: "Link",
  ...envelope,
  title: field(appmsg, "title") || unescapeText(envelope.raw.FileName),
  description: field(appmsg, "des"),
  url: field(appmsg, "url") || decodeEntities(envelope.raw.Url),
  source: field(xmlPath(msg, "appinfo"), "appname") || field(appmsg, "sourcedisplayname"),
  thumbUrl: field(appmsg, "thumburl"),
})

const file = (envelope: Envelope, { appmsg }: App): Message => {
  const attach = xmlPath(appmsg, "appattach")
  const fileName = field(appmsg, "title") || unescapeText(envelope.raw.FileName)
  return {
    _tag: "File",
    ...envelope,
    fileName,
    size: toNumber(envelope.raw.FileSize) || numberField(attach, "totallen"),
    mediaId: envelope.raw.MediaId,
    encryFileName: envelope.raw.EncryFileName,
    extension: field(attach, "fileext") || (/\.([^.]+)$/.exec(fileName)?.[1] ?? ""),
  }
}

const transfer = (envelope: Envelope, { appmsg }: App): Message => {
  const pay = xmlPath(appmsg, "wcpayinfo")
  if (!pay) return unknown(envelope, "transfer without <wcpayinfo>")
  return {
    _tag: "Transfer",
    ...envelope,
    amount: field(pay, "feedesc"),
    memo: field(pay, "pay_memo"),
    paySubType: numberField(pay, "paysubtype"),
    transferId: field(pay, "transferid"),
  }
}

const redPacket = (envelope: Envelope, { appmsg }: App): Message => ({
  _tag: "RedPacket",
  ...envelope,
  text: field(appmsg, "des") || field(appmsg, "title"),
  sent: envelope.isSelf,
})

const miniProgram = (envelope: Envelope, { msg, appmsg }: App): Message => {
  const weapp = xmlPath(appmsg, "weappinfo")
  return {
    _tag: "MiniProgram",
    ...envelope,
    title: field(appmsg, "title") || unescapeText(envelope.raw.FileName),
    appId: field(weapp, "appid") || field(appmsg, "appid"),
    pagePath: field(weapp, "pagepath"),
    sourceName: field(appmsg, "sourcedisplayname") || field(xmlPath(msg, "appinfo"), "appname"),
    sourceUserName: field(appmsg, "sourceusername") || field(weapp, "username"),
  }
}

const quote = (envelope: Envelope, { appmsg }: App): Message => {
  const refer = xmlPath(appmsg, "refermsg")
  if (!refer) return unknown(envelope, "quote without <refermsg>")
  return {
    _tag: "Quote",
    ...envelope,
    text: field(appmsg, "title"),
    quoted: {
      msgId: field(refer, "svrid"),
      // In groups `fromusr` is the room and `chatusr` the member who wrote it.
      fromUserName: field(refer, "chatusr") || field(refer, "fromusr"),
      displayName: field(refer, "displayname"),
      content: field(refer, "content"),
      type: numberField(refer, "type"),
    },
  }
}

const READERS: ReadonlyMap<number, (envelope: Envelope, app: App) => Message> = new Map([
  [AppMsgType.music, link],
  [AppMsgType.videoLink, link],
  [AppMsgType.url, link],
  [AppMsgType.attach, file],
  [AppMsgType.transfer, transfer],
  [AppMsgType.redPacket, redPacket],
  [AppMsgType.miniProgram, miniProgram],
  [AppMsgType.miniProgramApp, miniProgram],
  [AppMsgType.quote, quote],
])

/** An app message (MsgType 49): its kind is `AppMsgType`, or the XML's `<type>` when the envelope has none. */
export const decodeApp = (envelope: Envelope, body: string): Message =>
  Either.match(contentXml(body), {
    onLeft: (reason) => unknown(envelope, `app message XML: ${reason}`),
    onRight: (root) => {
      const msg = xmlPath(root, "msg")
      const appmsg = xmlPath(msg ?? root, "appmsg")
      if (!appmsg) return unknown(envelope, "app message without <appmsg>")
      const type = envelope.raw.AppMsgType || numberField(appmsg, "type")
      const read = READERS.get(type)
      return read
        ? read(envelope, { msg, appmsg })
        : unknown(envelope, `app message type ${type} is not decoded`)
    },
  })
