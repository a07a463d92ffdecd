/**
 * Friendships and group membership as they change: friend requests and their answers, and the
 * group changes other people make from their phones, each producing what fleet accounts see.
 * Names in system texts are nicknames in wire form (emoji spans as stored), so they are not escaped.
 */
import { randomBytes } from "node:crypto"
import { attrStatus } from "./ids.js"
import { escapeContent, escapeXmlText } from "../wire/escape.js"
import type { Group, MessageDraft, Person } from "./model.js"
import type { World } from "./World.js"

/** A friend request waiting for its answer: `from` asked `to`. */
interface FriendRequest {
  readonly from: string
  readonly to: string
}

/** Pending requests of each world, by ticket; the World itself keeps no social state. */
const requestsByWorld = new WeakMap<World, Map<string, FriendRequest>>()

const pendingRequests = (world: World): Map<string, FriendRequest> => {
  let requests = requestsByWorld.get(world)
  if (!requests) {
    requests = new Map()
    requestsByWorld.set(world, requests)
  }
  return requests
}

/** Scene 3: found by searching the WeChat ID [U]. */
const DEFAULT_SCENE = 3

/** A plain-text MsgType 10000 notice; the server sends these with Status 4 [U for group notices]. */
export const systemNotice = (content: string): MessageDraft => ({ MsgType: 10000, Content: content, Status: 4 })

const nickName = (world: World, wxid: string): string => world.person(wxid).nickName

/** Several names inside one pair of quotes, joined by `、` as in `"凌"邀请"庆次、小桔妹"加入了群聊`. */
const nameList = (world: World, wxids: ReadonlyArray<string>): string =>
  wxids.map((wxid) => nickName(world, wxid)).join("、")

/** Same opaque bitmask render/contacts.ts gives this person's contact. */

/** The MsgType 37 that `fmessage` delivers: an escaped single-line `<msg …>` plus a filled RecommendInfo. */
const friendRequestDraft = (requester: Person, greeting: string, scene: number, ticket: string): MessageDraft => {
  const attr = escapeXmlText
  const encryptUserName = `v1_${randomBytes(32).toString("hex")}@stranger`
  // Two spaces before `shortpy`, as in the captured request.
  const xml =
    `<msg fromusername="${attr(requester.wxid)}" encryptusername="${encryptUserName}" ` +
    `fromnickname="${attr(requester.nickName)}" content="${attr(greeting)}"  shortpy="" imagestatus="3" ` +
    `scene="${scene}" country="CN" province="${attr(requester.province)}" city="${attr(requester.city)}" ` +
    `sign="${attr(requester.signature)}" percard="1" sex="${requester.sex}" alias="${attr(requester.alias)}" ` +
    `weibo="" weibonickname="" albumflag="0" albumstyle="0" albumbgimgid="" snsflag="49" snsbgimgid="" ` +
    `snsbgobjectid="0" mhash="" mfullhash="" bigheadimgurl="" smallheadimgurl="" ticket="${ticket}" opcode="2" ` +
    `googlecontact="" qrticket="" chatroomusername="" sourceusername="" sourcenickname="">` +
    `<brandlist count="0" ver="670564024"></brandlist></msg>`
  return {
    MsgType: 37,
    Content: escapeContent(xml),
    Status: 3,
    RecommendInfo: {
      wxid: requester.wxid,
      NickName: requester.nickName,
      Province: requester.province,
      City: requester.city,
      Content: greeting,
      Signature: requester.signature,
      Alias: requester.alias,
      Scene: scene,
      VerifyFlag: requester.verifyFlag,
      AttrStatus: attrStatus(requester.uin),
      Sex: requester.sex,
      Ticket: ticket,
      OpCode: 2,
    },
  }
}

/**
 * `from` asks `to` to be friends; a fleet account `to` receives the request from `fmessage`.
 * Returns the request's ticket (what accepting it must present).
 */
