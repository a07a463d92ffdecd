import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { decodeContact, type Contact, type GroupContact, type PersonContact } from "../src/contacts/Contact.js"

const decoded = (raw: unknown, context = {}): Contact => {
  const result = decodeContact(raw, context)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}
const person = (raw: unknown): PersonContact => {
  const contact = decoded(raw)
  if (contact.kind === "group") throw new Error("expected a person")
  return contact
}
const group = (raw: unknown, context = {}): GroupContact => {
  const contact = decoded(raw, context)
  if (contact.kind !== "group") throw new Error("expected a group")
  return contact
}

/** A friend from webwxgetcontact, in the 2016 capture's key order. */
const friend = {
  Uin: 0,
  UserName: "@f1a2b3c4d5e6f708192a3b4c5d6e7f80",
  NickName: '吃圡死月不會碼代碼<span class="emoji emoji1f31b"></span>',
  HeadImgUrl: "/cgi-bin/mmwebwx-bin/webwxgeticon?seq=620247765&username=@f1a2…&skey=@crypt_8e4ad7fa_27",
  ContactFlag: 2051,
  MemberCount: 0,
  MemberList: [],
  RemarkName: "",
  HideInputBarFlag: 0,
  Sex: 2,
  Signature: 'Tom &amp; Jerry<span class="emoji emoji2764"></span>',
  VerifyFlag: 0,
  OwnerUin: 0,
  PYInitial: "CTSYBHMDM",
  PYQuanPin: "chitusiyuebuhuimadaima",
  RemarkPYInitial: "",
  RemarkPYQuanPin: "",
  StarFriend: 0,
  AppAccountFlag: 0,
  Statues: 0,
  AttrStatus: 33656871,
  Province: "广东",
  City: "深圳",
  Alias: "",
  SnsFlag: 17,
  UniFriend: 0,
  DisplayName: "",
  ChatRoomId: 0,
  KeyWord: "che",
  EncryChatRoomId: "",
  IsOwner: 0,
}

/** A room from webwxbatchgetcontact, shaped as the W4U capture (家庭). */
const room = {
  Uin: 0,
  UserName: "@@0cf4dbf1dd0f2f6a6f5a3d0bcbd28c2a9bbd8e0e2f0b63b6ebc44e1b2cbf8d19",
  NickName: "家庭 &lt;3",
  HeadImgUrl: "/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=0&username=@@0cf4…&skey=",
  ContactFlag: 3,
  MemberCount: 3,
  MemberList: [
    {
      Uin: 0,
      UserName: "@2ea0self",
      NickName: "Me",
      AttrStatus: 98407,
      PYInitial: "",
      PYQuanPin: "",
      RemarkPYInitial: "",
      RemarkPYQuanPin: "",
      MemberStatus: 0,
      DisplayName: "",
      KeyWord: "me_",
    },
    {
      Uin: 0,
      UserName: "@2ea0mom",
      NickName: 'Mom<span class="emoji emoji1f1e81f1f3"></span>',
      AttrStatus: 0,
      PYInitial: "",
      PYQuanPin: "",
      RemarkPYInitial: "",
      RemarkPYQuanPin: "",
      MemberStatus: 0,
      DisplayName: '妈妈<span class="emoji emoji1f639"></span',
      KeyWord: "mom",
    },
    {
      Uin: 0,
      UserName: "@2ea0dad",
      NickName: "Dad &amp; Co",
      AttrStatus: 0,
      PYInitial: "",
      PYQuanPin: "",
      RemarkPYInitial: "",
      RemarkPYQuanPin: "",
      MemberStatus: 0,
      DisplayName: "",
      KeyWord: "dad",
    },
  ],
  RemarkName: "",
  HideInputBarFlag: 0,
  Sex: 0,
  Signature: "",
  VerifyFlag: 0,
  OwnerUin: 155217200,
  PYInitial: "JT",
  PYQuanPin: "jiating",
  RemarkPYInitial: "",
  RemarkPYQuanPin: "",
  StarFriend: 0,
  AppAccountFlag: 0,
  Statues: 1,
  AttrStatus: 0,
  Province: "",
  City: "",
  Alias: "",
  SnsFlag: 0,
  UniFriend: 0,
  DisplayName: "",
  ChatRoomId: 0,
  KeyWord: "",
  EncryChatRoomId: "@4f120905f9814dc8f5438f905b019bb6",
  IsOwner: 0,
}

