import { Schema } from "effect"
import { RawMessage } from "./RawMessage.js"

/** What every message carries besides its kind. */
const envelope = {
  /** `MsgId`: the canonical id, what revokes and downloads name. */
  id: Schema.String,
  /** `NewMsgId` with every digit (the same value as `MsgId` today); `MsgId` when absent. */
  newMsgId: Schema.String,
  from: Schema.String,
  to: Schema.String,
  /** The conversation's UserName: the room for group messages, else the peer. */
  chat: Schema.String,
  /** Who spoke: the member for group messages (from the `@sender:<br/>` prefix), else `from`. */
  sender: Schema.String,
  isGroup: Schema.Boolean,
  /** Sent by this account (from its phone or another client). */
  isSelf: Schema.Boolean,
  /** Unix seconds. */
  createTime: Schema.Number,
  raw: RawMessage,
}
export const Envelope = Schema.Struct(envelope)
export type Envelope = typeof Envelope.Type

export const Text = Schema.TaggedStruct("Text", {
  ...envelope,
  text: Schema.String,
  /** Names @-mentioned in a group, as written (the web protocol does not say whom they resolve to). */
  mentions: Schema.Array(Schema.String),
  /** One of the mentions is one of the names this account goes by. */
  mentionsSelf: Schema.Boolean,
})
export type Text = typeof Text.Type

export const Image = Schema.TaggedStruct("Image", {
  ...envelope,
  /** The thumbnail's size (`ImgWidth`/`ImgHeight`). */
  width: Schema.Number,
  height: Schema.Number,
  hasThumb: Schema.Boolean,
  md5: Schema.String,
  /** Bytes of the full picture. */
  length: Schema.Number,
})
export type Image = typeof Image.Type

export const Voice = Schema.TaggedStruct("Voice", { ...envelope, durationMs: Schema.Number })
export type Voice = typeof Voice.Type

/** A video (MsgType 43) or a short "sight" video (62). */
export const Video = Schema.TaggedStruct("Video", {
  ...envelope,
  seconds: Schema.Number,
  /** The thumbnail's size. */
  width: Schema.Number,
  height: Schema.Number,
})
export type Video = typeof Video.Type

export const Emoticon = Schema.TaggedStruct("Emoticon", {
  ...envelope,
  /** What `webwxsendemoticon` takes to send it again; `""` for store stickers. */
  md5: Schema.String,
  cdnUrl: Schema.String,
  /** A sticker from the sticker store: the web gets no details of it. */
  isStore: Schema.Boolean,
})
export type Emoticon = typeof Emoticon.Type

export const Location = Schema.TaggedStruct("Location", {
  ...envelope,
  label: Schema.String,
  poiName: Schema.String,
  lat: Schema.Number,
  lng: Schema.Number,
  /** The map link (`Url`), entity-decoded. */
  url: Schema.String,
})
export type Location = typeof Location.Type

export const Card = Schema.TaggedStruct("Card", {
  ...envelope,
  /** The session-scoped `@…` name of the person or account on the card. */
  userName: Schema.String,
  nickName: Schema.String,
  alias: Schema.String,
  isOfficial: Schema.Boolean,
})
export type Card = typeof Card.Type

/** A shared link (app message 5; music 3 and video links 4 read the same way). */
export const Link = Schema.TaggedStruct("Link", {
  ...envelope,
  title: Schema.String,
  description: Schema.String,
  url: Schema.String,
  /** The app or account it was shared from. */
  source: Schema.String,
  thumbUrl: Schema.String,
})
export type Link = typeof Link.Type

export const File = Schema.TaggedStruct("File", {
  ...envelope,
  fileName: Schema.String,
  size: Schema.Number,
  /** With `encryFileName`, what webwxgetmedia takes. */
  mediaId: Schema.String,
  encryFileName: Schema.String,
  extension: Schema.String,
})
export type File = typeof File.Type

export const Transfer = Schema.TaggedStruct("Transfer", {
  ...envelope,
  /** As shown, with the currency sign: "￥0.10". */
  amount: Schema.String,
  memo: Schema.String,
  /** 1: a transfer to be received; other values are not documented. */
  paySubType: Schema.Number,
  transferId: Schema.String,
})
export type Transfer = typeof Transfer.Type

/** Red packets cannot be opened on the web: a notice (10000) or an app message (49/2001) says one came. */
export const RedPacket = Schema.TaggedStruct("RedPacket", {
  ...envelope,
  text: Schema.String,
  /** This account sent it (from its phone). */
  sent: Schema.Boolean,
})
export type RedPacket = typeof RedPacket.Type

