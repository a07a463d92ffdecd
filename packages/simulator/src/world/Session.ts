import {
  newAuthTicket,
  newDataTicket,
  newPassTicket,
  newSalt,
  newSid,
  newSkey,
  randomSyncBase,
  sessionUserName,
} from "./ids.js"
import type { SessionEndCode } from "./model.js"
import { SPECIAL_ACCOUNTS } from "./special.js"

/** One web login of an account: its keys, its UserName namespace and its place in the account's log. */
export class Session {
  readonly sid = newSid()
  skey = newSkey()
  readonly passTicket = newPassTicket()
  readonly dataTicket = newDataTicket()
  readonly authTicket = newAuthTicket()
  readonly uvid = newSalt() + newSalt()
  readonly loadTime = Math.floor(Date.now() / 1000)
  readonly salt = newSalt()
  /** SyncKey values are `base + position`; a key with another base belongs to another session. */
  readonly syncBase = randomSyncBase()
  endedWith: SessionEndCode | undefined
  inited = false
  /** Highest log position a client has confirmed by sending it back in a SyncKey. */
  confirmedPosition: number
  private readonly waiters = new Set<() => void>()
  /**
   * The UserNames this session was asked about, and whose they are: only those, not every
   * contact's (a full index was ~12 KB a session, which a simulated fleet of 10,000 kept).
   */
  private reverseNames: Map<string, string> | undefined

  constructor(
    readonly accountWxid: string,
    readonly host: string,
    readonly desktop: boolean,
    startPosition: number,
    private readonly knownWxids: () => Iterable<string>,
    private readonly isRoom: (wxid: string) => boolean,
  ) {
    this.confirmedPosition = startPosition
  }

  /** This session's UserName for a wxid; special accounts (filehelper, weixin…) keep their names. */
  userName(wxid: string): string {
    if (SPECIAL_ACCOUNTS.has(wxid)) return wxid
    return sessionUserName(this.salt, wxid, this.isRoom(wxid))
  }

  /** The wxid behind one of this session's UserNames, or undefined when it names nobody we know. */
  wxidOf(userName: string): string | undefined {
    if (!userName.startsWith("@")) return userName
    const cached = this.reverseNames?.get(userName)
    if (cached !== undefined) return cached
    // A name is a hash of the wxid: find whose by hashing the known ones (a few hundred at most).
    for (const wxid of this.knownWxids()) {
      if (this.userName(wxid) !== userName) continue
      ;(this.reverseNames ??= new Map()).set(userName, wxid)
      return wxid
    }
    return undefined
  }

  /** Forget the reverse index after the set of known contacts changed. */
  forgetNames(): void {
    this.reverseNames = undefined
  }

  /** Wakes every held synccheck (something new, or the session ended). */
  wake(): void {
    const waiters = [...this.waiters]
    this.waiters.clear()
    for (const waiter of waiters) waiter()
  }

  onWake(waiter: () => void): () => void {
    this.waiters.add(waiter)
    return () => this.waiters.delete(waiter)
  }

  get pendingWaiters(): number {
    return this.waiters.size
  }
}
