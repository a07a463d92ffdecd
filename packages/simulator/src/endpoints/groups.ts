import { baseResponse, sessionFromBody } from "../http/auth.js"
import type { Context } from "../http/Context.js"
import { CGI, type Route } from "../http/Route.js"
import { renderMember } from "../render/contacts.js"
import { withEmojiSpans } from "../wire/escape.js"
import type { Group } from "../world/model.js"
import type { Session } from "../world/Session.js"
import { createGroup, joinGroup, removeMembers, renameGroup } from "../world/social.js"
import { SPECIAL_ACCOUNTS } from "../world/special.js"
import type { Account, World } from "../world/World.js"

/** Ret 1, the server's "bad argument", for every refused change [U for the cases]. */
const BAD_ARGUMENT = 1
/** Ret -2 (MMWEBWX_ERR_LOGIC) when a member who does not own the room removes people [U]. */
const NOT_OWNER = -2
/** From this size on, members must be invited (`invitemember`) rather than added (webwxinit's InviteStartCount). */
const INVITE_START_COUNT = 40

/** Who can be put into a group: people only, not special accounts, rooms or official accounts [U for the last]. */
const canJoin = (world: World, account: Account, wxid: string | undefined): wxid is string => {
  const person = wxid === undefined ? undefined : world.persons.get(wxid)
  return (
    person !== undefined &&
    person.wxid !== account.wxid &&
    !SPECIAL_ACCOUNTS.has(person.wxid) &&
    !world.isRoom(person.wxid) &&
    (person.verifyFlag & 8) === 0
  )
}

const createFailure = (ret: number) => ({
  ...baseResponse(ret),
  Topic: "",
  PYInitial: "",
  QuanPin: "",
  MemberCount: 0,
  MemberList: [],
  ChatRoomName: "",
  BlackList: "",
})

/**
 * webwxcreatechatroom: a group owned by the account with at least two others. The answer lists
 * the requested members (not the creator); every fleet member gets the room and a join notice.
 */
const createChatroom = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, createFailure)
  if (!auth) return
  const { world } = ctx
  const { account, session, body } = auth
  const list = body["MemberList"]
  const topic = body["Topic"] ?? ""
  const wxids = Array.isArray(list)
    ? list.map((item: unknown) => {
        const userName =
          typeof item === "object" && item !== null ? (item as Record<string, unknown>)["UserName"] : undefined
        return typeof userName === "string" ? session.wxidOf(userName) : undefined
      })
    : []
  const members = [...new Set(wxids)]
  if (typeof topic !== "string" || members.length < 2 || !members.every((wxid) => canJoin(world, account, wxid))) {
    ctx.sendJson(createFailure(BAD_ARGUMENT))
    return
  }
  const wireTopic = withEmojiSpans(topic)
  const group = createGroup(world, account.wxid, members, wireTopic)
  world.record(account, { type: "group", at: world.now(), op: "create", roomId: group.roomId, members, topic })
  ctx.sendJson({
    BaseResponse: { Ret: 0, ErrMsg: "Everything is OK" },
    Topic: wireTopic,
    PYInitial: "",
    QuanPin: "",
    MemberCount: members.length,
    MemberList: members.map((wxid) => renderMember(world, session, group, wxid)),
    ChatRoomName: session.userName(group.roomId),
    BlackList: "",
  })
}

const updateAnswer = (ret: number) => ({ ...baseResponse(ret), MemberCount: 0, MemberList: [] })

/** A comma-separated UserName list as distinct wxids; undefined when it is no string, empty or names a stranger. */
const memberList = (session: Session, value: unknown): Array<string> | undefined => {
  if (typeof value !== "string") return undefined
  const wxids = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "")
    .map((name) => session.wxidOf(name))
  return wxids.length > 0 && wxids.every((wxid) => wxid !== undefined) ? [...new Set(wxids)] : undefined
}

const isMember = (group: Group, wxid: string): boolean => group.members.some((m) => m.wxid === wxid)

/**
 * webwxupdatechatroom: `addmember` (Ret 1 [U] once the room would reach 40: those must be
 * invited), `invitemember` (invitees are added at once [U]), `delmember` (owner only, else
 * Ret -2 [U]) and `modtopic`. Only addmember answers with the added members.
 */
const updateChatroom = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, updateAnswer)
  if (!auth) return
  const { world } = ctx
  const { account, session, body } = auth
  const reject = (ret: number = BAD_ARGUMENT): void => ctx.sendJson(updateAnswer(ret))
  const roomName = body["ChatRoomName"]
  const roomId = typeof roomName === "string" ? session.wxidOf(roomName) : undefined
  const group = roomId === undefined ? undefined : world.groups.get(roomId)
  if (!group || !isMember(group, account.wxid)) return reject()
  const fun = ctx.query.get("fun")
  const at = world.now()
  const record = (op: "addmember" | "invitemember" | "delmember", members: ReadonlyArray<string>): void =>
    world.record(account, { type: "group", at, op, roomId: group.roomId, members })

  if (fun === "addmember" || fun === "invitemember") {
    const added = memberList(session, body[fun === "addmember" ? "AddMemberList" : "InviteMemberList"])
    if (!added?.every((wxid) => canJoin(world, account, wxid) && !isMember(group, wxid))) return reject()
    if (fun === "addmember" && group.members.length + added.length >= INVITE_START_COUNT) return reject()
    joinGroup(world, group.roomId, account.wxid, added)
    record(fun, added)
    const listed = fun === "addmember" ? added : []
    ctx.sendJson({
      ...baseResponse(0),
      MemberCount: listed.length,
      MemberList: listed.map((wxid) => renderMember(world, session, group, wxid)),
    })
    return
  }
  if (fun === "delmember") {
    if (group.owner !== account.wxid) return reject(NOT_OWNER)
    const removed = memberList(session, body["DelMemberList"])
    if (!removed?.every((wxid) => wxid !== account.wxid && isMember(group, wxid))) return reject()
    removeMembers(world, group.roomId, account.wxid, removed)
    record(fun, removed)
  } else if (fun === "modtopic") {
    const topic = body["NewTopic"]
    if (typeof topic !== "string") return reject()
    renameGroup(world, group.roomId, account.wxid, withEmojiSpans(topic))
    world.record(account, { type: "group", at, op: "modtopic", roomId: group.roomId, members: [], topic })
  } else {
    // quitchatroom and unknown functions are not served [U].
    return reject()
  }
  ctx.sendJson(updateAnswer(0))
}

export const groupRoutes: ReadonlyArray<Route> = [
  { kind: "api", method: "POST", path: `${CGI}/webwxcreatechatroom`, handle: createChatroom },
  { kind: "api", method: "POST", path: `${CGI}/webwxupdatechatroom`, handle: updateChatroom },
]
