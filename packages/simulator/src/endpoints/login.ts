import QRCode from "qrcode"
import type { Context } from "../http/Context.js"
import { cookieDomains } from "../http/hosts.js"
import { CGI, type Route } from "../http/Route.js"
import { LOGIN_REFUSED_1203, type LoginFlow } from "../world/World.js"
import { avatarJpeg } from "../world/media.js"

const APP_ID = "wx782c26e4c19acffb"

/** `window.QRLogin.code = 200; window.QRLogin.uuid = "…";` — spaces around `=`, trailing `;`. */
const jslogin = (ctx: Context): void => {
  if (ctx.query.get("appid") !== APP_ID) {
    ctx.sendJs(`window.QRLogin.code = 400; window.QRLogin.error = "invalid appid";`)
    return
  }
  const redirect = ctx.query.get("redirect_uri") ?? ""
  const flow = ctx.world.newLoginFlow(redirect.includes("mod=desktop"))
  ctx.sendJs(`window.QRLogin.code = 200; window.QRLogin.uuid = "${flow.uuid}";`)
}

/** The QR image: a PNG encoding `https://login.weixin.qq.com/l/<uuid>`. */
const qrcode = async (ctx: Context): Promise<void> => {
  const uuid = ctx.path.slice("/qrcode/".length)
  if (!ctx.world.flows.has(uuid)) {
    ctx.send(404, "")
    return
  }
  const png = await QRCode.toBuffer(`https://login.weixin.qq.com/l/${uuid}`, { type: "png", margin: 2, scale: 6 })
  ctx.sendBytes("image/png", png)
}

/**
 * The login poll, held while nothing happens: 408 (not yet), 201 (scanned, with the avatar when
 * `loginicon=true`), 200 (confirmed, with redirect_uri), 400 (expired or unknown), 202 (cancelled).
 */
const poll = async (ctx: Context): Promise<void> => {
  const world = ctx.world
  const uuid = ctx.query.get("uuid") ?? ""
  let flow = world.flow(uuid)
  if (!flow) {
    ctx.sendJs("window.code=400;")
    return
  }
  const holdUntil = Math.min(
    world.now() + world.options.loginPollHoldMs,
    flow.createdAt + world.options.qrTtlMs + 1,
  )
  // "loginPollHeld" is said once per poll: a timer that fires a millisecond before the clock says
  // the hold is over waits once more, and a second event would read as a second poll.
  let announced = false
  while (isQuiet(flow, ctx.query.get("tip"))) {
    const wait = holdUntil - world.now()
    if (wait <= 0) break
    const changed = await waitForChange(ctx, flow, wait, !announced)
    announced = true
    if (changed === "gone") return
    flow = world.flow(uuid)!
  }
  ctx.sendJs(pollAnswer(ctx, flow))
}

/** A scanned flow already reported as 201 to a `tip=0` poll stays quiet until it changes again. */
const isQuiet = (flow: LoginFlow, tip: string | null): boolean =>
  flow.state === "waiting" || (flow.state === "scanned" && tip === "0")

const waitForChange = (
  ctx: Context,
  flow: LoginFlow,
  ms: number,
  announce: boolean,
): Promise<"changed" | "timeout" | "gone"> =>
  new Promise((resolve) => {
    const done = (result: "changed" | "timeout" | "gone") => {
      clearTimeout(timer)
      flow.waiters.delete(onChange)
      resolve(result)
    }
    const onChange = () => done("changed")
    const timer = setTimeout(() => done("timeout"), ms)
    flow.waiters.add(onChange)
    ctx.onClientGone(() => done("gone"))
    if (announce) ctx.world.events.emit("loginPollHeld", flow.uuid)
  })

const pollAnswer = (ctx: Context, flow: LoginFlow): string => {
  switch (flow.state) {
    case "waiting":
      return "window.code=408;"
    case "scanned":
      if (ctx.query.get("tip") === "0") return "window.code=408;"
      return ctx.query.get("loginicon") === "true"
        ? `window.code=201;window.userAvatar = 'data:img/jpg;base64,${Buffer.from(avatarJpeg(flow.account ?? "")).toString("base64")}';`
        : "window.code=201;"
    case "confirmed": {
      const account = ctx.world.account(flow.account!)
      const scan = Math.floor((flow.scannedAt ?? ctx.world.now()) / 1000)
      const redirect = `https://${account.home}${CGI}/webwxnewloginpage?ticket=${flow.ticket}&uuid=${flow.uuid}&lang=zh_CN&scan=${scan}`
      return `window.code=200;\nwindow.redirect_uri="${redirect}";`
    }
    case "cancelled":
      return "window.code=202;"
    case "expired":
      return "window.code=400;"
  }
}

/**
 * Push login: with the cookies of an earlier session, the phone is asked to confirm and no QR is
 * shown. `ret` is a string. Then the client polls the uuid as for a QR login.
 */
