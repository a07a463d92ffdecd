import { authenticate, baseResponse, sessionFromBody } from "../http/auth.js"
import type { Context } from "../http/Context.js"
import { CGI, type Route } from "../http/Route.js"
import { renderModContact } from "../render/contacts.js"
import { renderMessage } from "../render/messages.js"
import { positionOfSynccheckParam, positionOfSyncKey, syncCheckKey, syncKey } from "../render/syncKey.js"
import type { WireValue } from "../wire/json.js"
import type { LogEntry } from "../world/model.js"
import type { Account } from "../world/World.js"

/** `window.synccheck={retcode:"0",selector:"2"}` — no spaces, no trailing semicolon. */
const synccheckBody = (retcode: number | string, selector: string): string =>
  `window.synccheck={retcode:"${retcode}",selector:"${selector}"}`

/** MMWEBWX_ERR_FREQ, the frequency block, which synccheck answers in its retcode too. */
const RATE_LIMITED = 1205

/** Selector for what is pending after `position`: "2" new messages, "4" contact changes only. */
const selectorAfter = (account: Account, position: number): string => {
  if (position >= account.headSeq) return "0"
  for (let i = account.log.length - 1; i >= 0; i--) {
    const entry = account.log[i]!
    if (entry.seq <= position) break
    if (entry.type === "message") return "2"
  }
  return "4"
}

/**
 * synccheck, the long poll on a webpush host: answers at once when something is pending after
 * the client's key, else holds (25 s by default) and answers selector "0". A session that ends
 * while held is answered with its retcode, and so is a frequency block (fault) with 1205.
 */
const synccheck = async (ctx: Context): Promise<void> => {
  const { world, faults, query } = ctx
  const auth = authenticate(ctx, {
    sid: query.get("sid") ?? undefined,
    skey: query.get("skey") ?? undefined,
    uin: query.get("uin") ?? undefined,
  })
  if (!auth.ok) {
    ctx.sendJs(synccheckBody(auth.ret, "0"))
    return
  }
  const { account, session } = auth
  const position = positionOfSynccheckParam(session, query.get("synckey") ?? "", account.headSeq)
  const answer = (): string | undefined => {
    if (session.endedWith !== undefined) return synccheckBody(session.endedWith, "0")
    if (account.rateLimitedSyncchecks > 0) {
      account.rateLimitedSyncchecks -= 1
      return synccheckBody(RATE_LIMITED, "0")
    }
    if (position === undefined) return undefined
    const selector = selectorAfter(account, position)
    return selector === "0" ? undefined : synccheckBody(0, selector)
  }
  const immediate = answer()
  if (immediate !== undefined) {
    ctx.sendJs(immediate)
    return
  }
  await new Promise<void>((resolve) => {
    const finish = (body: string | undefined) => {
      clearTimeout(timer)
      stopWaking()
      releasePoll()
      if (body !== undefined) ctx.sendJs(body)
      resolve()
    }
    const timer = setTimeout(() => finish(synccheckBody(0, "0")), world.options.syncHoldMs)
    const stopWaking = session.onWake(() => {
      const body = answer()
      if (body !== undefined) finish(body)
    })
    const releasePoll = faults.holdPoll(ctx.host.host, account.wxid, ctx.req)
    ctx.onClientGone(() => {
      finish(undefined)
      world.events.emit("pollAbandoned", account.wxid, ctx.host.host)
    })
    world.events.emit("pollHeld", account.wxid, ctx.host.host)
  })
}

const syncFailure = (ret: number) => ({
  ...baseResponse(ret),
  AddMsgCount: 0,
  AddMsgList: [],
  ModContactCount: 0,
  ModContactList: [],
  DelContactCount: 0,
  DelContactList: [],
  ModChatRoomMemberCount: 0,
  ModChatRoomMemberList: [],
  Profile: emptyProfile,
  ContinueFlag: 0,
  SyncKey: { Count: 0, List: [] },
  SKey: "",
  SyncCheckKey: { Count: 0, List: [] },
})

const emptyProfile = {
  BitFlag: 0,
  UserName: { Buff: "" },
  NickName: { Buff: "" },
  BindUin: 0,
  BindEmail: { Buff: "" },
  BindMobile: { Buff: "" },
  Status: 0,
  Sex: 0,
  PersonalCard: 0,
  Alias: "",
  HeadImgUpdateFlag: 0,
  HeadImgUrl: "",
  Signature: "",
}

/**
 * webwxsync: everything in the account's log after the client's SyncKey, at most a batch at a
 * time (`ContinueFlag` 1 when more remain). A key this session never issued gets nothing new.
 * The key a client sends back confirms what it has; a new session starts from there.
 */
const webwxsync = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, syncFailure)
  if (!auth) return
  const { world } = ctx
  const { account, session, body } = auth
  if (account.rateLimitedSyncs > 0) {
    account.rateLimitedSyncs -= 1
    ctx.sendJson(syncFailure(RATE_LIMITED))
    return
  }
  const position = positionOfSyncKey(session, body["SyncKey"], account.headSeq)
  if (position === undefined) {
    ctx.sendJson(syncFailure(0))
    return
  }
  session.confirmedPosition = Math.max(session.confirmedPosition, position)
  account.acknowledgedSeq = Math.max(account.acknowledgedSeq, position)
  world.trimLog(account)

  const first = world.logIndexAfter(account, position)
  const batch: Array<LogEntry> = account.log.slice(first, first + world.options.syncBatchSize)
  const newPosition = batch.length > 0 ? batch[batch.length - 1]!.seq : position
  const messages: Array<WireValue> = []
  const modified = new Set<string>()
  const deleted = new Set<string>()
  for (const entry of batch) {
    if (entry.type === "message") messages.push(renderMessage(session, entry.message))
    else if (entry.type === "modContact") {
      deleted.delete(entry.wxid)
      modified.add(entry.wxid)
    } else {
      modified.delete(entry.wxid)
      deleted.add(entry.wxid)
    }
  }
  const modList = [...modified].map((wxid) => renderModContact(world, account, session, wxid))
  const delList = [...deleted].map((wxid) => ({ UserName: session.userName(wxid), ContactFlag: 0 }))
  const now = Math.floor(world.now() / 1000)
  ctx.sendJson({
    ...baseResponse(0),
    AddMsgCount: messages.length,
    AddMsgList: messages,
    ModContactCount: modList.length,
    ModContactList: modList,
    DelContactCount: delList.length,
    DelContactList: delList,
    ModChatRoomMemberCount: 0,
    ModChatRoomMemberList: [],
    Profile: emptyProfile,
    ContinueFlag: newPosition < account.headSeq ? 1 : 0,
    SyncKey: syncKey(session, newPosition, now),
    SKey: "",
    SyncCheckKey: syncCheckKey(session, newPosition, now),
  })
}

export const syncRoutes: ReadonlyArray<Route> = [
  { kind: "webpush", method: "GET", path: `${CGI}/synccheck`, handle: synccheck },
  { kind: "api", method: "POST", path: `${CGI}/webwxsync`, handle: webwxsync },
]
