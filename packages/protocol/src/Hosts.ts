/** The hosts one login lives on, decided by the host the login redirect pointed to. */
export interface HostSet {
  readonly home: string
  readonly login: string
  readonly file: string
  /** Webpush hosts to try for synccheck, in order; the first is the official client's choice. */
  readonly webpush: ReadonlyArray<string>
}

/**
 * The official client's mapping (confFactory): wx2/wx8 have their own login/file/webpush hosts,
 * any other qq.com host uses wx.qq.com's, web2.wechat.com its own, other wechat.com hosts
 * web.wechat.com's; anything else falls back to the defaults.
 */
export const hostsFor = (home: string): HostSet => {
  const base =
    home === "wx2.qq.com" || home === "wx8.qq.com"
      ? home
      : home.endsWith("qq.com")
        ? "wx.qq.com"
        : home === "web2.wechat.com"
          ? "web2.wechat.com"
          : home.endsWith("wechat.com")
            ? "web.wechat.com"
            : undefined
  if (base === undefined) {
    return {
      home,
      login: "login.weixin.qq.com",
      file: "file.wx.qq.com",
      webpush: ["webpush.weixin.qq.com", "webpush.wx.qq.com", "webpush2.wx.qq.com"],
    }
  }
  return {
    home,
    login: `login.${base}`,
    file: `file.${base}`,
    webpush: [`webpush.${base}`, `webpush2.${base}`, `webpush1.${base}`],
  }
}

/** The candidate list rotated so that `current` comes first (the one that worked last time). */
export const webpushOrder = (hosts: HostSet, current: string | undefined): ReadonlyArray<string> => {
  const index = current === undefined ? -1 : hosts.webpush.indexOf(current)
  return index <= 0 ? hosts.webpush : [...hosts.webpush.slice(index), ...hosts.webpush.slice(0, index)]
}