const pushLogin = (ctx: Context): void => {
  const world = ctx.world
  const uin = ctx.query.get("uin")
  const account = [...world.accounts.values()].find((a) => String(a.person.uin) === uin)
  if (!account || !uin) {
    ctx.sendJson({ ret: "1", msg: "args error" })
    return
  }
  const authTicket = ctx.cookies.get("webwx_auth_ticket")
  if (!account.lastAuthTicket || authTicket !== account.lastAuthTicket || ctx.cookies.get("wxuin") !== uin) {
    ctx.sendJson({ ret: "3", msg: "device authinfo invalid" })
    return
  }
  const flow = world.newLoginFlow(ctx.query.get("mod") === "desktop", { account: account.wxid })
  const delay = world.options.pushConfirmDelayMs
  if (delay !== null) {
    setTimeout(() => {
      if (flow.state === "waiting") world.setFlowState(flow, "confirmed")
    }, delay)
  }
  ctx.sendJson({ ret: "0", msg: "all ok", uuid: flow.uuid })
}

/**
 * webwxnewloginpage: turns the one-time ticket into a session. The answer is XML rooted at
 * `<error>` even on success, and sets the session cookies. A UOS client (the desktop client's
 * `client-version` + `extspam` headers, as wechat4u and openwechat send) gets the same XML with
 * HTTP 301 — no Location unless `version=v2` — so a client must not follow redirects. Desktop
 * mode (`mod=desktop`) answers 301 too and leaves wxsid/wxuin to the cookies, the quirk clients
 * must survive. Refused accounts get `ret` 1203 unless both mark the desktop client.
 */
const newLoginPage = (ctx: Context): void => {
  const world = ctx.world
  const ticket = ctx.query.get("ticket") ?? ""
  const flow = world.tickets.get(ticket)
  if (!flow || flow.uuid !== ctx.query.get("uuid") || !flow.account) {
    ctx.sendXml("<error><ret>1</ret><message>登录超时，请重新扫码登录</message></error>")
    return
  }
  const account = world.account(flow.account)
  if (ctx.host.home !== account.home) {
    ctx.sendXml("<error><ret>1</ret><message>登录超时，请重新扫码登录</message></error>")
    return
  }
  world.tickets.delete(ticket)
  const desktopMode = ctx.query.get("mod") === "desktop"
  const desktopHeaders = ctx.header("client-version") !== undefined && ctx.header("extspam") !== undefined
  if (account.webLoginRefused && !(desktopMode && desktopHeaders)) {
    ctx.sendXml(`<error><ret>1203</ret><message>${LOGIN_REFUSED_1203}</message></error>`)
    return
  }
  const session = world.startSession(account, account.home, desktopMode)
  const domains = cookieDomains(account.home)
  const uin = String(account.person.uin)
  ctx.setCookie("wxuin", uin, { domain: domains.session })
  ctx.setCookie("wxsid", session.sid, { domain: domains.session })
  ctx.setCookie("wxloadtime", `${session.loadTime}_expired`, { domain: domains.session })
  ctx.setCookie("mm_lang", "zh_CN", { domain: domains.session })
  ctx.setCookie("webwx_data_ticket", session.dataTicket, { domain: domains.wide })
  ctx.setCookie("webwxuvid", session.uvid, { domain: domains.session, maxAgeSeconds: 365 * 86400 })
  ctx.setCookie("webwx_auth_ticket", session.authTicket, { domain: domains.session, maxAgeSeconds: 365 * 86400 })
  const ids = desktopMode ? "" : `<wxsid>${session.sid}</wxsid><wxuin>${uin}</wxuin>`
  const xml = `<error><ret>0</ret><message></message><skey>${session.skey}</skey>${ids}<pass_ticket>${session.passTicket}</pass_ticket><isgrayscale>1</isgrayscale></error>`
  if (desktopMode || desktopHeaders) {
    const location: Record<string, string> =
      ctx.query.get("version") === "v2" ? { Location: `https://${account.home}/` } : {}
    ctx.sendXml(xml, 301, location)
  } else {
    ctx.sendXml(xml)
  }
}

export const loginRoutes: ReadonlyArray<Route> = [
  { kind: "login", method: "GET", path: "/jslogin", handle: jslogin },
  { kind: "login", method: "POST", path: "/jslogin", handle: jslogin },
  { kind: "login", method: "GET", path: "/qrcode/", handle: qrcode },
  { kind: "login", method: "GET", path: `${CGI}/login`, handle: poll },
  { kind: "api", method: "GET", path: `${CGI}/webwxpushloginurl`, handle: pushLogin },
  { kind: "login", method: "GET", path: `${CGI}/webwxpushloginurl`, handle: pushLogin },
  { kind: "api", method: "GET", path: `${CGI}/webwxnewloginpage`, handle: newLoginPage },
]
