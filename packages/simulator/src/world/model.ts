/** The simulator's world in its own terms: stable wxids, never the session-scoped `@` names. */

export const HOME_HOSTS = [
  "wx.qq.com",
  "wx2.qq.com",
  "wx8.qq.com",
  "web.wechat.com",
  "web2.wechat.com",
] as const
export type HomeHost = (typeof HOME_HOSTS)[number]

export interface Person {
  readonly wxid: string
  uin: number
  nickName: string
  sex: 0 | 1 | 2
  signature: string
  province: string
  city: string
  alias: string
  /** 0 for people; `& 8` marks official accounts (8 personal, 24 brand, 56 the WeChat team). */
  verifyFlag: number
  /** Bytes served by webwxgeticon. */
  avatar?: Uint8Array
}

export interface FriendLink {
  remarkName: string
  /** ContactFlag bits: 0x1 contact, 0x2 chat contact, 0x200 muted, 0x800 pinned. */
  contactFlag: number
}

/** CONTACTFLAG_TOPCONTACT: the contact or room is pinned to the top of the chat list. */
export const PINNED_CONTACT_FLAG = 0x800

export interface GroupMember {
  readonly wxid: string
  displayName: string
}

export interface Group {
  readonly roomId: string
  topic: string
  owner: string
  members: Array<GroupMember>
  readonly encryChatRoomId: string
}

/** What a message carries on the wire apart from ids, routing and the group prefix. */
export interface MessageDraft {
  readonly MsgType: number
  /** The escaped wire form, without the `@sender:<br/>` prefix of group messages. */
  readonly Content: string
  readonly Status?: number
  readonly ImgStatus?: number
  readonly VoiceLength?: number
  readonly PlayLength?: number
  readonly FileName?: string
  readonly FileSize?: string
  readonly MediaId?: string
  readonly Url?: string
  readonly AppMsgType?: number
  readonly StatusNotifyCode?: number
  /** wxids, rendered as a comma list of this session's UserNames. */
  readonly StatusNotifyUserNames?: ReadonlyArray<string>
  readonly RecommendInfo?: RecommendInfo
  readonly AppInfo?: { readonly AppID: string; readonly Type: number }
  readonly HasProductId?: number
  readonly Ticket?: string
  readonly ImgHeight?: number
  readonly ImgWidth?: number
  readonly SubMsgType?: number
  readonly OriContent?: string
  readonly EncryFileName?: string
  /** Bytes a client can download for this message (image, voice, video, file). */
  readonly media?: MessageMedia
}

export interface RecommendInfo {
  /** A wxid; rendered as this session's UserName for it. */
  readonly wxid: string
  readonly NickName: string
  readonly Province: string
  readonly City: string
  readonly Content: string
  readonly Signature: string
  readonly Alias: string
  readonly Scene: number
  readonly VerifyFlag: number
  readonly AttrStatus: number
  readonly Sex: number
  readonly Ticket: string
  readonly OpCode: number
}

export interface MessageMedia {
  readonly mime: string
  readonly full: Uint8Array
  readonly thumb?: Uint8Array
}

export interface WorldMessage {
  readonly msgId: bigint
  /** wxid of the sender as the receiving account sees it (the room for group messages). */
  readonly from: string
  readonly to: string
  /** For messages in a group: the member who spoke (rendered as the `@id:<br/>` prefix). */
  readonly speaker?: string
  readonly createTime: number
  readonly draft: MessageDraft
}

export type LogEntry =
  | { readonly seq: number; readonly type: "message"; readonly message: WorldMessage }
  | { readonly seq: number; readonly type: "modContact"; readonly wxid: string }
  | { readonly seq: number; readonly type: "delContact"; readonly wxid: string }

export type SessionEndCode = 1100 | 1101 | 1102

/** Everything an account did through the web client, kept for tests to inspect. */
export type Activity =
  | {
      readonly type: "sent"
      readonly at: number
      readonly msgId: string
      readonly localId: string
      readonly to: string
      readonly msgType: number
      readonly content: string
      readonly mediaId?: string
      readonly endpoint: string
    }
  | {
      readonly type: "uploaded"
      readonly at: number
      readonly mediaId: string
      readonly fileName: string
      readonly size: number
      readonly md5: string
      readonly mediatype: string
    }
  | { readonly type: "revoked"; readonly at: number; readonly msgId: string; readonly to: string }
  | { readonly type: "remark"; readonly at: number; readonly wxid: string; readonly remarkName: string }
  | { readonly type: "pin"; readonly at: number; readonly wxid: string; readonly pinned: boolean }
  | { readonly type: "verify"; readonly at: number; readonly wxid: string; readonly opcode: number }
  | {
      readonly type: "group"
      readonly at: number
      readonly op: "create" | "addmember" | "invitemember" | "delmember" | "modtopic"
      readonly roomId: string
      readonly members: ReadonlyArray<string>
      readonly topic?: string
    }
  | { readonly type: "statusnotify"; readonly at: number; readonly code: number; readonly to: string }
  | { readonly type: "logout"; readonly at: number }
