import { HOME_HOSTS, type HomeHost } from "../world/model.js"

export type HostKind = "login" | "api" | "file" | "webpush"

export interface HostInfo {
  readonly host: string
  readonly kind: HostKind
  /** The home (API) host this host belongs to; login hosts belong to none. */
  readonly home: HomeHost | undefined
}

const LOGIN_HOSTS = new Set(["login.weixin.qq.com", "login.wechat.com", ...HOME_HOSTS.map((h) => `login.${h}`)])

/** Which logical Web WeChat host a request addressed, or undefined for a host that does not exist. */
export const classifyHost = (host: string): HostInfo | undefined => {
  if (LOGIN_HOSTS.has(host)) return { host, kind: "login", home: undefined }
  if ((HOME_HOSTS as ReadonlyArray<string>).includes(host)) return { host, kind: "api", home: host as HomeHost }
  if (host === "webpush.weixin.qq.com") return { host, kind: "webpush", home: "wx.qq.com" }
  const match = /^(file|webpush)(\d?)\.(.+)$/.exec(host)
  if (match && (HOME_HOSTS as ReadonlyArray<string>).includes(match[3]!)) {
    return { host, kind: match[1] as "file" | "webpush", home: match[3] as HomeHost }
  }
  return undefined
}

/** The webpush hosts that answer for an account of this home unless the world says otherwise. */
export const defaultWebpushHosts = (home: HomeHost): ReadonlySet<string> => {
  // Asked on every synccheck: built once per home.
  let hosts = webpushHostsByHome.get(home)
  if (hosts === undefined) {
    const built = new Set([`webpush.${home}`, `webpush1.${home}`, `webpush2.${home}`])
    if (home === "wx.qq.com") built.add("webpush.weixin.qq.com")
    hosts = built
    webpushHostsByHome.set(home, hosts)
  }
  return hosts
}

const webpushHostsByHome = new Map<HomeHost, ReadonlySet<string>>()

/** Cookies are set for the home host and its subdomains; the data ticket for the whole `.qq.com`. */
export const cookieDomains = (home: HomeHost): { readonly session: string; readonly wide: string } => ({
  session: home,
  wide: home.endsWith("wechat.com") ? ".wechat.com" : ".qq.com",
})
