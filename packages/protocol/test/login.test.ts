import { assert, describe, expect, it } from "@effect/vitest"
import { Simulator } from "@wxfleet/simulator"
import { Chunk, Effect, Stream } from "effect"
import { afterAll } from "vitest"
import { CookieJar } from "../src/http/CookieJar.js"
import { DESKTOP_HEADERS, DESKTOP_USER_AGENT, WEB_USER_AGENT } from "../src/http/Transport.js"
import {
  awaitConfirmation,
  completeLogin,
  pollOnce,
  pushLogin,
  qrImage,
  qrPayload,
  requestUuid,
  webWeChatHost,
} from "../src/login/Login.js"
import { protocolLayer, recordingLayer } from "./support/layer.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300 })
sim.world.addAccount({ wxid: "wxid_p1", nickName: "P1", home: "wx2.qq.com" })
sim.world.addAccount({ wxid: "wxid_refused", nickName: "No", webLoginRefused: true })
afterAll(() => sim.close())
const layer = protocolLayer(sim)
const recording = recordingLayer(sim)

/** The query of the last request the recording client sent to `endpoint`, as a URL. */
const lastUrl = (endpoint: string): URL => {
  const request = recording.requestsTo(endpoint).at(-1)
  assert(request !== undefined, `no request to ${endpoint}`)
  return new URL(request.url)
}

/** Runs `act` on the `n`th (1-based) held login poll of `uuid`, as the server starts holding it. */
const onHeldPoll = (uuid: string, acts: Readonly<Record<number, () => void>>) => {
  let held = 0
  const listener = (flow: string) => {
    if (flow === uuid) acts[++held]?.()
  }
  sim.world.events.on("loginPollHeld", listener)
  return () => void sim.world.events.off("loginPollHeld", listener)
}

const scanAndConfirm = (account: string) => (uuid: string) =>
  Effect.sync(() => {
    sim.world.scan(uuid, account)
    sim.world.confirm(uuid)
  })

/** A QR login of `account`, scanned and confirmed: its options and the confirmed redirect. */
const confirmedLogin = (account: string, { desktop }: { readonly desktop: boolean }) =>
  Effect.gen(function* () {
    const options = { desktop, jar: CookieJar.empty() }
    const uuid = yield* requestUuid(options)
    yield* scanAndConfirm(account)(uuid)
    const confirmed = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, uuid))).at(-1)
    assert(confirmed?._tag === "Confirmed", `login ended with ${confirmed?._tag}`)
    return { options, uuid, confirmed }
  })

