import { describe, expect, it } from "@effect/vitest"
import { Simulator } from "@wxfleet/simulator"
import { Chunk, Effect, Exit, Stream } from "effect"
import { afterAll } from "vitest"
import { CookieJar } from "../src/http/CookieJar.js"
import { awaitConfirmation, completeLogin, pushLogin, qrPayload, requestUuid } from "../src/login/Login.js"
import { protocolLayer } from "./support/layer.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300 })
sim.world.addAccount({ wxid: "wxid_p1", nickName: "P1", home: "wx2.qq.com" })
sim.world.addAccount({ wxid: "wxid_refused", nickName: "No", webLoginRefused: true })
afterAll(() => sim.close())
const layer = protocolLayer(sim)

const scanAndConfirm = (account: string) => (uuid: string) =>
  Effect.sync(() => {
    sim.world.scan(uuid, account)
    sim.world.confirm(uuid)
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
      const options = { desktop: false, jar: CookieJar.empty() }
      const uuid = yield* requestUuid(options)
      yield* scanAndConfirm("wxid_refused")(uuid)
      const confirmed = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, uuid))).at(-1) as { redirectUri: string }
      const exit = yield* Effect.exit(completeLogin(options, confirmed.redirectUri))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("LoginRefused")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("logs in again by push login with the cookies of the earlier session", () =>
    Effect.gen(function* () {
      const options = { desktop: false, jar: CookieJar.empty() }
      const uuid = yield* requestUuid(options)
      yield* scanAndConfirm("wxid_p1")(uuid)
      const confirmed = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, uuid))).at(-1) as { redirectUri: string }
      const first = yield* completeLogin(options, confirmed.redirectUri)
      const { uin, home } = yield* first.data.get
      const pushUuid = yield* pushLogin(options, home, uin)
      const again = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, pushUuid))).at(-1) as { redirectUri: string }
      const second = yield* completeLogin(options, again.redirectUri)
      expect((yield* second.data.get).sid).not.toBe((yield* first.data.get).sid)
      const refused = yield* Effect.flip(pushLogin({ desktop: false, jar: CookieJar.empty() }, home, uin))
      expect(refused._tag).toBe("PushLoginRefused")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("logs a web-refused account in through desktop mode (301 with the XML, ids from cookies)", () =>
    Effect.gen(function* () {
      const options = { desktop: true, jar: CookieJar.empty() }
      const uuid = yield* requestUuid(options)
      yield* scanAndConfirm("wxid_refused")(uuid)
      const confirmed = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(options, uuid))).at(-1) as { redirectUri: string }
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
})
