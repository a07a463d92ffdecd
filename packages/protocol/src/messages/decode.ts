import { Either } from "effect"
import { decodeEntities } from "../text/entities.js"
import { readable } from "../text/readable.js"
import type { XmlNode } from "../wire/xml.js"
import { AppMsgType, decodeApp } from "./appmsg.js"
import {
  contentXml,
  field,
  numberField,
  splitGroupPrefix,
  toNumber,
  unescapeText,
  xmlPath,
} from "./content.js"
import { findMentions, mentionsAnyOf } from "./mentions.js"
import { unknown, type Envelope, type Message } from "./Message.js"
import { noticeEvent, redPacketNotice } from "./notices.js"
import { readRawMessage, type RawMessage } from "./RawMessage.js"

export interface DecodeContext {
  /** This account's session UserName (`@…`). */
  readonly selfUserName: string
  /** Names this account goes by in groups (nickname, group display names), to tell mentions of it. */
  readonly selfDisplayNames?: ReadonlyArray<string>
}

/** MsgType values (OFF:7510-7530). */
const MsgType = {
  text: 1,
  image: 3,
  voice: 34,
  friendRequest: 37,
  card: 42,
  video: 43,
  emoticon: 47,
  location: 48,
  app: 49,
  statusNotify: 51,
  microVideo: 62,
  system: 10000,
  revoked: 10002,
} as const

const isRoom = (userName: string): boolean =>
  userName.startsWith("@@") || userName.endsWith("@chatroom")

/** Ids and routing, and the Content without its group prefix. */
const envelopeOf = (
  raw: RawMessage,
  context: DecodeContext,
): { envelope: Envelope; body: string } => {
  const from = raw.FromUserName
  const to = raw.ToUserName
  const isSelf = from === context.selfUserName
  // Notices come from the room itself, without a prefix, and their text could look like one.
  const prefixed = isRoom(from) && raw.MsgType !== MsgType.system
  const { sender, body } = prefixed
    ? splitGroupPrefix(raw.Content)
    : { sender: undefined, body: raw.Content }
  return {
    body,
    envelope: {
      id: raw.MsgId,
      newMsgId: raw.NewMsgId || raw.MsgId,
      from,
      to,
      chat: isRoom(from) ? from : isRoom(to) || isSelf ? to : from,
      sender: sender ?? from,
      isGroup: isRoom(from) || isRoom(to),
      isSelf,
      createTime: raw.CreateTime,
      raw,
    },
  }
}

/** The `<msg>` of a content whose XML only adds details to the envelope: undefined when unreadable. */
const detailsOf = (wire: string): XmlNode | undefined =>
  xmlPath(Either.getOrUndefined(contentXml(wire)), "msg")

const text = (envelope: Envelope, body: string, context: DecodeContext): Message => {
  const value = unescapeText(body)
  const mentions = envelope.isGroup ? findMentions(value) : []
  const selfNames = (context.selfDisplayNames ?? []).map(readable)
  return {
    _tag: "Text",
    ...envelope,
    text: value,
    mentions,
    mentionsSelf: envelope.isGroup && mentionsAnyOf(value, mentions, selfNames),
  }
}

/** `Url` is `http://apis.map.qq.com/uri/v1/geocoder?coord=<lat>,<lng>`. */
const COORD = /[?&]coord=(-?[\d.]+),(-?[\d.]+)/

/**
 * A location: `<label>:<br/><map image link>` in Content (after a group's own prefix), the map link in
 * `Url`, and the exact point in `OriContent` when the server sends it.
 */
const location = (envelope: Envelope, body: string): Message => {
  const raw = envelope.raw
  const split = body.lastIndexOf(":<br/>")
  const point = xmlPath(detailsOf(raw.OriContent), "location")
  const url = decodeEntities(raw.Url)
  const coord = COORD.exec(url)
  const lat = point ? numberField(point, "x") : toNumber(coord?.[1] ?? "")
  const lng = point ? numberField(point, "y") : toNumber(coord?.[2] ?? "")
  if (!point && !coord) return unknown(envelope, "location without coordinates")
  return {
    _tag: "Location",
    ...envelope,
    label: field(point, "label") || (split === -1 ? "" : unescapeText(body.slice(0, split))),
    poiName: field(point, "poiname"),
    lat,
    lng,
    url,
  }
}

