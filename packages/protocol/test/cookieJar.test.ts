import * as Cookies from "@effect/platform/Cookies"
import { afterEach, describe, expect, it, vi } from "vitest"
import { CookieJar as ToughCookieJar } from "tough-cookie"
import { CookieJar } from "../src/http/CookieJar.js"

const setBy = (jar: CookieJar, url: string, ...headers: Array<string>) => jar.store(url, Cookies.fromSetCookie(headers))

/** Counts how often a header is looked up in tough-cookie, the costly part of building one. */
const countLookups = (_jar: CookieJar) => {
  const counter = { lookups: 0 }
  const lookup = ToughCookieJar.prototype.getCookiesSync
  vi.spyOn(ToughCookieJar.prototype, "getCookiesSync").mockImplementation(function (this: ToughCookieJar, ...args) {
    counter.lookups++
    return lookup.apply(this, args)
  })
  return counter
}

describe("CookieJar.header", () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it("sends each domain its cookies, and keeps the header of a URL until a response sets one", () => {
    const jar = CookieJar.empty()
    setBy(jar, "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage", "wxsid=s1; Path=/", "webwx_data_ticket=t1; Domain=.qq.com; Path=/")
    const counter = countLookups(jar)
    const sync = "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsync?sid=s1&skey=k"
    expect(jar.header(sync)).toBe("wxsid=s1; webwx_data_ticket=t1")
    expect(jar.header("https://file.wx2.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json")).toBe("webwx_data_ticket=t1")
    expect(jar.header(`${sync}&r=2`)).toBe("wxsid=s1; webwx_data_ticket=t1")
    expect(counter.lookups).toBe(2)
    setBy(jar, sync, "wxsid=s2; Path=/")
    expect(jar.header(sync)).toBe("wxsid=s2; webwx_data_ticket=t1")
    expect(counter.lookups).toBe(3)
  })

  it("stops sending a cookie once it expires, though nothing was set since", () => {
    vi.useFakeTimers({ now: new Date("2026-11-24T12:00:00Z"), toFake: ["Date"] })
    const jar = CookieJar.empty()
    const url = "https://wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck"
    setBy(jar, url, "wxsid=s1; Domain=wx2.qq.com; Path=/", "wxloadtime=1; Domain=wx2.qq.com; Path=/; Max-Age=60")
    const counter = countLookups(jar)
    expect(jar.header(url)).toBe("wxsid=s1; wxloadtime=1")
    vi.setSystemTime(new Date("2026-11-24T12:00:59Z"))
    expect(jar.header(url)).toBe("wxsid=s1; wxloadtime=1")
    expect(counter.lookups).toBe(1)
    vi.setSystemTime(new Date("2026-11-24T12:01:01Z"))
    expect(jar.header(url)).toBe("wxsid=s1")
    // With only session cookies left it never needs building again.
    vi.setSystemTime(new Date("2027-11-24T12:00:00Z"))
    expect(jar.header(url)).toBe("wxsid=s1")
    expect(counter.lookups).toBe(2)
  })

  it("keeps its cookies through serialize and restore, and sets over them", () => {
    const jar = CookieJar.empty()
    const page = "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage"
    setBy(jar, page, "wxsid=s1; Path=/", "wxuin=42; Domain=.qq.com; Path=/", "webwx_data_ticket=t1; Domain=.qq.com; Path=/")
    const restored = CookieJar.restore(JSON.parse(JSON.stringify(jar.serialize())))!
    expect(restored.header(page)).toBe("wxsid=s1; wxuin=42; webwx_data_ticket=t1")
    expect(restored.value("webwx_data_ticket", "https://file.wx2.qq.com/")).toBe("t1")
    expect(restored.value("wxsid", "https://file.wx2.qq.com/")).toBeUndefined()
    setBy(restored, page, "wxsid=s2; Path=/")
    expect(restored.find("wxsid")).toBe("s2")
    expect(restored.header(page)).toBe("wxsid=s2; wxuin=42; webwx_data_ticket=t1")
    expect(restored.version).toBe(1)
    expect(CookieJar.restore("not a jar")).toBeUndefined()
  })
})
