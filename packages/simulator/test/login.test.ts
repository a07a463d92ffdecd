import { once } from "node:events"
import jsQRModule from "jsqr"
import { PNG } from "pngjs"
import { afterAll, assert, describe, it } from "vitest"
import { LOGIN_REFUSED_1203 } from "../src/index.js"
import { Browser } from "./support/browser.js"
import { startWorld } from "./support/fixtures.js"
import { CGI, completeLogin, jslogin, poll, qrLogin, synccheck, tag } from "./support/webClient.js"

// jsqr is CommonJS with a default export: interop gives the function or `{ default }`.
const jsQR = ((jsQRModule as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default

const { sim, world } = await startWorld({ loginPollHoldMs: 300 })
afterAll(() => sim.close())

const DESKTOP_HEADERS = { "client-version": "2.0.0", extspam: "Go8FCIkFEokFCggwMDAwMDAwMRAGGvAE" }

describe("jslogin and the QR code", () => {
  it("answers a uuid in the JavaScript-assignment form", async () => {
    const browser = new Browser(sim.url)
    const res = await browser.request(
      `https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&redirect_uri=x&fun=new&lang=zh_CN&_=1`,
    )
    assert.match(res.text, /^window\.QRLogin\.code = 200; window\.QRLogin\.uuid = "[A-Za-z0-9_-]{10}==";$/)
  })

  it("refuses an unknown appid", async () => {
    const res = await new Browser(sim.url).request(`https://login.wx.qq.com/jslogin?appid=wx0&fun=new`)
    assert.match(res.text, /window\.QRLogin\.code = 400;/)
  })

  it("serves a PNG QR image for a known uuid and 404 for an unknown one", async () => {
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    const png = await browser.request(`https://login.weixin.qq.com/qrcode/${uuid}`)
    assert.strictEqual(png.status, 200)
    assert.strictEqual(png.headers.get("content-type"), "image/png")
    assert.deepStrictEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47])
    // Read back as a phone would: decode the PNG's pixels and the QR code they draw.
    const image = PNG.sync.read(Buffer.from(png.bytes))
    const code = jsQR(new Uint8ClampedArray(image.data), image.width, image.height)
    assert.strictEqual(code?.data, `https://login.weixin.qq.com/l/${uuid}`)
    const missing = await browser.request(`https://login.weixin.qq.com/qrcode/nope==`)
    assert.strictEqual(missing.status, 404)
  })
})

describe("the login poll", () => {
  it("holds and answers 408 while nobody scans", async () => {
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    const started = Date.now()
    assert.strictEqual(await poll(browser, uuid), "window.code=408;")
    assert.isAtLeast(Date.now() - started, 250)
  })

  it("says loginPollHeld once per poll, even when its hold has to wait again", async () => {
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    let held = 0
    const count = (flow: string) => {
      if (flow !== uuid) return
      // The first time: set the clock back, so the hold's timer ends before the hold does (as a
      // timer firing a millisecond early does) and the poll waits once more.
      if (held++ === 0) world.advanceClock(-100)
    }
    world.events.on("loginPollHeld", count)
    try {
      assert.strictEqual(await poll(browser, uuid), "window.code=408;")
      assert.strictEqual(held, 1)
    } finally {
      world.events.off("loginPollHeld", count)
      world.advanceClock(100)
    }
  })

  it("answers a held poll at once with 201 and the avatar when the phone scans", async () => {
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    const held = once(world.events, "loginPollHeld")
    const pending = poll(browser, uuid)
    assert.deepStrictEqual(await held, [uuid])
    world.scan(uuid, "wxid_bot1")
    const answer = await pending
    assert.match(answer, /^window\.code=201;window\.userAvatar = 'data:img\/jpg;base64,\/9j\/[A-Za-z0-9+/=]+';$/)
  })

  it("goes 201 then 200 with a redirect to the account's home host", async () => {
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    world.scan(uuid, "wxid_bot1")
    assert.match(await poll(browser, uuid, 1), /^window\.code=201;/)
    const held = once(world.events, "loginPollHeld")
    const next = poll(browser, uuid, 0)
    await held
    world.confirm(uuid)
    const answer = await next
    assert.match(
      answer,
      /^window\.code=200;\nwindow\.redirect_uri="https:\/\/wx2\.qq\.com\/cgi-bin\/mmwebwx-bin\/webwxnewloginpage\?ticket=[^&]+@qrticket_0&uuid=[^&]+&lang=zh_CN&scan=\d+";$/,
    )
  })

  it("answers 202 when the phone cancels and 400 when the QR expires", async () => {
    const browser = new Browser(sim.url)
    const cancelled = await jslogin(browser)
    world.scan(cancelled, "wxid_bot1")
    world.cancel(cancelled)
    assert.strictEqual(await poll(browser, cancelled), "window.code=202;")

    const expired = await jslogin(browser)
    world.advanceClock(world.options.qrTtlMs + 1)
    assert.strictEqual(await poll(browser, expired), "window.code=400;")
    assert.strictEqual(await poll(browser, "unknown=="), "window.code=400;")
  })
})

