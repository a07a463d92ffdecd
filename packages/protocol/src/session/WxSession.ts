import { Effect, Ref } from "effect"
import { hostsFor, type HostSet } from "../Hosts.js"
import { CookieJar } from "../http/CookieJar.js"
import { Lane } from "../http/LeanUndiciClient.js"
import { deviceId } from "../Ids.js"
import type { SessionState, SyncKey } from "./SessionState.js"

/** The mutable part of a logged-in session, kept in one Ref. */
export interface SessionData {
  readonly uin: string
  readonly sid: string
  readonly skey: string
  readonly passTicket: string
  readonly home: string
  readonly webpushHost: string | undefined
  readonly syncKey: SyncKey
  readonly syncCheckKey: SyncKey | undefined
  readonly self: { readonly userName: string; readonly nickName: string } | undefined
}

/** One account's logged-in session: its cookie jar, its keys and where it syncs from. */
export class WxSession {
  readonly hosts: HostSet
  /** The session's own connection for its synccheck long poll (see LeanUndiciClient.Lane). */
  readonly pollLane = new Lane()

  private constructor(
    readonly jar: CookieJar,
    readonly desktop: boolean,
    readonly data: Ref.Ref<SessionData>,
    home: string,
  ) {
    this.hosts = hostsFor(home)
  }

  static make(options: { jar: CookieJar; desktop: boolean; data: SessionData }): Effect.Effect<WxSession> {
    return Effect.map(Ref.make(options.data), (data) => new WxSession(options.jar, options.desktop, data, options.data.home))
  }

  /** Resumes a persisted session; fails when its cookie jar cannot be restored. */
  static restore(state: SessionState): Effect.Effect<WxSession, Error> {
    const jar = CookieJar.restore(state.cookies)
    if (!jar) return Effect.fail(new Error("the stored cookie jar cannot be restored"))
    return WxSession.make({
      jar,
      desktop: state.desktop,
      data: {
        uin: state.uin,
        sid: state.sid,
        skey: state.skey,
        passTicket: state.passTicket,
        home: state.home,
        webpushHost: state.webpushHost,
        syncKey: state.syncKey,
        syncCheckKey: state.syncCheckKey,
        self: state.self,
      },
    })
  }

  /** What to persist to resume this session later. */
  snapshot(): Effect.Effect<SessionState> {
    return Effect.map(Ref.get(this.data), (d) => ({
      uin: d.uin,
      sid: d.sid,
      skey: d.skey,
      passTicket: d.passTicket,
      home: d.home,
      ...(d.webpushHost === undefined ? {} : { webpushHost: d.webpushHost }),
      syncKey: d.syncKey,
      ...(d.syncCheckKey === undefined ? {} : { syncCheckKey: d.syncCheckKey }),
      ...(d.self === undefined ? {} : { self: d.self }),
      desktop: this.desktop,
      cookies: this.jar.serialize(),
    }))
  }

  /** `BaseRequest` with a fresh DeviceID, as the official client builds it for every call. */
  baseRequest(): Effect.Effect<{ Uin: number; Sid: string; Skey: string; DeviceID: string }> {
    return Effect.map(Ref.get(this.data), (d) => ({ Uin: Number(d.uin), Sid: d.sid, Skey: d.skey, DeviceID: deviceId() }))
  }

  /** Our own UserName, known once webwxinit answered; asking before is a programming error. */
  selfUserName(): Effect.Effect<string> {
    return Effect.flatMap(Ref.get(this.data), (d) =>
      d.self === undefined
        ? Effect.dieMessage("the session has no UserName yet: call webwxinit first")
        : Effect.succeed(d.self.userName),
    )
  }

  /** The `webwx_data_ticket` cookie, needed for uploads and file downloads. */
  dataTicket(): string | undefined {
    return this.jar.value("webwx_data_ticket", `https://${this.hosts.file}/`)
  }
}