export const MiniProgram = Schema.TaggedStruct("MiniProgram", {
  ...envelope,
  title: Schema.String,
  appId: Schema.String,
  pagePath: Schema.String,
  sourceName: Schema.String,
  /** The mini program's `gh_…@app` account. */
  sourceUserName: Schema.String,
})
export type MiniProgram = typeof MiniProgram.Type

export const QuotedMessage = Schema.Struct({
  /** The quoted message's `MsgId`. */
  msgId: Schema.String,
  /** Who wrote the quoted message (a wxid, not a session name). */
  fromUserName: Schema.String,
  displayName: Schema.String,
  /** Its content as the quote carries it (the inner XML for app messages). */
  content: Schema.String,
  /** Its MsgType. */
  type: Schema.Number,
})
export type QuotedMessage = typeof QuotedMessage.Type

/** A reply that quotes an earlier message (app message 57). */
export const Quote = Schema.TaggedStruct("Quote", {
  ...envelope,
  text: Schema.String,
  quoted: QuotedMessage,
})
export type Quote = typeof Quote.Type

export const FriendRequest = Schema.TaggedStruct("FriendRequest", {
  ...envelope,
  /** With `ticket`, what accepting takes (webwxverifyuser). */
  userName: Schema.String,
  nickName: Schema.String,
  /** The requester's real wxid, when the request names it. */
  wxid: Schema.String,
  greeting: Schema.String,
  ticket: Schema.String,
  /** How they found this account (3 by WeChat ID, 14 from a group, 17 from a card…). */
  scene: Schema.Number,
  alias: Schema.String,
  province: Schema.String,
  city: Schema.String,
  /** 0 unknown, 1 male, 2 female. */
  sex: Schema.Number,
})
export type FriendRequest = typeof FriendRequest.Type

/** Someone named in a notice; "你"/"You" is this account. */
export const Party = Schema.Struct({ name: Schema.String, isSelf: Schema.Boolean })
export type Party = typeof Party.Type

/** What a group or friendship notice says happened, read from its text (zh or en). */
export const NoticeEvent = Schema.Union(
  Schema.TaggedStruct("Joined", {
    inviter: Party,
    invitees: Schema.Array(Party),
    viaQrCode: Schema.Boolean,
  }),
  Schema.TaggedStruct("Removed", { removed: Schema.Array(Party), by: Party }),
  Schema.TaggedStruct("Renamed", { topic: Schema.String, by: Party }),
  Schema.TaggedStruct("FriendAdded", {
    name: Schema.String,
    addedBy: Schema.Literal("self", "peer"),
  }),
)
export type NoticeEvent = typeof NoticeEvent.Type

/** A server notice (MsgType 10000): the text, and what it means when it is one we know. */
export const SystemNotice = Schema.TaggedStruct("SystemNotice", {
  ...envelope,
  text: Schema.String,
  event: Schema.optional(NoticeEvent),
})
export type SystemNotice = typeof SystemNotice.Type

export const Revoke = Schema.TaggedStruct("Revoke", {
  ...envelope,
  /** The revoked message's `MsgId` (`"0"`: the last message this account sent). */
  revokedMsgId: Schema.String,
  /** What to show instead, e.g. `"Alice" 撤回了一条消息`. */
  replaceText: Schema.String,
})
export type Revoke = typeof Revoke.Type

/** The phone's state (MsgType 51): 2 opened a chat, 4 recent chats after login… */
export const StatusNotify = Schema.TaggedStruct("StatusNotify", {
  ...envelope,
  code: Schema.Number,
  /** Session names, in the order the server listed them. */
  userNames: Schema.Array(Schema.String),
  /** The same chats' real wxids when the content lists them (same order). */
  wxids: Schema.Array(Schema.String),
})
export type StatusNotify = typeof StatusNotify.Type

/** Anything not read as one of the kinds above; `raw` keeps all the server said. */
export const Unknown = Schema.TaggedStruct("Unknown", {
  ...envelope,
  msgType: Schema.Number,
  appMsgType: Schema.Number,
  reason: Schema.String,
})
export type Unknown = typeof Unknown.Type

export const Message = Schema.Union(
  Text,
  Image,
  Voice,
  Video,
  Emoticon,
  Location,
  Card,
  Link,
  File,
  Transfer,
  RedPacket,
  MiniProgram,
  Quote,
  FriendRequest,
  SystemNotice,
  Revoke,
  StatusNotify,
  Unknown,
)
export type Message = typeof Message.Type

/** Gives up on an entry's kind, keeping its envelope (and raw entry) and saying why. */
export const unknown = (envelope: Envelope, reason: string): Unknown => ({
  _tag: "Unknown",
  ...envelope,
  msgType: envelope.raw.MsgType,
  appMsgType: envelope.raw.AppMsgType,
  reason,
})
