import { authenticate, baseResponse, sessionFromBody } from "../http/auth.js"
import type { Context } from "../http/Context.js"
import { CGI, type Route } from "../http/Route.js"
import { renderContact, renderSelf } from "../render/contacts.js"
import { initSyncKey } from "../render/syncKey.js"
import { escapeContent } from "../wire/escape.js"
import { newMsgId } from "../world/ids.js"

const CLIENT_VERSION = 369_299_473

/** webwxinit's failure shape keeps every key, zeroed. */
const initFailure = (ret: number) => ({
  ...baseResponse(ret),
  Count: 0,
  ContactList: [],
  SyncKey: { Count: 0, List: [] },
  User: {
    Uin: 0,
    UserName: "",
    NickName: "",
    HeadImgUrl: "",
    RemarkName: "",
    PYInitial: "",
    PYQuanPin: "",
    RemarkPYInitial: "",
    RemarkPYQuanPin: "",
    HideInputBarFlag: 0,
    StarFriend: 0,
    Sex: 0,
    Signature: "",
    AppAccountFlag: 0,
    VerifyFlag: 0,
    ContactFlag: 0,
    WebWxPluginSwitch: 0,
    HeadImgFlag: 0,
    SnsFlag: 0,
  },
  ChatSet: "",
  SKey: "",
  ClientVersion: 0,
  SystemTime: 0,
  GrayScale: 0,
  InviteStartCount: 0,
  MPSubscribeMsgCount: 0,
  MPSubscribeMsgList: [],
  ClickReportInterval: 0,
})

/** The recent chats webwxinit lists: filehelper, the account's groups, then its first friends. */
const recentChats = (ctx: Context, accountGroups: Iterable<string>, friends: Iterable<string>): Array<string> => {
  const chats = ["filehelper", ...accountGroups]
  for (const wxid of friends) {
    if (chats.length >= 12) break
    if (!chats.includes(wxid) && wxid !== "weixin" && ctx.world.persons.get(wxid)?.verifyFlag === 0) chats.push(wxid)
  }
  return chats
}

const init = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, initFailure)
  if (!auth) return
  const { world } = ctx
  const { account, session } = auth
  session.inited = true
  const chats = recentChats(ctx, account.groups, account.friends.keys())
  const now = Math.floor(world.now() / 1000)
  ctx.sendJson({
    ...baseResponse(0),
    Count: chats.length,
    ContactList: chats.map((wxid) => renderContact(world, account, session, wxid)),
    SyncKey: initSyncKey(session, session.confirmedPosition, now),
    User: renderSelf(account, session),
    ChatSet: chats.map((wxid) => session.userName(wxid)).join(",") + ",",
    SKey: session.skey,
    ClientVersion: CLIENT_VERSION,
    SystemTime: now,
    GrayScale: 1,
    InviteStartCount: 40,
    MPSubscribeMsgCount: 0,
    MPSubscribeMsgList: [],
    ClickReportInterval: 600_000,
  })
}

/** The official client's StatusNotifyCode values: 1 read … 5 quit session. */
const STATUS_NOTIFY_CODES: ReadonlyArray<unknown> = [1, 2, 3, 4, 5]

/**
 * webwxstatusnotify: Code 3 ("inited") makes the phone answer with a StatusNotify (MsgType 51,
 * code 4) listing recent chats; Code 1 marks a chat read. Answers with a `MsgID`. Another Code
 * is Ret 1, the server's bad argument [U].
 */
const statusNotify = async (ctx: Context): Promise<void> => {
  const failure = (ret: number) => ({ ...baseResponse(ret), MsgID: "" })
  const auth = await sessionFromBody(ctx, failure)
  if (!auth) return
  const { world } = ctx
  const { account, session, body } = auth
  const code = body["Code"]
  if (typeof code !== "number" || !STATUS_NOTIFY_CODES.includes(code)) return ctx.sendJson(failure(1))
  const to = typeof body["ToUserName"] === "string" ? (session.wxidOf(body["ToUserName"]) ?? "") : ""
  world.record(account, { type: "statusnotify", at: world.now(), code, to })
  if (code === 3) {
    const chats = recentChats(ctx, account.groups, account.friends.keys())
    const xml = `<msg>\n<op id='4'>\n<username>${chats.join(",")}</username>\n<unreadchatlist>\n</unreadchatlist>\n<unreadfunctionlist>\n</unreadfunctionlist>\n</op>\n</msg>`
    world.deliver(account, {
      from: account.wxid,
      to: account.wxid,
      draft: { MsgType: 51, Content: escapeContent(xml), StatusNotifyCode: 4, StatusNotifyUserNames: chats },
    })
  }
  ctx.sendJson({ ...baseResponse(0), MsgID: newMsgId().toString() })
}

/** webwxlogout ends the session; the browser is redirected, so the answer carries no JSON. */
const logout = async (ctx: Context): Promise<void> => {
  const form = new URLSearchParams((await ctx.body()).toString("utf8"))
  const sid = form.get("sid") ?? ctx.cookies.get("wxsid")
  const uin = form.get("uin") ?? ctx.cookies.get("wxuin")
  const auth = authenticate(ctx, { sid, uin, skey: ctx.query.get("skey") ?? undefined })
  if (auth.ok) {
    ctx.world.record(auth.account, { type: "logout", at: ctx.world.now() })
    ctx.world.endSession(auth.account, 1100)
  }
  ctx.send(302, "", { Location: `https://${ctx.host.host}/?&lang=zh_CN` })
}

export const sessionRoutes: ReadonlyArray<Route> = [
  { kind: "api", method: "POST", path: `${CGI}/webwxinit`, handle: init },
  { kind: "api", method: "POST", path: `${CGI}/webwxstatusnotify`, handle: statusNotify },
  { kind: "api", method: "POST", path: `${CGI}/webwxlogout`, handle: logout },
  { kind: "api", method: "GET", path: `${CGI}/webwxlogout`, handle: logout },
]