describe("webwxnewloginpage", () => {
  it("answers the <error> XML with keys and sets domain cookies, the data ticket on .qq.com", async () => {
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    world.scan(uuid, "wxid_bot1")
    world.confirm(uuid)
    const redirect = /redirect_uri="([^"]+)"/.exec(await poll(browser, uuid))![1]!
    const res = await browser.request(`${redirect}&fun=new&version=v2`)
    assert.strictEqual(res.status, 200)
    assert.match(
      res.text,
      /^<error><ret>0<\/ret><message><\/message><skey>@crypt_[0-9a-f]{8}_[0-9a-f]{32}<\/skey><wxsid>[^<]{16}<\/wxsid><wxuin>\d+<\/wxuin><pass_ticket>[^<]*%[0-9A-F]{2}[^<]*<\/pass_ticket><isgrayscale>1<\/isgrayscale><\/error>$/,
    )
    const setCookies = res.headers.getSetCookie()
    const names = setCookies.map((c) => c.split("=")[0])
    for (const name of ["wxuin", "wxsid", "wxloadtime", "mm_lang", "webwx_data_ticket", "webwxuvid", "webwx_auth_ticket"]) {
      assert.include(names, name)
    }
    assert.match(setCookies.find((c) => c.startsWith("webwx_data_ticket="))!, /Domain=\.qq\.com/)
    assert.match(setCookies.find((c) => c.startsWith("wxsid="))!, /Domain=wx2\.qq\.com; Path=\/; Expires=\w{3}, \d{2} \w{3} \d{4}/)

    // The ticket is single-use.
    const again = await browser.request(`${redirect}&fun=new&version=v2`)
    assert.strictEqual(tag(again.text, "ret"), "1")
  })

  it("refuses an account barred from web login with ret 1203 and the server's message", async () => {
    world.addAccount({ wxid: "wxid_refused", nickName: "Refused", webLoginRefused: true })
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser)
    world.scan(uuid, "wxid_refused")
    world.confirm(uuid)
    const redirect = /redirect_uri="([^"]+)"/.exec(await poll(browser, uuid))![1]!
    const res = await browser.request(`${redirect}&fun=new&version=v2`)
    assert.strictEqual(res.text, `<error><ret>1203</ret><message>${LOGIN_REFUSED_1203}</message></error>`)
    assert.include(res.text, "https://pc.weixin.qq.com  Mac")
  })

  it("logs a refused account in through desktop mode: 301 with the XML in the body, ids in cookies", async () => {
    world.addAccount({ wxid: "wxid_desktop", nickName: "Desk", webLoginRefused: true, home: "wx8.qq.com" })
    const browser = new Browser(sim.url)
    const uuid = await jslogin(browser, true)
    world.scan(uuid, "wxid_desktop")
    world.confirm(uuid)
    const redirect = /redirect_uri="([^"]+)"/.exec(await poll(browser, uuid))![1]!

    const noHeaders = await browser.request(`${redirect}&fun=new&mod=desktop`)
    assert.strictEqual(tag(noHeaders.text, "ret"), "1203")

    // A UOS client without mod=desktop (wechat4u's way) gets the same XML, ids included, as a 301.
    const uosBrowser = new Browser(sim.url)
    const uuidUos = await jslogin(uosBrowser)
    world.scan(uuidUos, "wxid_bot1")
    world.confirm(uuidUos)
    const redirectUos = /redirect_uri="([^"]+)"/.exec(await poll(uosBrowser, uuidUos))![1]!
    const uos = await uosBrowser.request(`${redirectUos}&fun=new`, { headers: DESKTOP_HEADERS })
    assert.strictEqual(uos.status, 301)
    assert.strictEqual(tag(uos.text, "ret"), "0")
    assert.isDefined(tag(uos.text, "wxsid"))
    assert.isDefined(tag(uos.text, "wxuin"))

    const uuid2 = await jslogin(browser, true)
    world.scan(uuid2, "wxid_desktop")
    world.confirm(uuid2)
    const redirect2 = /redirect_uri="([^"]+)"/.exec(await poll(browser, uuid2))![1]!
    const legacy = await browser.request(`${redirect2}&fun=new&mod=desktop`, { headers: DESKTOP_HEADERS })
    assert.strictEqual(legacy.status, 301)
    assert.isNull(legacy.headers.get("location"))
    assert.strictEqual(tag(legacy.text, "ret"), "0")
    assert.isUndefined(tag(legacy.text, "wxsid"))
    assert.isDefined(browser.cookie("wxsid"))

    const uuid3 = await jslogin(browser, true)
    world.scan(uuid3, "wxid_desktop")
    world.confirm(uuid3)
    const logged = await completeLogin(browser, await poll(browser, uuid3), DESKTOP_HEADERS, true)
    assert.strictEqual(logged.home, "wx8.qq.com")
    assert.strictEqual((logged.init["BaseResponse"] as { Ret: number }).Ret, 0)
  })
})