describe("decodeContact", () => {
  it("decodes a friend: emoji nickname, entities in the signature, flags, sex", () => {
    const contact = person(friend)
    expect(contact.kind).toBe("person")
    expect(contact.nickName).toBe("吃圡死月不會碼代碼🌛")
    expect(contact.displayName).toBe("吃圡死月不會碼代碼🌛")
    expect(contact.signature).toBe("Tom & Jerry❤")
    expect(contact.pinned).toBe(true)
    expect(contact.muted).toBe(false)
    expect(contact.starred).toBe(false)
    expect(contact.sex).toBe("female")
    expect(contact.province).toBe("广东")
  })

  it("prefers the remark for the display name", () => {
    const contact = person({ ...friend, RemarkName: 'Ann <span class="emoji emoji1f604"></span>', ContactFlag: 515 })
    expect(contact.remarkName).toBe("Ann 😄")
    expect(contact.displayName).toBe("Ann 😄")
    expect(contact.muted).toBe(true)
    expect(contact.pinned).toBe(false)
  })

  it("tells official accounts (VerifyFlag & 8) from people and special accounts", () => {
    expect(person({ ...friend, UserName: "@a0d0mp", VerifyFlag: 24, KeyWord: "gh_" }).kind).toBe("official")
    expect(person({ ...friend, UserName: "@a0d0mp", VerifyFlag: 8 }).kind).toBe("official")
    expect(person({ ...friend, UserName: "@a0d0vip", VerifyFlag: 2 }).kind).toBe("person")
    expect(person({ ...friend, UserName: "weixin", NickName: "微信团队", VerifyFlag: 56 }).kind).toBe("special")
    for (const name of [
      "filehelper",
      "newsapp",
      "fmessage",
      "notification_messages",
      "gh_22b87fa7cb3c",
      "wxid_novlwrv3lqwv11",
      "brandsessionholder",
      "officialaccounts",
      "wxitil",
      "userexperience_alarm",
      "notifymessage",
    ]) {
      expect(person({ UserName: name }).kind).toBe("special")
    }
  })

  it("decodes a room with members: group nickname, then remark, then nickname", () => {
    const remarks = new Map([["@2ea0dad", "Papa"]])
    const contact = group(room, { self: { userName: "@2ea0self", uin: 155217200 }, remarks })
    expect(contact.kind).toBe("group")
    expect(contact.nickName).toBe("家庭 <3")
    expect(contact.displayName).toBe("家庭 <3")
    expect(contact.memberCount).toBe(3)
    expect(contact.encryChatRoomId).toBe("@4f120905f9814dc8f5438f905b019bb6")
    expect(contact.ownerUin).toBe(155217200)
    expect(contact.isOwner).toBe(true)
    expect(contact.muted).toBe(false)
    expect(contact.members.map((m) => m.displayName)).toEqual(["Me", "妈妈😂", "Papa"])
    expect(contact.members[1]?.nickName).toBe("Mom🇨🇳")
    expect(contact.members[1]?.groupNickName).toBe("妈妈😂")
    expect(contact.members[2]?.nickName).toBe("Dad & Co")
  })

  it("says we do not own a room someone else owns", () => {
    expect(group(room, { self: { userName: "@2ea0self", uin: 1 } }).isOwner).toBe(false)
    expect(group({ ...room, IsOwner: 1 }).isOwner).toBe(true)
  })

  it("decodes a saved room from webwxgetcontact: no members yet, no EncryChatRoomId", () => {
    const contact = group({ ...room, MemberCount: 0, MemberList: [], OwnerUin: 0, EncryChatRoomId: "", Statues: 0 })
    expect(contact.members).toEqual([])
    expect(contact.memberCount).toBe(0)
    expect(contact.encryChatRoomId).toBe("")
    expect(contact.muted).toBe(true)
  })

  it("calls an unnamed room by its members, leaving ourselves out", () => {
    const contact = group({ ...room, NickName: "" }, { self: { userName: "@2ea0self", uin: 0 } })
    expect(contact.displayName).toBe("妈妈😂、Dad & Co")
  })

  it("decodes a ModContactList room: reduced keys, the owner by name", () => {
    const mod = {
      UserName: room.UserName,
      NickName: "家庭",
      Sex: 0,
      HeadImgUpdateFlag: 1,
      ContactType: 0,
      Alias: "",
      ChatRoomOwner: "@2ea0self",
      HeadImgUrl: "/cgi-bin/mmwebwx-bin/webwxgetheadimg?seq=1&username=@@0cf4…&skey=",
      ContactFlag: 3,
      MemberCount: 1,
      MemberList: [{ ...room.MemberList[0], Uin: 195765975 }],
      HideInputBarFlag: 0,
      Signature: "",
      VerifyFlag: 0,
      RemarkName: "",
      Statues: 1,
      AttrStatus: 0,
      Province: "",
      City: "",
      SnsFlag: 0,
      KeyWord: "",
    }
    const contact = group(mod, { self: { userName: "@2ea0self", uin: 7 } })
    expect(contact.ownerUserName).toBe("@2ea0self")
    expect(contact.isOwner).toBe(true)
    expect(contact.members[0]?.uin).toBe(195765975)
  })

  it("rejects objects that are not contacts", () => {
    expect(Either.isLeft(decodeContact({ NickName: "no UserName" }))).toBe(true)
    expect(Either.isLeft(decodeContact({ ...friend, ContactFlag: "3" }))).toBe(true)
    expect(Either.isLeft(decodeContact(null))).toBe(true)
  })
})
