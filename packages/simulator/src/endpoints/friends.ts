import { baseResponse, sessionFromBody } from "../http/auth.js"
import type { Context } from "../http/Context.js"
import { CGI, type Route } from "../http/Route.js"
import { withEmojiSpans } from "../wire/escape.js"
import { PINNED_CONTACT_FLAG } from "../world/model.js"
import { isPendingRequest, makeFriends, sendFriendRequest } from "../world/social.js"
import type { Session } from "../world/Session.js"
import { SPECIAL_ACCOUNTS } from "../world/special.js"

/** verifyuser and oplog answer only a BaseResponse; Ret 1 is the server's "bad argument" [U for the cases]. */
const failure = (ret: number) => baseResponse(ret)

const BAD_ARGUMENT = 1

/** Opcodes of webwxverifyuser: 2 sends a request, 3 accepts one (1, 4–6 are not served [U]). */
const SEND_REQUEST = 2
const ACCEPT_REQUEST = 3

/** The scene the official client sends with its requests. */
const DEFAULT_SCENE = 33

interface VerifyEntry {
  readonly wxid: string
  readonly ticket: string
}

/** VerifyUserList as wxids and tickets, or undefined when any entry names nobody this session knows. */
const verifyEntries = (session: Session, list: unknown): Array<VerifyEntry> | undefined => {
  if (!Array.isArray(list) || list.length === 0) return undefined
  const entries = new Map<string, VerifyEntry>()
  for (const item of list) {
    const fields = typeof item === "object" && item !== null ? (item as Record<string, unknown>) : {}
    const value = fields["Value"]
    const ticket = fields["VerifyUserTicket"] ?? ""
    const wxid = typeof value === "string" ? session.wxidOf(value) : undefined
    if (wxid === undefined || typeof ticket !== "string") return undefined
    entries.set(wxid, { wxid, ticket })
  }
  return [...entries.values()]
}

const reject = (ctx: Context): void => ctx.sendJson(failure(BAD_ARGUMENT))

/**
 * webwxverifyuser: Opcode 3 accepts a pending request (Value = RecommendInfo.UserName, with its
 * ticket; a wrong or used ticket is Ret 1 [U]); Opcode 2 asks someone to be friends, pending until
 * they accept. A fleet account asked this way receives the request itself.
 */
const verifyUser = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, failure)
  if (!auth) return
  const { world } = ctx
  const { account, session, body } = auth
  const opcode = body["Opcode"]
  const entries = verifyEntries(session, body["VerifyUserList"])
  const greeting = body["VerifyContent"] ?? ""
  const sceneList = body["SceneList"]
  const scene = Array.isArray(sceneList) && typeof sceneList[0] === "number" ? sceneList[0] : DEFAULT_SCENE
  if (entries === undefined || typeof greeting !== "string") return reject(ctx)
  if (opcode === ACCEPT_REQUEST) {
    if (!entries.every((e) => isPendingRequest(world, e.ticket, e.wxid, account.wxid))) return reject(ctx)
    for (const { wxid } of entries) {
      world.record(account, { type: "verify", at: world.now(), wxid, opcode })
      makeFriends(world, account.wxid, wxid)
    }
  } else if (opcode === SEND_REQUEST) {
    const askable = (wxid: string) =>
      world.persons.has(wxid) && wxid !== account.wxid && !SPECIAL_ACCOUNTS.has(wxid) && !world.isRoom(wxid)
    if (!entries.every((e) => askable(e.wxid))) return reject(ctx)
    for (const { wxid } of entries) {
      world.record(account, { type: "verify", at: world.now(), wxid, opcode })
      // Asking an existing friend again changes nothing [U].
      if (!account.friends.has(wxid)) sendFriendRequest(world, account.wxid, wxid, greeting, scene)
    }
  } else {
    return reject(ctx)
  }
  ctx.sendJson(baseResponse(0))
}

/** Commands of webwxoplog. */
const SET_REMARK = 2
const SET_PINNED = 3

/**
 * webwxoplog: CmdId 2 sets a friend's RemarkName; CmdId 3 pins (OP 1) or unpins (OP 0) a friend
 * or a room, as the official client's setTopContact does for any chat. A friend's pin also
 * writes RemarkName, so omitting it clears the remark (as wechat4u warns); a room has no remark
 * to write [U]. Anything else is Ret 1 [U]. The account's sessions get the contact's ModContact.
 */
const opLog = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, failure)
  if (!auth) return
  const { world } = ctx
  const { account, session, body } = auth
  const userName = body["UserName"]
  const wxid = typeof userName === "string" ? session.wxidOf(userName) : undefined
  const remark = body["RemarkName"] ?? ""
  const command = body["CmdId"]
  const op = body["OP"]
  if (wxid === undefined || typeof remark !== "string") return reject(ctx)
  if (command !== SET_REMARK && !(command === SET_PINNED && (op === 0 || op === 1))) return reject(ctx)
  const at = world.now()
  if (account.groups.has(wxid)) {
    if (command !== SET_PINNED) return reject(ctx)
    if (op === 1) account.pinnedRooms.add(wxid)
    else account.pinnedRooms.delete(wxid)
    world.record(account, { type: "pin", at, wxid, pinned: op === 1 })
  } else {
    const link = account.friends.get(wxid)
    if (link === undefined) return reject(ctx)
    const remarkName = withEmojiSpans(remark)
    if (command === SET_REMARK || link.remarkName !== remarkName) {
      link.remarkName = remarkName
      world.record(account, { type: "remark", at, wxid, remarkName: remark })
    }
    if (command === SET_PINNED) {
      link.contactFlag = op === 1 ? link.contactFlag | PINNED_CONTACT_FLAG : link.contactFlag & ~PINNED_CONTACT_FLAG
      world.record(account, { type: "pin", at, wxid, pinned: op === 1 })
    }
  }
  world.append(account, { type: "modContact", wxid })
  ctx.sendJson(baseResponse(0))
}

/** webwxverifyuser (add, accept) and webwxoplog (remark, pin). */
export const friendRoutes: ReadonlyArray<Route> = [
  { kind: "api", method: "POST", path: `${CGI}/webwxverifyuser`, handle: verifyUser },
  { kind: "api", method: "POST", path: `${CGI}/webwxoplog`, handle: opLog },
]
