import { Either, type ParseResult, Schema } from "effect"
import { readable } from "../text/readable.js"

const text = Schema.optionalWith(Schema.String, { default: () => "" })
const count = Schema.optionalWith(Schema.Number, { default: () => 0 })

/** A room member as MemberList carries it (batchgetcontact, createchatroom, addmember, ModContactList). */
export const WireMember = Schema.Struct({
  Uin: count,
  UserName: Schema.String,
  NickName: text,
  DisplayName: text,
  AttrStatus: count,
  MemberStatus: count,
  KeyWord: text,
})
export type WireMember = typeof WireMember.Type

/**
 * A contact as webwxinit, webwxgetcontact and webwxbatchgetcontact send it, or as webwxsync's
 * ModContactList sends it (a reduced key set, plus `ChatRoomOwner` for rooms): every field but
 * `UserName` may be missing.
 */
export const WireContact = Schema.Struct({
  UserName: Schema.String,
  NickName: text,
  RemarkName: text,
  HeadImgUrl: text,
  ContactFlag: count,
  VerifyFlag: count,
  MemberCount: count,
  MemberList: Schema.optionalWith(Schema.Array(WireMember), { default: () => [] }),
  Sex: count,
  Signature: text,
  Province: text,
  City: text,
  Alias: text,
  StarFriend: count,
  /** Rooms: 1 notifications on, 0 muted; absent in some lists. */
  Statues: Schema.optional(Schema.Number),
  OwnerUin: count,
  ChatRoomOwner: text,
  EncryChatRoomId: text,
  IsOwner: count,
})
export type WireContact = typeof WireContact.Type

/**
 * The official client's fixed accounts (duplicates removed), plus `notifymessage`, which wxBot
 * lists too: their UserName is their fixed name in every session, and no room can be created
 * with them.
 */
export const SPECIAL_USER_NAMES: ReadonlySet<string> = new Set([
  "newsapp",
  "fmessage",
  "filehelper",
  "weibo",
  "qqmail",
  "tmessage",
  "qmessage",
  "qqsync",
  "floatbottle",
  "lbsapp",
  "shakeapp",
  "medianote",
  "qqfriend",
  "readerapp",
  "blogapp",
  "facebookapp",
  "masssendapp",
  "meishiapp",
  "feedsapp",
  "voip",
  "blogappweixin",
  "weixin",
  "brandsessionholder",
  "weixinreminder",
  "wxid_novlwrv3lqwv11",
  "gh_22b87fa7cb3c",
  "officialaccounts",
  "notification_messages",
  "wxitil",
  "userexperience_alarm",
  "notifymessage",
])

/** The official client's room test: session names start with `@@`, real ids end with `@chatroom`. */
export const isRoomUserName = (userName: string): boolean => userName.startsWith("@@") || userName.endsWith("@chatroom")

const VERIFY_BIZ_BRAND = 0x8
const CONTACT_FLAG_STAR = 0x40
const CONTACT_FLAG_MUTED = 0x200
const CONTACT_FLAG_PINNED = 0x800

export type ContactKind = "person" | "group" | "official" | "special"
export type Sex = "unknown" | "male" | "female"

interface ContactCommon {
  readonly userName: string
  readonly nickName: string
  readonly remarkName: string
  /** What to call them: the remark if we gave one, else the nickname (a room's topic). */
  readonly displayName: string
  /** Path on the home host (`/cgi-bin/mmwebwx-bin/webwxgeticon?…`). */
  readonly headImgUrl: string
  readonly contactFlag: number
  readonly pinned: boolean
  readonly muted: boolean
}

export interface PersonContact extends ContactCommon {
  readonly kind: "person" | "official" | "special"
  readonly alias: string
  readonly sex: Sex
  readonly signature: string
  readonly province: string
  readonly city: string
  readonly verifyFlag: number
  readonly starred: boolean
}

export interface GroupMember {
  readonly userName: string
  /** 0 except in ModContactList. */
  readonly uin: number
  readonly nickName: string
  /** The name they gave themselves in this group ("" when unset). */
  readonly groupNickName: string
  /** Group nickname, else our remark for them, else their nickname. */
  readonly displayName: string
  /** In createchatroom/addmember answers: 4 they deleted us, 3 they blocked us. */
  readonly memberStatus: number
}

