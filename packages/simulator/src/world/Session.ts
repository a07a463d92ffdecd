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
   * Whose UserName is whose: the contacts' wxids sorted by a number read from their names' first
   * hex digits, not a Map of the names themselves (that was ~22 KB a session in a heap snapshot,
   * which a simulated fleet of 10,000 kept; this is ~4 KB). Built on the first lookup.
   */
  private reverseNames: { readonly keys: Uint32Array; readonly wxids: ReadonlyArray<string> } | undefined

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
    const key = nameKey(userName)
    if (key === undefined) return undefined
    const index = (this.reverseNames ??= this.nameIndex())
    const candidate = index.wxids[lowerBound(index.keys, key)]
    if (candidate !== undefined && this.userName(candidate) === userName) return candidate
    // Not in the index: a wxid that became known since it was built without a `forgetNames`
    // (a card's RecommendInfo in the log), or two names sharing their first digits. Look the
    // long way, through what is known now.
    for (const wxid of this.knownWxids()) if (this.userName(wxid) === userName) return wxid
    return undefined
  }

  private nameIndex(): { readonly keys: Uint32Array; readonly wxids: ReadonlyArray<string> } {
    const pairs: Array<readonly [number, string]> = []
    for (const wxid of this.knownWxids()) {
      const key = nameKey(this.userName(wxid))
      if (key !== undefined) pairs.push([key, wxid])
    }
    pairs.sort((a, b) => a[0] - b[0])
    return { keys: Uint32Array.from(pairs, ([key]) => key), wxids: pairs.map(([, wxid]) => wxid) }
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

/** A UserName's first seven hex digits as a number (a small integer for V8), after its `@` or `@@`. */
const nameKey = (userName: string): number | undefined => {
  if (!userName.startsWith("@")) return undefined
  const start = userName.startsWith("@@") ? 2 : 1
  const key = Number.parseInt(userName.slice(start, start + 7), 16)
  return Number.isNaN(key) ? undefined : key
}

/** The first index whose key is at least `key` (keys ascending). */
const lowerBound = (keys: Uint32Array, key: number): number => {
  let low = 0
  let high = keys.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (keys[middle]! < key) low = middle + 1
    else high = middle
  }
  return low
}
