import { authenticate, baseRequestOf, baseResponse, sessionFromBody } from "../http/auth.js"
import type { Context } from "../http/Context.js"
import { CGI, type Route } from "../http/Route.js"
import { renderContact } from "../render/contacts.js"

/** The real server answers at most 50 contacts per webwxbatchgetcontact call. */
export const BATCH_GET_LIMIT = 50

const contactFailure = (ret: number) => ({ ...baseResponse(ret), MemberCount: 0, MemberList: [], Seq: 0 })

/**
 * webwxgetcontact, paged: `seq=0` starts, a non-zero `Seq` in the answer asks for the next page,
 * `Seq` 0 ends. Seq values are opaque numbers, not offsets. Groups come with no members.
 */
const getContact = async (ctx: Context): Promise<void> => {
  const credentials =
    ctx.method === "POST"
      ? baseRequestOf(await ctx.jsonBody())
      : { sid: ctx.cookies.get("wxsid"), uin: ctx.cookies.get("wxuin"), skey: ctx.query.get("skey") ?? undefined }
  const auth = authenticate(ctx, credentials)
  if (!auth.ok) {
    ctx.sendJson(contactFailure(auth.ret))
    return
  }
  const { account, session } = auth
  const all = [...account.friends.keys(), ...account.groups]
  const seq = Number(ctx.query.get("seq") ?? "0")
  const offset = seq === 0 ? 0 : seq - session.syncBase
  if (!Number.isInteger(offset) || offset < 0 || offset > all.length) {
    ctx.sendJson(contactFailure(1))
    return
  }
  const page = all.slice(offset, offset + ctx.world.options.contactPageSize)
  const next = offset + page.length
  ctx.sendJson({
    ...baseResponse(0),
    MemberCount: page.length,
    MemberList: page.map((wxid) => renderContact(ctx.world, account, session, wxid)),
    Seq: next < all.length ? session.syncBase + next : 0,
  })
}

const batchFailure = (ret: number) => ({ ...baseResponse(ret), Count: 0, ContactList: [] })

/**
 * webwxbatchgetcontact: rooms come with their members; a stranger (a member who is not a friend)
 * is only visible when asked for with the room's id in `EncryChatRoomId`.
 */
const batchGetContact = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, batchFailure)
  if (!auth) return
  const { world } = ctx
  const { account, session, body } = auth
  const list = body["List"]
  if (!Array.isArray(list) || list.length > BATCH_GET_LIMIT) {
    ctx.sendJson(batchFailure(1))
    return
  }
  const contacts = list.flatMap((item: unknown) => {
    const { UserName, EncryChatRoomId, ChatRoomId } = (item ?? {}) as Record<string, unknown>
    if (typeof UserName !== "string") return []
    const wxid = session.wxidOf(UserName)
    if (wxid === undefined) return []
    const group = world.groups.get(wxid)
    if (group) return group.members.some((m) => m.wxid === account.wxid) ? [renderContact(world, account, session, wxid, { withMembers: true })] : []
    if (!world.persons.has(wxid)) return []
    const roomName = typeof EncryChatRoomId === "string" && EncryChatRoomId !== "" ? EncryChatRoomId : ChatRoomId
    const room = typeof roomName === "string" && roomName !== "" ? world.groups.get(session.wxidOf(roomName) ?? "") : undefined
    const visible =
      account.friends.has(wxid) ||
      wxid === account.wxid ||
      (room !== undefined &&
        room.members.some((m) => m.wxid === wxid) &&
        room.members.some((m) => m.wxid === account.wxid))
    return visible ? [renderContact(world, account, session, wxid)] : []
  })
  ctx.sendJson({ ...baseResponse(0), Count: contacts.length, ContactList: contacts })
}

export const contactRoutes: ReadonlyArray<Route> = [
  { kind: "api", method: "GET", path: `${CGI}/webwxgetcontact`, handle: getContact },
  { kind: "api", method: "POST", path: `${CGI}/webwxgetcontact`, handle: getContact },
  { kind: "api", method: "POST", path: `${CGI}/webwxbatchgetcontact`, handle: batchGetContact },
]