export interface GroupContact extends ContactCommon {
  readonly kind: "group"
  /** 0 in webwxgetcontact, whose rooms come without members: ask webwxbatchgetcontact. */
  readonly memberCount: number
  readonly members: ReadonlyArray<GroupMember>
  readonly ownerUin: number
  /** Only ModContactList names the owner (`ChatRoomOwner`). */
  readonly ownerUserName?: string
  readonly isOwner: boolean
  /** What member lookups and member avatars are keyed by; "" until the room was batch-fetched. */
  readonly encryChatRoomId: string
}

export type Contact = PersonContact | GroupContact

/** What decoding needs beyond the object itself. */
export interface DecodeContext {
  /** Who we are: ModContactList tells ownership only by the owner's name, batchgetcontact also by uin. */
  readonly self?: { readonly userName: string; readonly uin: number }
  /** Our remarks by UserName, which a member's name falls back to before their nickname. */
  readonly remarks?: ReadonlyMap<string, string>
}

export const isGroup = (contact: Contact): contact is GroupContact => contact.kind === "group"

const sexOf = (sex: number): Sex => (sex === 1 ? "male" : sex === 2 ? "female" : "unknown")

const kindOf = (wire: WireContact): ContactKind =>
  isRoomUserName(wire.UserName)
    ? "group"
    : SPECIAL_USER_NAMES.has(wire.UserName)
      ? "special"
      : (wire.VerifyFlag & VERIFY_BIZ_BRAND) !== 0
        ? "official"
        : "person"

export const memberFromWire = (wire: WireMember, context: DecodeContext = {}): GroupMember => {
  const nickName = readable(wire.NickName)
  const groupNickName = readable(wire.DisplayName)
  return {
    userName: wire.UserName,
    uin: wire.Uin,
    nickName,
    groupNickName,
    displayName: groupNickName || context.remarks?.get(wire.UserName) || nickName,
    memberStatus: wire.MemberStatus,
  }
}

/** An unnamed room is called by its members, as the official client does (ourselves left out). */
const unnamedRoomName = (members: ReadonlyArray<GroupMember>, self: string | undefined): string =>
  members
    .filter((member) => member.userName !== self)
    .map((member) => member.displayName)
    .join("、")

const isOwnedBySelf = (wire: WireContact, self: DecodeContext["self"]): boolean =>
  wire.IsOwner === 1 ||
  (self !== undefined &&
    ((wire.ChatRoomOwner !== "" && wire.ChatRoomOwner === self.userName) ||
      (wire.OwnerUin !== 0 && wire.OwnerUin === self.uin)))

export const fromWire = (wire: WireContact, context: DecodeContext = {}): Contact => {
  const nickName = readable(wire.NickName)
  const remarkName = readable(wire.RemarkName)
  const kind = kindOf(wire)
  const common = {
    userName: wire.UserName,
    nickName,
    remarkName,
    headImgUrl: wire.HeadImgUrl,
    contactFlag: wire.ContactFlag,
    pinned: (wire.ContactFlag & CONTACT_FLAG_PINNED) !== 0,
  }
  if (kind === "group") {
    const members = wire.MemberList.map((member) => memberFromWire(member, context))
    return {
      ...common,
      kind,
      displayName: remarkName || nickName || unnamedRoomName(members, context.self?.userName),
      muted: wire.Statues === 0,
      memberCount: wire.MemberCount,
      members,
      ownerUin: wire.OwnerUin,
      ...(wire.ChatRoomOwner === "" ? {} : { ownerUserName: wire.ChatRoomOwner }),
      isOwner: isOwnedBySelf(wire, context.self),
      encryChatRoomId: wire.EncryChatRoomId,
    }
  }
  return {
    ...common,
    kind,
    displayName: remarkName || nickName,
    muted: (wire.ContactFlag & CONTACT_FLAG_MUTED) !== 0,
    alias: wire.Alias,
    sex: sexOf(wire.Sex),
    signature: readable(wire.Signature),
    province: readable(wire.Province),
    city: readable(wire.City),
    verifyFlag: wire.VerifyFlag,
    starred: wire.StarFriend === 1 || (wire.ContactFlag & CONTACT_FLAG_STAR) !== 0,
  }
}

/** Decodes one contact object of any list (init, getcontact, batchgetcontact, ModContactList). */
export const decodeContact = (
  raw: unknown,
  context: DecodeContext = {},
): Either.Either<Contact, ParseResult.ParseError> =>
  Either.map(Schema.decodeUnknownEither(WireContact)(raw), (wire) => fromWire(wire, context))