const image = (envelope: Envelope, body: string): Message =>
  Either.match(contentXml(body), {
    onLeft: (reason) => unknown(envelope, `image XML: ${reason}`),
    onRight: (root) => {
      const img = xmlPath(root, "msg", "img")
      if (!img) return unknown(envelope, "image without <img>")
      return {
        _tag: "Image",
        ...envelope,
        width: envelope.raw.ImgWidth,
        height: envelope.raw.ImgHeight,
        hasThumb: envelope.raw.ImgStatus === 2,
        md5: field(img, "md5"),
        length: numberField(img, "length"),
      }
    },
  })

/** The envelope says it all; the XML is read only when an older server left the length out. */
const voice = (envelope: Envelope, body: string): Message => ({
  _tag: "Voice",
  ...envelope,
  durationMs:
    envelope.raw.VoiceLength || numberField(xmlPath(detailsOf(body), "voicemsg"), "voicelength"),
})

const video = (envelope: Envelope, body: string): Message => ({
  _tag: "Video",
  ...envelope,
  seconds:
    envelope.raw.PlayLength || numberField(xmlPath(detailsOf(body), "videomsg"), "playlength"),
  width: envelope.raw.ImgWidth,
  height: envelope.raw.ImgHeight,
})

/** Store stickers arrive with `HasProductId` 1 and no content; custom ones carry `<emoji md5 cdnurl>`. */
const emoticon = (envelope: Envelope, body: string): Message => {
  const isStore = envelope.raw.HasProductId === 1
  if (body.trim() === "") return { _tag: "Emoticon", ...envelope, md5: "", cdnUrl: "", isStore }
  return Either.match(contentXml(body), {
    onLeft: (reason) => unknown(envelope, `emoticon XML: ${reason}`),
    onRight: (root) => {
      const emoji = xmlPath(root, "msg", "emoji")
      if (!emoji) return unknown(envelope, "emoticon without <emoji>")
      return {
        _tag: "Emoticon",
        ...envelope,
        md5: field(emoji, "md5"),
        cdnUrl: field(emoji, "cdnurl"),
        isStore,
      }
    },
  })
}

const card = (envelope: Envelope, body: string): Message => {
  const info = envelope.raw.RecommendInfo
  const details = detailsOf(body)
  const userName = info.UserName || field(details, "username")
  if (userName === "") return unknown(envelope, "card names nobody")
  return {
    _tag: "Card",
    ...envelope,
    userName,
    nickName: field(details, "nickname") || readable(info.NickName),
    alias: field(details, "alias") || info.Alias,
    isOfficial:
      (info.VerifyFlag & 8) !== 0 ||
      (numberField(details, "certflag") & 8) !== 0 ||
      field(details, "username").startsWith("gh_"),
  }
}

const friendRequest = (envelope: Envelope, body: string): Message => {
  const info = envelope.raw.RecommendInfo
  const details = detailsOf(body)
  if (info.UserName === "")
    return unknown(envelope, "friend request without RecommendInfo.UserName")
  return {
    _tag: "FriendRequest",
    ...envelope,
    userName: info.UserName,
    nickName: readable(info.NickName) || field(details, "fromnickname"),
    wxid: field(details, "fromusername"),
    greeting: readable(info.Content) || field(details, "content"),
    ticket: info.Ticket || field(details, "ticket"),
    scene: info.Scene || numberField(details, "scene"),
    alias: field(details, "alias") || info.Alias,
    province: field(details, "province") || readable(info.Province),
    city: field(details, "city") || readable(info.City),
    sex: field(details, "sex") === "" ? info.Sex : numberField(details, "sex"),
  }
}

