import {
  CookieJar,
  LeanUndiciClient,
  Login,
  makeClient,
  Messages,
  ProtocolConfig,
  Transport,
  Upstream,
  WebwxSync,
  type WxSession,
} from "@wxfleet/protocol"
import { Effect, Layer, Option, Stream } from "effect"

/** The protocol client's layers: HTTP on undici, every request sent to the simulator's upstream template. */
export const clientLayer = (upstream: string): Layer.Layer<Transport | ProtocolConfig> =>
  Layer.mergeAll(Transport.Default, ProtocolConfig.layer()).pipe(
    Layer.provide(Layer.mergeAll(LeanUndiciClient.layer, Upstream.layer(upstream))),
  )

/** Plays the account's phone for a QR login: scans the code `uuid` and confirms. */
export type Phone = (account: string, uuid: string) => Promise<void>

/** The steps from jslogin to the first webwxsync, in order. */
export const LOGIN_STEPS = [
  "jslogin",
  "phone scan + confirm",
  "login poll",
  "webwxnewloginpage",
  "webwxinit",
  "webwxstatusnotify",
  "webwxgetcontact (all pages)",
  "webwxsync + decode",
] as const
export type LoginStep = (typeof LOGIN_STEPS)[number]

export interface FirstSync {
  readonly session: WxSession
  readonly selfUserName: string
  readonly selfNickName: string
  /** Contacts webwxgetcontact listed. */
  readonly contacts: number
  /** Messages the first webwxsync brought (the StatusNotify the phone answers webwxstatusnotify with). */
  readonly messages: number
  /** Wall time of each step. */
  readonly stepMs: Readonly<Record<LoginStep, number>>
}

/**
 * What a client does from a QR code to its first synced batch, with the protocol client:
 * jslogin → the phone scans and confirms → login poll → webwxnewloginpage → webwxinit →
 * webwxstatusnotify (Code 3) → every contact page → webwxsync, its messages decoded and its keys kept.
 */
export const loginToFirstSync = (account: string, phone: Phone) =>
  Effect.gen(function* () {
    const stepMs: Partial<Record<LoginStep, number>> = {}
    let lapStart = performance.now()
    const lap = (step: LoginStep): void => {
      const now = performance.now()
      stepMs[step] = now - lapStart
      lapStart = now
    }

    const login = { desktop: false, jar: CookieJar.empty() }
    const uuid = yield* Login.requestUuid(login)
    lap("jslogin")
    yield* Effect.promise(() => phone(account, uuid))
    lap("phone scan + confirm")
    const confirmed = yield* Stream.runLast(Login.awaitConfirmation(login, uuid))
    if (Option.isNone(confirmed) || confirmed.value._tag !== "Confirmed")
      return yield* Effect.dieMessage(`${account}: the login poll ended without a confirmation`)
    lap("login poll")
    const session = yield* Login.completeLogin(login, confirmed.value.redirectUri)
    lap("webwxnewloginpage")
    const client = makeClient(session)
    const { self } = yield* client.init()
    lap("webwxinit")
    yield* client.statusNotify(3)
    lap("webwxstatusnotify")
    const contacts = yield* client.contacts()
    lap("webwxgetcontact (all pages)")
    const batch = yield* WebwxSync.webwxsync(session)
    const messages = Messages.decodeBatch(batch.addMsgList, { selfUserName: self.userName })
    yield* WebwxSync.commitKeys(session, batch)
    lap("webwxsync + decode")

    return {
      session,
      selfUserName: self.userName,
      selfNickName: self.nickName,
      contacts: contacts.length,
      messages: messages.length,
      stepMs: stepMs as Record<LoginStep, number>,
    } satisfies FirstSync
  })