describe("Login", () => {
  it.effect("logs in by QR code: uuid, scan, confirm, keys from webwxnewloginpage", () =>
    Effect.gen(function* () {
      const options = { desktop: false, jar: CookieJar.empty() }
      const uuid = yield* requestUuid(options)
      expect(qrPayload(uuid)).toBe(`https://login.weixin.qq.com/l/${uuid}`)
      yield* scanAndConfirm("wxid_p1")(uuid)
      const progress = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, uuid)))
      const confirmed = progress.at(-1)!
      expect(confirmed._tag).toBe("Confirmed")
      const session = yield* completeLogin(options, (confirmed as { redirectUri: string }).redirectUri)
      const data = yield* session.data.get
      expect(data.home).toBe("wx2.qq.com")
      expect(data.uin).toBe(String(sim.world.account("wxid_p1").person.uin))
      expect(session.dataTicket()).toBeDefined()
    }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with LoginRefused carrying the server's 1203 message", () =>
    Effect.gen(function* () {
      const { options, confirmed } = yield* confirmedLogin("wxid_refused", { desktop: false })
      const refused = yield* Effect.flip(completeLogin(options, confirmed.redirectUri))
      assert(refused._tag === "LoginRefused", `failed with ${refused._tag}`)
      expect(refused.ret).toBe(1203)
      expect(refused.host).toBe(new URL(confirmed.redirectUri).host)
      expect(refused.serverMessage).toMatch(/^为了你的帐号安全，此微信号不能登录网页微信。/)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("refuses a confirmed login whose redirect leaves Web WeChat's domains, without calling it", () =>
    Effect.gen(function* () {
      const { options, confirmed } = yield* confirmedLogin("wxid_p1", { desktop: false })
      const before = recording.requestsTo("webwxnewloginpage").length
      const foreign = confirmed.redirectUri.replace(/^https:\/\/[^/]+/, "https://wx.qq.com.evil.example")
      const refused = yield* Effect.flip(completeLogin(options, foreign))
      assert(refused._tag === "UnknownHost", `failed with ${refused._tag}`)
      expect(refused.host).toBe("wx.qq.com.evil.example")
      const garbled = yield* Effect.flip(completeLogin(options, "not a url"))
      expect(garbled._tag).toBe("UnknownHost")
      expect(recording.requestsTo("webwxnewloginpage").length).toBe(before)
    }).pipe(Effect.provide(recording.layer)),
  )

  it.effect("logs in again by push login with the cookies of the earlier session", () =>
    Effect.gen(function* () {
      const { options, confirmed } = yield* confirmedLogin("wxid_p1", { desktop: false })
      const first = yield* completeLogin(options, confirmed.redirectUri)
      const { uin, home } = yield* first.data.get
      const pushUuid = yield* pushLogin(options, home, uin)
      const again = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, pushUuid))).at(-1) as { redirectUri: string }
      const second = yield* completeLogin(options, again.redirectUri)
      expect((yield* second.data.get).sid).not.toBe((yield* first.data.get).sid)
      const refused = yield* Effect.flip(pushLogin({ desktop: false, jar: CookieJar.empty() }, home, uin))
      assert(refused._tag === "PushLoginRefused", `failed with ${refused._tag}`)
      expect(refused.host).toBe(home)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("logs a web-refused account in through desktop mode (301 with the XML, ids from cookies)", () =>
    Effect.gen(function* () {
      const { options, confirmed } = yield* confirmedLogin("wxid_refused", { desktop: true })
      const session = yield* completeLogin(options, confirmed.redirectUri)
      const data = yield* session.data.get
      expect(data.uin).toBe(String(sim.world.account("wxid_refused").person.uin))
      expect(data.sid.length).toBeGreaterThan(0)
      expect(session.desktop).toBe(true)
    }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with QrExpired when the code expires and QrCancelled when the phone cancels", () =>
    Effect.gen(function* () {
      const options = { desktop: false, jar: CookieJar.empty() }
      const expiring = yield* requestUuid(options)
      sim.world.expire(expiring)
      expect((yield* Effect.flip(Stream.runDrain(awaitConfirmation(options, expiring))))._tag).toBe("QrExpired")
      const cancelled = yield* requestUuid(options)
      sim.world.scan(cancelled, "wxid_p1")
      sim.world.cancel(cancelled)
      expect((yield* Effect.flip(Stream.runDrain(awaitConfirmation(options, cancelled))))._tag).toBe("QrCancelled")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("polls with tip=1 until the code is scanned, 408s included, then tip=0; Scanned carries the avatar", () =>
    Effect.gen(function* () {
      const options = { desktop: false, jar: CookieJar.empty() }
      const uuid = yield* requestUuid(options)
      // The first poll is held and answers 408; the phone scans during the second and confirms during the third.
      const stop = onHeldPoll(uuid, {
        2: () => sim.world.scan(uuid, "wxid_p1"),
        3: () => sim.world.confirm(uuid),
      })
      const progress = yield* Stream.runCollect(awaitConfirmation(options, uuid)).pipe(
        Effect.ensuring(Effect.sync(stop)),
      )
      const [scanned, confirmed, ...rest] = Chunk.toArray(progress)
      assert(scanned?._tag === "Scanned", `first change was ${scanned?._tag}`)
      expect(scanned.avatar).toMatch(/^data:img\/jpg;base64,\/9j\//)
      expect(confirmed?._tag).toBe("Confirmed")
      expect(rest).toEqual([])
      // The recording is shared by the tests of this file: only this login's polls count.
      const polls = recording
        .requestsTo("login")
        .map((r) => new URL(r.url).searchParams)
        .filter((q) => q.get("uuid") === uuid)
      expect(polls.map((q) => q.get("tip"))).toEqual(["1", "1", "0"])
      expect(polls.every((q) => q.get("loginicon") === "true")).toBe(true)
    }).pipe(Effect.provide(recording.layer)),
  )

  it.effect("asks webwxnewloginpage with fun=new&version=v2 and sends the browser's headers in web mode", () =>
    Effect.gen(function* () {
      const options = { desktop: false, jar: CookieJar.empty() }
      const uuid = yield* requestUuid(options)
      const redirect = new URL(lastUrl("jslogin").searchParams.get("redirect_uri") ?? "")
      expect([redirect.host, redirect.pathname, redirect.search]).toEqual(["wx.qq.com", "/cgi-bin/mmwebwx-bin/webwxnewloginpage", ""])
      yield* scanAndConfirm("wxid_p1")(uuid)
      const confirmed = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, uuid))).at(-1)
      assert(confirmed?._tag === "Confirmed")
      yield* completeLogin(options, confirmed.redirectUri)
      const page = lastUrl("webwxnewloginpage")
      expect([page.searchParams.get("fun"), page.searchParams.get("version"), page.searchParams.get("mod")]).toEqual(["new", "v2", null])
      const headers = recording.requestsTo("webwxnewloginpage").at(-1)!.headers
      expect(headers["user-agent"]).toBe(WEB_USER_AGENT)
      expect([headers["client-version"], headers["extspam"]]).toEqual([undefined, undefined])
    }).pipe(Effect.provide(recording.layer)),
  )

  it.effect("desktop mode: mod=desktop on jslogin's redirect, webwxnewloginpage and push login, with the desktop headers", () =>
    Effect.gen(function* () {
      const options = { desktop: true, jar: CookieJar.empty() }
      const uuid = yield* requestUuid(options)
      expect(lastUrl("jslogin").searchParams.get("redirect_uri")).toBe(
        "https://wx.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?mod=desktop",
      )
      yield* scanAndConfirm("wxid_p1")(uuid)
      const confirmed = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, uuid))).at(-1)
      assert(confirmed?._tag === "Confirmed")
      const session = yield* completeLogin(options, confirmed.redirectUri)
      const page = lastUrl("webwxnewloginpage")
      expect([page.searchParams.get("fun"), page.searchParams.get("version"), page.searchParams.get("mod")]).toEqual(["new", "v2", "desktop"])
      const headers = recording.requestsTo("webwxnewloginpage").at(-1)!.headers
      expect(headers["user-agent"]).toBe(DESKTOP_USER_AGENT)
      expect(headers["client-version"]).toBe(DESKTOP_HEADERS["client-version"])
      expect(headers["extspam"]).toBe(DESKTOP_HEADERS["extspam"])
      expect(headers["referer"]).toBe("https://wx.qq.com/?&lang=zh_CN&target=t")
      const { uin, home } = yield* session.data.get
      const pushUuid = yield* pushLogin(options, home, uin)
      const push = lastUrl("webwxpushloginurl")
      expect([push.pathname.split("/")[1], push.searchParams.get("uin"), push.searchParams.get("mod")]).toEqual([home, uin, "desktop"])
      expect(sim.world.flow(pushUuid)?.desktop).toBe(true)
    }).pipe(Effect.provide(recording.layer)),
  )

  it.effect("streams the QR image the server renders; an unknown uuid is UnexpectedStatus 404", () =>
    Effect.gen(function* () {
      const options = { desktop: false, jar: CookieJar.empty() }
      const uuid = yield* requestUuid(options)
      const png = Chunk.toArray(yield* Stream.runCollect(qrImage(options, uuid))).flatMap((bytes) => [...bytes])
      expect(png.slice(0, 8)).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
      const missing = yield* Effect.flip(Stream.runDrain(qrImage(options, "no-such-uuid")))
      assert(missing._tag === "UnexpectedStatus", `failed with ${missing._tag}`)
      expect([missing.status, missing.host, missing.endpoint]).toEqual([404, "login.weixin.qq.com", "qrcode"])
    }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with MalformedResponse, keeping the raw body, when jslogin, the poll or webwxnewloginpage answer garbage", () =>
    Effect.gen(function* () {
      const options = { desktop: false, jar: CookieJar.empty() }
      sim.faults.malformNext({ host: "login.wx.qq.com", path: "/jslogin", kind: "html" })
      const jslogin = yield* Effect.flip(requestUuid(options))
      assert(jslogin._tag === "MalformedResponse", `jslogin failed with ${jslogin._tag}`)
      expect([jslogin.endpoint, jslogin.host]).toEqual(["jslogin", "login.wx.qq.com"])
      expect(jslogin.raw).toContain("502 Bad Gateway")

      const uuid = yield* requestUuid(options)
      sim.faults.malformNext({ host: "login.wx.qq.com", path: "/login", kind: "html" })
      const poll = yield* Effect.flip(pollOnce(options, uuid, 1))
      assert(poll._tag === "MalformedResponse", `the poll failed with ${poll._tag}`)
      expect(poll.raw).toContain("502 Bad Gateway")

      yield* scanAndConfirm("wxid_p1")(uuid)
      const confirmed = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, uuid))).at(-1)
      assert(confirmed?._tag === "Confirmed")
      sim.faults.malformNext({ host: "wx2.qq.com", path: "/webwxnewloginpage", kind: "truncated" })
      const page = yield* Effect.flip(completeLogin(options, confirmed.redirectUri))
      assert(page._tag === "MalformedResponse", `webwxnewloginpage failed with ${page._tag}`)
      expect([page.endpoint, page.host]).toEqual(["webwxnewloginpage", "wx2.qq.com"])
      expect(page.raw).not.toContain("@crypt_")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with TransportError naming the login host when it is down", () =>
    Effect.gen(function* () {
      const options = { desktop: false, jar: CookieJar.empty() }
      sim.faults.hostDown("login.wx.qq.com")
      const down = yield* Effect.flip(requestUuid(options)).pipe(
        Effect.ensuring(Effect.sync(() => sim.faults.hostUp("login.wx.qq.com"))),
      )
      assert(down._tag === "TransportError", `failed with ${down._tag}`)
      expect([down.endpoint, down.host]).toEqual(["jslogin", "login.wx.qq.com"])
    }).pipe(Effect.provide(layer)),
  )
})

describe("webWeChatHost", () => {
  it("accepts https hosts of qq.com and wechat.com only", () => {
    expect(webWeChatHost("https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=t")).toBe("wx2.qq.com")
    expect(webWeChatHost("https://web.wechat.com/cgi-bin/x")).toBe("web.wechat.com")
    expect(webWeChatHost("https://qq.com/")).toBe("qq.com")
    expect(webWeChatHost("http://wx.qq.com/")).toBeUndefined()
    expect(webWeChatHost("https://wx.qq.com:8443/")).toBeUndefined()
    expect(webWeChatHost("https://evilqq.com/")).toBeUndefined()
    expect(webWeChatHost("https://wx.qq.com.evil.example/")).toBeUndefined()
    expect(webWeChatHost("wx.qq.com")).toBeUndefined()
  })
})
