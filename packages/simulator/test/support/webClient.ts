import type { Simulator } from "../../src/index.js"
import { Browser } from "./browser.js"

export const CGI = "/cgi-bin/mmwebwx-bin"

export interface SyncKey {
  Count: number
  List: Array<{ Key: number; Val: number }>
}

/** What a logged-in test client holds; helpers below speak the wire with it. */
export interface LoggedIn {
  readonly browser: Browser
  readonly home: string
  readonly sid: string
  readonly skey: string
  readonly uin: string
  readonly passTicket: string
  readonly self: string
  syncKey: SyncKey
  syncCheckKey: SyncKey | undefined
  readonly init: Record<string, unknown>
}

export const tag = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

export const jslogin = async (browser: Browser, desktop = false): Promise<string> => {
  const redirect = encodeURIComponent(`https://wx.qq.com${CGI}/webwxnewloginpage${desktop ? "?mod=desktop" : ""}`)
  const res = await browser.request(
    `https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&redirect_uri=${redirect}&fun=new&lang=zh_CN&_=${Date.now()}`,
  )
  const uuid = /window\.QRLogin\.uuid = "([^"]+)";/.exec(res.text)?.[1]
  if (!uuid) throw new Error(`no uuid in ${res.text}`)
  return uuid
}

export const poll = async (browser: Browser, uuid: string, tip: 0 | 1 = 1): Promise<string> =>
  (await browser.request(`https://login.wx.qq.com${CGI}/login?loginicon=true&uuid=${encodeURIComponent(uuid)}&tip=${tip}&r=${~Date.now()}&_=${Date.now()}`)).text

export const baseRequest = (c: LoggedIn) => ({
  Uin: Number(c.uin),
  Sid: c.sid,
  Skey: c.skey,
  DeviceID: "e" + String(Math.random()).slice(2, 17).padEnd(15, "0"),
})

/** Follows a confirmed poll answer through webwxnewloginpage and webwxinit. */
export const completeLogin = async (browser: Browser, pollAnswer: string, extraHeaders: Record<string, string> = {}, desktop = false): Promise<LoggedIn> => {
  const redirect = /window\.redirect_uri="([^"]+)";/.exec(pollAnswer)?.[1]
  if (!redirect) throw new Error(`no redirect in ${pollAnswer}`)
  const page = await browser.request(`${redirect}&fun=new&version=v2${desktop ? "&mod=desktop" : ""}`, { headers: extraHeaders })
  if (tag(page.text, "ret") !== "0") throw new Error(`login refused: ${page.text}`)
  const home = new URL(redirect).hostname
  const partial = {
    browser,
    home,
    sid: tag(page.text, "wxsid") ?? browser.cookie("wxsid")!,
    skey: tag(page.text, "skey")!,
    uin: tag(page.text, "wxuin") ?? browser.cookie("wxuin")!,
    passTicket: tag(page.text, "pass_ticket")!,
  }
  const init = await browser.postJson(`https://${home}${CGI}/webwxinit?r=${~Date.now()}&pass_ticket=${partial.passTicket}`, {
    BaseRequest: baseRequest(partial as LoggedIn),
  })
  const body = JSON.parse(init.text) as Record<string, unknown>
  return {
    ...partial,
    self: (body["User"] as { UserName: string }).UserName,
    syncKey: body["SyncKey"] as SyncKey,
    syncCheckKey: undefined,
    init: body,
  }
}

/** A whole QR login played from both ends: the client polls, the simulator's phone scans. */
export const qrLogin = async (sim: Simulator, account: string, browser = new Browser(sim.url)): Promise<LoggedIn> => {
  const uuid = await jslogin(browser)
  sim.world.scan(uuid, account)
  sim.world.confirm(uuid)
  return completeLogin(browser, await poll(browser, uuid))
}

export const keyParam = (key: SyncKey): string => key.List.map((k) => `${k.Key}_${k.Val}`).join("|")

export const synccheck = async (c: LoggedIn, host = `webpush.${c.home}`): Promise<{ retcode: string; selector: string; raw: string }> => {
  const key = keyParam(c.syncCheckKey ?? c.syncKey)
  const res = await c.browser.request(
    `https://${host}${CGI}/synccheck?r=${Date.now()}&skey=${encodeURIComponent(c.skey)}&sid=${encodeURIComponent(c.sid)}&uin=${c.uin}&deviceid=e123456789012345&synckey=${encodeURIComponent(key)}&_=${Date.now()}`,
  )
  const match = /^window\.synccheck=\{retcode:"(\d+)",selector:"(\d+)"\}$/.exec(res.text)
  if (!match) throw new Error(`bad synccheck body ${res.text}`)
  return { retcode: match[1]!, selector: match[2]!, raw: res.text }
}

export interface SyncAnswer {
  readonly raw: string
  readonly body: Record<string, unknown> & {
    BaseResponse: { Ret: number }
    AddMsgList: Array<Record<string, unknown>>
    ModContactList: Array<Record<string, unknown>>
    DelContactList: Array<Record<string, unknown>>
    ContinueFlag: number
  }
}

/** webwxsync; advances the client's keys as the official client does (only when Count > 0). */
export const sync = async (c: LoggedIn): Promise<SyncAnswer> => {
  const res = await c.browser.postJson(
    `https://${c.home}${CGI}/webwxsync?sid=${encodeURIComponent(c.sid)}&skey=${encodeURIComponent(c.skey)}&lang=zh_CN&pass_ticket=${c.passTicket}`,
    { BaseRequest: baseRequest(c), SyncKey: c.syncKey, rr: ~Date.now() },
  )
  const body = JSON.parse(res.text) as SyncAnswer["body"]
  const syncKey = body["SyncKey"] as SyncKey
  if (syncKey.Count > 0) c.syncKey = syncKey
  const checkKey = body["SyncCheckKey"] as SyncKey | undefined
  if (checkKey && checkKey.Count > 0) c.syncCheckKey = checkKey
  return { raw: res.text, body }
}

/** Syncs until nothing more is pending and returns every AddMsgList entry. */
export const drain = async (c: LoggedIn): Promise<Array<Record<string, unknown>>> => {
  const messages: Array<Record<string, unknown>> = []
  for (;;) {
    const { body } = await sync(c)
    messages.push(...body.AddMsgList)
    if (body.ContinueFlag === 0) return messages
  }
}

export const api = (c: LoggedIn, endpoint: string, query = "") =>
  `https://${c.home}${CGI}/${endpoint}?${query}${query ? "&" : ""}pass_ticket=${c.passTicket}`