/** Links in notices (`<a href="weixin://…">`, `<_wc_custom_link_>`) are shown as their text. */
const LINK_TAG = /<(a|_wc_custom_link_)\b[^>]*>(.*?)<\/\1>/g

const system = (envelope: Envelope, body: string): Message => {
  const value = unescapeText(body).replace(LINK_TAG, "$2").trimEnd()
  const redPacket = redPacketNotice(value)
  if (redPacket) return { _tag: "RedPacket", ...envelope, text: value, sent: redPacket === "sent" }
  const event = noticeEvent(value)
  return event
    ? { _tag: "SystemNotice", ...envelope, text: value, event }
    : { _tag: "SystemNotice", ...envelope, text: value }
}

const revoke = (envelope: Envelope, body: string): Message =>
  Either.match(contentXml(body), {
    onLeft: (reason) => unknown(envelope, `revoke XML: ${reason}`),
    onRight: (root) => {
      const sysmsg = xmlPath(root, "sysmsg")
      const revokemsg = xmlPath(sysmsg, "revokemsg")
      if (!revokemsg)
        return unknown(envelope, `sysmsg of type "${field(sysmsg, "type")}" is not decoded`)
      return {
        _tag: "Revoke",
        ...envelope,
        revokedMsgId: field(revokemsg, "msgid"),
        replaceText: field(revokemsg, "replacemsg"),
      }
    },
  })

const list = (commaList: string): ReadonlyArray<string> =>
  commaList.split(",").filter((name) => name !== "")

const statusNotify = (envelope: Envelope, body: string): Message => ({
  _tag: "StatusNotify",
  ...envelope,
  code: envelope.raw.StatusNotifyCode,
  userNames: list(envelope.raw.StatusNotifyUserName),
  wxids: list(field(xmlPath(detailsOf(body), "op"), "username")),
})

const byType = (envelope: Envelope, body: string, context: DecodeContext): Message => {
  const raw = envelope.raw
  switch (raw.MsgType) {
    case MsgType.text:
      // Locations are texts with SubMsgType 48; the official client reroutes texts that are red packets.
      if (raw.SubMsgType === MsgType.location) return location(envelope, body)
      return raw.AppMsgType === AppMsgType.redPacket
        ? decodeApp(envelope, body)
        : text(envelope, body, context)
    case MsgType.location:
      return location(envelope, body)
    case MsgType.image:
      return image(envelope, body)
    case MsgType.voice:
      return voice(envelope, body)
    case MsgType.video:
    case MsgType.microVideo:
      return video(envelope, body)
    case MsgType.emoticon:
      return emoticon(envelope, body)
    case MsgType.card:
      return card(envelope, body)
    case MsgType.app:
      return decodeApp(envelope, body)
    case MsgType.friendRequest:
      return friendRequest(envelope, body)
    case MsgType.statusNotify:
      return statusNotify(envelope, body)
    case MsgType.system:
      return system(envelope, body)
    case MsgType.revoked:
      return revoke(envelope, body)
    default:
      return unknown(envelope, `MsgType ${raw.MsgType} is not decoded`)
  }
}

/** One `AddMsgList` entry as a message. Never fails: what cannot be read is `Unknown`, with the reason. */
export const decodeMessage = (entry: unknown, context: DecodeContext): Message => {
  const { raw, issues } = readRawMessage(entry)
  const { envelope, body } = envelopeOf(raw, context)
  if (issues !== undefined) return unknown(envelope, `unreadable entry: ${issues}`)
  if (raw.MsgId === "") return unknown(envelope, "no MsgId")
  return byType(envelope, body, context)
}

/** A whole `AddMsgList`: one message per entry, in order; an unreadable entry is an `Unknown`, never a failure. */
export const decodeBatch = (
  entries: ReadonlyArray<unknown>,
  context: DecodeContext,
): ReadonlyArray<Message> => entries.map((entry) => decodeMessage(entry, context))