describe("push login", () => {
  it("needs the cookies of an earlier session, answers ret as a string, and logs in with no scan", async () => {
    const first = await qrLogin(sim, "wxid_bot2")
    const stranger = new Browser(sim.url)
    const refused = await stranger.request(`https://wx.qq.com${CGI}/webwxpushloginurl?uin=${first.uin}`)
    assert.strictEqual(refused.text, `{"ret":"3","msg":"device authinfo invalid"}`)
    const unknown = await first.browser.request(`https://wx.qq.com${CGI}/webwxpushloginurl?uin=42`)
    assert.strictEqual(unknown.text, `{"ret":"1","msg":"args error"}`)

    world.logout("wxid_bot2", 1101)
    const push = await first.browser.request(`https://wx.qq.com${CGI}/webwxpushloginurl?uin=${first.uin}`)
    const body = JSON.parse(push.text) as { ret: string; msg: string; uuid: string }
    assert.strictEqual(body.ret, "0")
    assert.strictEqual(body.msg, "all ok")
    const second = await completeLogin(first.browser, await poll(first.browser, body.uuid))
    assert.notStrictEqual(second.sid, first.sid)
    // UserNames are scoped to a session: the same account has a new one after a new login.
    assert.notStrictEqual(second.self, first.self)
  })

  it("ends the previous session with 1101 when the account logs in again elsewhere", async () => {
    const first = await qrLogin(sim, "wxid_bot1")
    await qrLogin(sim, "wxid_bot1")
    const check = await synccheck(first)
    assert.strictEqual(check.retcode, "1101")
  })
})