export const sendFriendRequest = (world: World, from: string, to: string, greeting: string, scene: number): string => {
  const requester = world.person(from)
  const ticket = `v2_${randomBytes(48).toString("hex")}@stranger`
  pendingRequests(world).set(ticket, { from, to })
  const receiver = world.accounts.get(to)
  if (receiver)
    world.deliver(receiver, { from: "fmessage", to, draft: friendRequestDraft(requester, greeting, scene, ticket) })
  return ticket
}

/** A stranger (a person already in the world) asks the fleet account `account` to be friends. */
export const requestFriend = (
  world: World,
  stranger: string,
  account: string,
  options: { greeting?: string; scene?: number } = {},
): { ticket: string } => {
  const receiver = world.account(account)
  const requester = world.person(stranger)
  if (stranger === account || receiver.friends.has(stranger)) {
    throw new Error(`${stranger} is already a friend of ${account}`)
  }
  const greeting = options.greeting ?? `我是${requester.nickName}`
  return { ticket: sendFriendRequest(world, stranger, account, greeting, options.scene ?? DEFAULT_SCENE) }
}

/** Whether `ticket` names a pending request from `from` to `to`. */
export const isPendingRequest = (world: World, ticket: string, from: string, to: string): boolean => {
  const request = pendingRequests(world).get(ticket)
  return request !== undefined && request.from === from && request.to === to
}

/**
 * `account` and `other` become friends: every request between them is settled, and each fleet
 * account of the two gets the other's ModContact and `你已添加了X，现在可以开始聊天了。`
 * (the requester sees the same text as the one who accepted [U]).
 */
export const makeFriends = (world: World, account: string, other: string): void => {
  const requests = pendingRequests(world)
  for (const [ticket, request] of requests) {
    if ((request.from === account && request.to === other) || (request.from === other && request.to === account)) {
      requests.delete(ticket)
    }
  }
  // befriend would reset a remark the account may already have given this person.
  if (!world.account(account).friends.has(other)) world.befriend(account, other)
  for (const [self, peer] of [
    [account, other],
    [other, account],
  ] as const) {
    const fleet = world.accounts.get(self)
    if (!fleet) continue
    world.append(fleet, { type: "modContact", wxid: peer })
    world.deliver(fleet, {
      from: peer,
      to: self,
      draft: systemNotice(`你已添加了${nickName(world, peer)}，现在可以开始聊天了。`),
    })
  }
}

/** The stranger accepts the request `account` sent it (webwxverifyuser Opcode 2). */
export const acceptOutgoingRequest = (world: World, stranger: string, account: string): void => {
  const pending = [...pendingRequests(world).values()].some((r) => r.from === account && r.to === stranger)
  if (!pending) throw new Error(`${account} has no pending friend request to ${stranger}`)
  makeFriends(world, account, stranger)
}

// ---- groups ----

const isMember = (group: Group, wxid: string): boolean => group.members.some((m) => m.wxid === wxid)

/**
 * Every fleet account still in the group gets the room's ModContact and, when `notice` has one
 * for it, a system text in the room (from the room, with no sender prefix).
 */
const tellMembers = (world: World, group: Group, notice: (viewer: string) => string | undefined): void => {
  for (const member of group.members) {
    const account = world.accounts.get(member.wxid)
    if (!account) continue
    account.session?.forgetNames()
    world.append(account, { type: "modContact", wxid: group.roomId })
    const text = notice(account.wxid)
    if (text !== undefined) world.deliver(account, { from: group.roomId, to: account.wxid, draft: systemNotice(text) })
  }
}

/** What each fleet member sees when `inviter` brings `joined` into the group. */
const announceJoin = (world: World, group: Group, inviter: string, joined: ReadonlyArray<string>): void => {
  const inviterName = nickName(world, inviter)
  tellMembers(world, group, (viewer) => {
    // The two trailing spaces are a stripped "撤销" (undo) link.
    if (viewer === inviter) return `你邀请"${nameList(world, joined)}"加入了群聊  `
    if (!joined.includes(viewer)) return `"${inviterName}"邀请"${nameList(world, joined)}"加入了群聊`
    const others = joined.filter((wxid) => wxid !== viewer)
    return others.length === 0
      ? `"${inviterName}"邀请你加入了群聊`
      : `"${inviterName}"邀请你和"${nameList(world, others)}"加入了群聊`
  })
}

