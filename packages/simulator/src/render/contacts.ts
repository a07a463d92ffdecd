import type { WireValue } from "../wire/json.js"
import { attrStatus } from "../world/ids.js"
import { PINNED_CONTACT_FLAG, type Group } from "../world/model.js"
import type { Session } from "../world/Session.js"
import type { Account, World } from "../world/World.js"

type Wire = { [key: string]: WireValue }

const keyWord = (wxid: string): string => (wxid.startsWith("wxid_") ? wxid.slice(5, 8) : wxid.slice(0, 3))

/** A room is a contact (0x1) and a chat contact (0x2) of each member, pinned by some. */
const roomContactFlag = (account: Account, roomId: string): number =>
  account.pinnedRooms.has(roomId) ? 3 | PINNED_CONTACT_FLAG : 3

export const headImgUrl = (session: Session, wxid: string, isRoom: boolean): string =>
  `/cgi-bin/mmwebwx-bin/${isRoom ? "webwxgetheadimg" : "webwxgeticon"}?seq=${620_000_000 + (wxid.length * 7919) % 99_999}&username=${session.userName(wxid)}&skey=${session.skey}`

/** A contact as webwxinit, webwxgetcontact and webwxbatchgetcontact return it (2016 key order + IsOwner). */
export const renderContact = (
  world: World,
  account: Account,
  session: Session,
  wxid: string,
  options: { withMembers?: boolean } = {},
): Wire => {
  const group = world.groups.get(wxid)
  if (group) return renderRoom(world, account, session, group, options.withMembers ?? false)
  const person = world.person(wxid)
  const link = account.friends.get(wxid)
  const official = (person.verifyFlag & 8) !== 0
  return {
    Uin: 0,
    UserName: session.userName(wxid),
    NickName: person.nickName,
    HeadImgUrl: headImgUrl(session, wxid, false),
    ContactFlag: link?.contactFlag ?? 0,
    MemberCount: 0,
    MemberList: [],
    RemarkName: link?.remarkName ?? "",
    HideInputBarFlag: 0,
    Sex: person.sex,
    Signature: person.signature,
    VerifyFlag: person.verifyFlag,
    OwnerUin: 0,
    PYInitial: "",
    PYQuanPin: "",
    RemarkPYInitial: "",
    RemarkPYQuanPin: "",
    StarFriend: (link?.contactFlag ?? 0) & 0x40 ? 1 : 0,
    AppAccountFlag: 0,
    Statues: 0,
    AttrStatus: official ? 0 : attrStatus(person.uin),
    Province: person.province,
    City: person.city,
    Alias: person.alias,
    SnsFlag: official ? 0 : 17,
    UniFriend: 0,
    DisplayName: "",
    ChatRoomId: 0,
    KeyWord: keyWord(wxid),
    EncryChatRoomId: "",
    IsOwner: 0,
  }
}

export const renderMember = (world: World, session: Session, group: Group, wxid: string): Wire => {
  const person = world.person(wxid)
  return {
    Uin: 0,
    UserName: session.userName(wxid),
    NickName: person.nickName,
    AttrStatus: attrStatus(person.uin),
    PYInitial: "",
    PYQuanPin: "",
    RemarkPYInitial: "",
    RemarkPYQuanPin: "",
    MemberStatus: 0,
    DisplayName: group.members.find((m) => m.wxid === wxid)?.displayName ?? "",
    KeyWord: keyWord(wxid),
  }
}

const renderRoom = (world: World, account: Account, session: Session, group: Group, withMembers: boolean): Wire => ({
  Uin: 0,
  UserName: session.userName(group.roomId),
  NickName: group.topic,
  HeadImgUrl: headImgUrl(session, group.roomId, true),
  ContactFlag: roomContactFlag(account, group.roomId),
  MemberCount: withMembers ? group.members.length : 0,
  MemberList: withMembers ? group.members.map((m) => renderMember(world, session, group, m.wxid)) : [],
  RemarkName: "",
  HideInputBarFlag: 0,
  Sex: 0,
  Signature: "",
  VerifyFlag: 0,
  OwnerUin: withMembers ? world.person(group.owner).uin : 0,
  PYInitial: "",
  PYQuanPin: "",
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
  EncryChatRoomId: withMembers ? group.encryChatRoomId : "",
  IsOwner: group.owner === account.wxid ? 1 : 0,
})

/** webwxsync's ModContactList entries: a reduced key set in another order; rooms name their owner. */
export const renderModContact = (world: World, account: Account, session: Session, wxid: string): Wire => {
  const group = world.groups.get(wxid)
  if (group) {
    return {
      UserName: session.userName(wxid),
      NickName: group.topic,
      Sex: 0,
      HeadImgUpdateFlag: 1,
      ContactType: 0,
      Alias: "",
      ChatRoomOwner: session.userName(group.owner),
      HeadImgUrl: headImgUrl(session, wxid, true),
      ContactFlag: roomContactFlag(account, wxid),
      MemberCount: group.members.length,
      MemberList: group.members.map((m) => ({
        ...renderMember(world, session, group, m.wxid),
        Uin: world.person(m.wxid).uin,
      })),
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
  }
  const person = world.person(wxid)
  const link = account.friends.get(wxid)
  return {
    UserName: session.userName(wxid),
    NickName: person.nickName,
    Sex: person.sex,
    HeadImgUpdateFlag: 1,
    ContactType: 0,
    Alias: person.alias,
    ChatRoomOwner: "",
    HeadImgUrl: headImgUrl(session, wxid, false),
    ContactFlag: link?.contactFlag ?? 0,
    MemberCount: 0,
    MemberList: [],
    HideInputBarFlag: 0,
    Signature: person.signature,
    VerifyFlag: person.verifyFlag,
    RemarkName: link?.remarkName ?? "",
    Statues: 0,
    AttrStatus: attrStatus(person.uin),
    Province: person.province,
    City: person.city,
    SnsFlag: 17,
    KeyWord: keyWord(wxid),
  }
}

/** The account itself, as webwxinit's `User`. */
export const renderSelf = (account: Account, session: Session): Wire => ({
  Uin: account.person.uin,
  UserName: session.userName(account.wxid),
  NickName: account.person.nickName,
  HeadImgUrl: headImgUrl(session, account.wxid, false),
  RemarkName: "",
  PYInitial: "",
  PYQuanPin: "",
  RemarkPYInitial: "",
  RemarkPYQuanPin: "",
  HideInputBarFlag: 0,
  StarFriend: 0,
  Sex: account.person.sex,
  Signature: account.person.signature,
  AppAccountFlag: 0,
  VerifyFlag: 0,
  ContactFlag: 0,
  WebWxPluginSwitch: 0,
  HeadImgFlag: 1,
  SnsFlag: 17,
})
