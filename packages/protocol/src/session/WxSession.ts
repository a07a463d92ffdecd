import { Effect } from "effect"
import { hostsFor, type HostSet } from "../Hosts.js"
import { CookieJar } from "../http/CookieJar.js"
import { Lane } from "../http/LeanUndiciClient.js"
import { deviceId } from "../Ids.js"
import type { SessionState, SyncKey } from "./SessionState.js"

/** The mutable part of a logged-in session, kept in its SessionCell. */
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

export interface BaseRequest {
  readonly Uin: number
  readonly Sid: string
  readonly Skey: string
  readonly DeviceID: string
}

/** `BaseRequest` with a fresh DeviceID, as the official client builds it for every call. */
export const baseRequestOf = (d: SessionData): BaseRequest => ({ Uin: Number(d.uin), Sid: d.sid, Skey: d.skey, DeviceID: deviceId() })

/**
 * The session's data: read and changed by effects as a Ref would be, and read at once by a sync
 * round made of callbacks (SyncLoop), which has no fiber to run an effect in.
 */
export class SessionCell {
  constructor(private value: SessionData) {}

  readonly get: Effect.Effect<SessionData> = Effect.sync(() => this.value)

  /** The data now. */
  current(): SessionData {
    return this.value
  }

  update(f: (data: SessionData) => SessionData): Effect.Effect<void> {
    return Effect.sync(() => this.updateNow(f))
  }

  updateNow(f: (data: SessionData) => SessionData): void {
    this.value = f(this.value)
  }
}

/** One account's logged-in session: its cookie jar, its keys and where it syncs from. */
export class WxSession {
  readonly hosts: HostSet
  /** The session's own connection for its synccheck long poll (see LeanUndiciClient.Lane). */
  readonly pollLane = new Lane()

  private constructor(
    readonly jar: CookieJar,
    readonly desktop: boolean,
    readonly data: SessionCell,
    home: string,
  ) {
    this.hosts = hostsFor(home)
  }

  static make(options: { jar: CookieJar; desktop: boolean; data: SessionData }): Effect.Effect<WxSession> {
    return Effect.sync(() => new WxSession(options.jar, options.desktop, new SessionCell(options.data), options.data.home))
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
    return Effect.map(this.data.get, (d) => ({
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
  baseRequest(): Effect.Effect<BaseRequest> {
    return Effect.map(this.data.get, baseRequestOf)
  }

  /** Our own UserName, known once webwxinit answered; asking before is a programming error. */
  selfUserName(): Effect.Effect<string> {
    return Effect.flatMap(this.data.get, (d) =>
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