/** `owner` creates a group with `members` (others than itself); every fleet member hears of it. */
export const createGroup = (world: World, owner: string, members: ReadonlyArray<string>, topic: string): Group => {
  const group = world.addGroup({ topic, owner, members })
  announceJoin(world, group, owner, members)
  return group
}

/** `inviter`, a member, brings people (already in the world) into the group. */
export const joinGroup = (world: World, roomId: string, inviter: string, members: ReadonlyArray<string>): void => {
  const group = world.group(roomId)
  if (!isMember(group, inviter)) throw new Error(`${inviter} is not a member of ${roomId}`)
  const joined = [...new Set(members)]
  if (joined.length === 0) throw new Error("nobody to add")
  for (const wxid of joined) {
    world.person(wxid)
    if (isMember(group, wxid)) throw new Error(`${wxid} is already a member of ${roomId}`)
  }
  for (const wxid of joined) {
    group.members.push({ wxid, displayName: "" })
    world.accounts.get(wxid)?.groups.add(roomId)
  }
  announceJoin(world, group, inviter, joined)
}

/** Takes a member out; a fleet account also loses the room (DelContactList), after `farewell` if any. */
const dropMember = (world: World, group: Group, wxid: string, farewell?: string): void => {
  group.members = group.members.filter((m) => m.wxid !== wxid)
  const account = world.accounts.get(wxid)
  if (!account) return
  account.groups.delete(group.roomId)
  account.pinnedRooms.delete(group.roomId)
  account.session?.forgetNames()
  if (farewell !== undefined) world.deliver(account, { from: group.roomId, to: wxid, draft: systemNotice(farewell) })
  world.append(account, { type: "delContact", wxid: group.roomId })
}

/** A member quits. WeChat announces nobody's quitting [U]: the others only see the member list change. */
export const leaveGroup = (world: World, roomId: string, member: string): void => {
  const group = world.group(roomId)
  if (!isMember(group, member)) throw new Error(`${member} is not a member of ${roomId}`)
  dropMember(world, group, member)
  // A departing owner hands the group to the longest-standing member [U].
  if (group.owner === member && group.members[0]) group.owner = group.members[0].wxid
  tellMembers(world, group, () => undefined)
}

/**
 * The owner `by` removes members: they see `你被"X"移出群聊` and lose the room, `by` sees
 * `你将"A、B"移出了群聊`, other members see only the member list change [U].
 */
export const removeMembers = (world: World, roomId: string, by: string, members: ReadonlyArray<string>): void => {
  const group = world.group(roomId)
  if (group.owner !== by) throw new Error(`${by} does not own ${roomId}`)
  const removed = [...new Set(members)]
  if (removed.length === 0) throw new Error("nobody to remove")
  for (const wxid of removed) {
    if (wxid === by || !isMember(group, wxid)) throw new Error(`${wxid} cannot be removed from ${roomId}`)
  }
  const byName = nickName(world, by)
  for (const wxid of removed) dropMember(world, group, wxid, `你被"${byName}"移出群聊`)
  tellMembers(world, group, (viewer) => (viewer === by ? `你将"${nameList(world, removed)}"移出了群聊` : undefined))
}

export const removeFromGroup = (world: World, roomId: string, by: string, member: string): void =>
  removeMembers(world, roomId, by, [member])

/** A member renames the group; the topic is quoted with curly quotes, as the server writes it. */
export const renameGroup = (world: World, roomId: string, by: string, topic: string): void => {
  const group = world.group(roomId)
  if (!isMember(group, by)) throw new Error(`${by} is not a member of ${roomId}`)
  group.topic = topic
  const byName = nickName(world, by)
  tellMembers(world, group, (viewer) => (viewer === by ? `你修改群名为“${topic}”` : `"${byName}"修改群名为“${topic}”`))
}
