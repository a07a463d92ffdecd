import { EventEmitter } from "node:events"
import { newEncryChatRoomId, newLoginTicket, newMsgId, newUuid } from "./ids.js"
import type {
  Activity,
  FriendLink,
  Group,
  GroupMember,
  HomeHost,
  LogEntry,
  MessageDraft,
  MessageMedia,
  Person,
  SessionEndCode,
  WorldMessage,
} from "./model.js"
import { Session } from "./Session.js"
import { SPECIAL_ACCOUNTS } from "./special.js"

export interface WorldOptions {
  /** How long synccheck holds a request when nothing is pending (the real server: about 25 s). */
  readonly syncHoldMs?: number
  /** How long the login poll holds before answering 408. */
  readonly loginPollHoldMs?: number
  /** How long a QR code (uuid) lives before the poll answers 400. */
  readonly qrTtlMs?: number
  /** webwxgetcontact page size; the response's `Seq` is non-zero while pages remain. */
  readonly contactPageSize?: number
  /** Log entries per webwxsync answer; more pending sets `ContinueFlag`. */
  readonly syncBatchSize?: number
  /** Sent messages can be revoked this long (the real window is two minutes). */
  readonly revokeWindowMs?: number
  /** Delay before the phone confirms a push login by itself; null leaves it to the world API. */
  readonly pushConfirmDelayMs?: number | null
}

export interface PersonSpec {
  readonly wxid: string
  readonly nickName: string
  readonly uin?: number
  readonly sex?: 0 | 1 | 2
  readonly signature?: string
  readonly province?: string
  readonly city?: string
  readonly alias?: string
  readonly verifyFlag?: number
}

export interface AccountSpec extends PersonSpec {
  /** The host the login redirect sends this account to; it decides file and webpush hosts. */
  readonly home?: HomeHost
  /** Web login refused with `ret` 1203 (the desktop-mode login still works). */
  readonly webLoginRefused?: boolean
}

export interface GroupSpec {
  readonly roomId?: string
  readonly topic: string
  readonly owner: string
  readonly members: ReadonlyArray<string | { readonly wxid: string; readonly displayName: string }>
}

export type LoginFlowState = "waiting" | "scanned" | "confirmed" | "cancelled" | "expired"

export interface LoginFlow {
  readonly uuid: string
  readonly createdAt: number
  readonly desktop: boolean
  state: LoginFlowState
  account: string | undefined
  /** The one-time ticket in redirect_uri, set on confirmation. */
  ticket: string | undefined
  scannedAt: number | undefined
  readonly push: boolean
  readonly waiters: Set<() => void>
}

export const LOGIN_REFUSED_1203 =
  "为了你的帐号安全，此微信号不能登录网页微信。你可以使用Windows微信或Mac微信在电脑端登录。Windows微信下载地址：https://pc.weixin.qq.com  Mac微信下载地址：https://mac.weixin.qq.com"

export class Account {
  readonly friends = new Map<string, FriendLink>()
  readonly groups = new Set<string>()
  /** Rooms the account pinned (webwxoplog CmdId 3); a friend's pin lives in its FriendLink. */
  readonly pinnedRooms = new Set<string>()
  readonly log: Array<LogEntry> = []
  headSeq = 0
  /** Position the account's last session confirmed; a new session starts there, so nothing is lost. */
  acknowledgedSeq = 0
  session: Session | undefined
  /** Auth ticket of the last session, which push login (webwxpushloginurl) requires. */
  lastAuthTicket: string | undefined
  readonly activity: Array<Activity> = []
  /** Webpush hosts that serve this account; undefined means the default set of its home. */
  servingWebpushHosts: ReadonlySet<string> | undefined
  /** Sends answered before the rate limiter (fault) answers 1205. */
  sendsBeforeRateLimit: number | undefined
  /** How many of the next synccheck answers are retcode 1205, the frequency block (fault). */
  rateLimitedSyncchecks = 0
  /** How many of the next webwxsync answers are Ret 1205 (fault): nothing is confirmed or sent by them. */
  rateLimitedSyncs = 0

  constructor(
    readonly person: Person,
    public home: HomeHost,
    public webLoginRefused: boolean,
  ) {}

  get wxid(): string {
    return this.person.wxid
  }
}

/**
 * The whole simulated service: people, fleet accounts, groups, login flows, sessions and each
 * account's ordered log of what webwxsync will deliver.
 */
export class World {
  readonly options: Required<{ [K in keyof WorldOptions]: Exclude<WorldOptions[K], undefined> }> & {
    pushConfirmDelayMs: number | null
  }
  readonly persons = new Map<string, Person>()
  readonly accounts = new Map<string, Account>()
  readonly groups = new Map<string, Group>()
  readonly sessionsBySid = new Map<string, Session>()
  readonly flows = new Map<string, LoginFlow>()
  readonly tickets = new Map<string, LoginFlow>()
  /** Downloadable bytes by MsgId (string form). */
  readonly media = new Map<string, MessageMedia>()
  readonly events = new EventEmitter()
  private clockOffsetMs = 0
  private nextUin = 1_000_000_000
  private nextRoom = 10_000_000_000

  constructor(options: WorldOptions = {}) {
    this.options = {
      syncHoldMs: options.syncHoldMs ?? 25_000,
      loginPollHoldMs: options.loginPollHoldMs ?? 25_000,
      qrTtlMs: options.qrTtlMs ?? 300_000,
      contactPageSize: options.contactPageSize ?? 800,
      syncBatchSize: options.syncBatchSize ?? 100,
      revokeWindowMs: options.revokeWindowMs ?? 120_000,
      pushConfirmDelayMs: options.pushConfirmDelayMs === undefined ? 0 : options.pushConfirmDelayMs,
    }
    this.events.setMaxListeners(0)
    this.addPerson({ wxid: "filehelper", nickName: "文件传输助手" })
    this.addPerson({ wxid: "weixin", nickName: "微信团队", verifyFlag: 56 })
    this.addPerson({ wxid: "fmessage", nickName: "朋友推荐消息" })
    this.addPerson({ wxid: "newsapp", nickName: "腾讯新闻" })
  }

  // ---- clock ----

  now(): number {
    return Date.now() + this.clockOffsetMs
  }

  /** Moves the world's clock forward (QR expiry, revoke window) without waiting. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms
  }

  // ---- population ----

  addPerson(spec: PersonSpec): Person {
    const person: Person = {
      wxid: spec.wxid,
      uin: spec.uin ?? this.nextUin++,
      nickName: spec.nickName,
      sex: spec.sex ?? 0,
      signature: spec.signature ?? "",
      province: spec.province ?? "",
      city: spec.city ?? "",
      alias: spec.alias ?? "",
      verifyFlag: spec.verifyFlag ?? 0,
    }
    this.persons.set(person.wxid, person)
    return person
  }

  addAccount(spec: AccountSpec): Account {
    if (this.accounts.has(spec.wxid)) throw new Error(`account ${spec.wxid} exists`)
    const person = this.persons.get(spec.wxid) ?? this.addPerson(spec)
    const account = new Account(person, spec.home ?? "wx2.qq.com", spec.webLoginRefused ?? false)
    account.friends.set("filehelper", { remarkName: "", contactFlag: 3 })
    account.friends.set("weixin", { remarkName: "", contactFlag: 3 })
    this.accounts.set(person.wxid, account)
    return account
  }

  /** Makes `wxid` a friend of `account` (and the reverse, when `wxid` is a fleet account too). */
  befriend(account: string, wxid: string, link: Partial<FriendLink> = {}): void {
    const a = this.account(account)
    this.person(wxid)
    a.friends.set(wxid, { remarkName: link.remarkName ?? "", contactFlag: link.contactFlag ?? 3 })
    a.session?.forgetNames()
    const other = this.accounts.get(wxid)
    if (other && !other.friends.has(account)) {
      other.friends.set(account, { remarkName: "", contactFlag: 3 })
      other.session?.forgetNames()
    }
  }

  addGroup(spec: GroupSpec): Group {
    const members: Array<GroupMember> = spec.members.map((m) =>
      typeof m === "string" ? { wxid: m, displayName: "" } : { ...m },
    )
    if (!members.some((m) => m.wxid === spec.owner)) members.unshift({ wxid: spec.owner, displayName: "" })
    const group: Group = {
      roomId: spec.roomId ?? `${this.nextRoom++}@chatroom`,
      topic: spec.topic,
      owner: spec.owner,
      members,
      encryChatRoomId: newEncryChatRoomId(),
    }
    for (const member of members) this.person(member.wxid)
    this.groups.set(group.roomId, group)
    for (const member of members) {
      const account = this.accounts.get(member.wxid)
      if (account) {
        account.groups.add(group.roomId)
        account.session?.forgetNames()
      }
    }
    return group
  }

  person(wxid: string): Person {
    const person = this.persons.get(wxid)
    if (!person) throw new Error(`unknown person ${wxid}`)
    return person
  }

  account(wxid: string): Account {
    const account = this.accounts.get(wxid)
    if (!account) throw new Error(`unknown account ${wxid}`)
    return account
  }

  group(roomId: string): Group {
    const group = this.groups.get(roomId)
    if (!group) throw new Error(`unknown group ${roomId}`)
    return group
  }

  isRoom(wxid: string): boolean {
    return wxid.endsWith("@chatroom")
  }

  /** Every wxid an account's session may name: friends, groups, members of its groups, itself. */
  *knownWxids(account: Account): Iterable<string> {
    yield account.wxid
    yield* account.friends.keys()
    for (const roomId of account.groups) {
      yield roomId
      for (const member of this.groups.get(roomId)?.members ?? []) yield member.wxid
    }
    for (const wxid of SPECIAL_ACCOUNTS) yield wxid
    for (const entry of account.log) {
      if (entry.type === "message" && entry.message.draft.RecommendInfo) yield entry.message.draft.RecommendInfo.wxid
    }
  }

  // ---- the account's log ----

  /** Appends to what the account's sessions will receive, and wakes its held synccheck. */
  append(account: Account, entry: DistributiveOmit<LogEntry, "seq">): LogEntry {
    const full = { ...entry, seq: ++account.headSeq } as LogEntry
    account.log.push(full)
    account.session?.wake()
    this.events.emit("appended", account.wxid, full)
    return full
  }

  /**
   * Where the entries after `seq` start in the account's log (its length when there are none).
   * The log is in `seq` order and keeps a thousand or more confirmed entries: a binary search,
   * where scanning from the start was a fifth of the simulator's CPU at 2,500 messages/s.
   */
  logIndexAfter(account: Account, seq: number): number {
    const { log } = account
    let low = 0
    let high = log.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (log[middle]!.seq <= seq) low = middle + 1
      else high = middle
    }
    return low
  }

  /** Drops log entries no client can still ask for (a margin below what was confirmed). */
  trimLog(account: Account): void {
    const keepAfter = account.acknowledgedSeq - 1_000
    if (account.log.length > 2_000 && account.log[0]!.seq < keepAfter) {
      account.log.splice(0, this.logIndexAfter(account, keepAfter))
    }
  }

  /** Delivers a message into an account's log (and remembers its media for download). */
  deliver(account: Account, message: Omit<WorldMessage, "msgId" | "createTime"> & { msgId?: bigint }): WorldMessage {
    const full: WorldMessage = {
      ...message,
      msgId: message.msgId ?? newMsgId(),
      createTime: Math.floor(this.now() / 1000),
    }
    if (full.draft.media) this.media.set(full.msgId.toString(), full.draft.media)
    this.append(account, { type: "message", message: full })
    return full
  }

  /**
   * A message spoken by `from` to `to` (a person, an account or a group): delivered to every fleet
   * account that would receive it, including the sender's own sessions when the sender is a fleet
   * account sending from its phone.
   */
  say(from: string, to: string, draft: MessageDraft, options: { msgId?: bigint; echoToSender?: boolean } = {}): bigint {
    const msgId = options.msgId ?? newMsgId()
    if (draft.media) this.media.set(msgId.toString(), draft.media)
    if (this.isRoom(to)) {
      const group = this.group(to)
      for (const member of group.members) {
        const account = this.accounts.get(member.wxid)
        if (!account) continue
        if (member.wxid === from) {
          // Your own group messages from the phone come from you, to the room, with no prefix.
          if (options.echoToSender !== false) this.deliver(account, { msgId, from, to, draft })
        } else {
          this.deliver(account, { msgId, from: to, to: member.wxid, speaker: from, draft })
        }
      }
    } else {
      const receiver = this.accounts.get(to)
      if (receiver) this.deliver(receiver, { msgId, from, to, draft })
      const sender = this.accounts.get(from)
      if (sender && options.echoToSender !== false && sender !== receiver) {
        this.deliver(sender, { msgId, from, to, draft })
      }
    }
    return msgId
  }

  /** Tells every fleet account that knows `wxid` that its contact data changed. */
  contactChanged(wxid: string): void {
    for (const account of this.accounts.values()) {
      if (account.friends.has(wxid) || account.groups.has(wxid) || account.wxid === wxid) {
        this.append(account, { type: "modContact", wxid })
      }
    }
  }

  record(account: Account, activity: Activity): void {
    account.activity.push(activity)
    this.events.emit("activity", account.wxid, activity)
  }

  // ---- login ----

  newLoginFlow(desktop: boolean, push?: { account: string }): LoginFlow {
    const flow: LoginFlow = {
      uuid: newUuid(),
      createdAt: this.now(),
      desktop,
      state: "waiting",
      account: push?.account,
      ticket: undefined,
      scannedAt: undefined,
      push: push !== undefined,
      waiters: new Set(),
    }
    this.flows.set(flow.uuid, flow)
    this.events.emit("qr", flow)
    return flow
  }

  /** The flow for a uuid, marked expired once its time is up. */
  flow(uuid: string): LoginFlow | undefined {
    const flow = this.flows.get(uuid)
    if (flow && flow.state === "waiting" && this.now() - flow.createdAt > this.options.qrTtlMs) {
      this.setFlowState(flow, "expired")
    }
    return flow
  }

  setFlowState(flow: LoginFlow, state: LoginFlowState): void {
    flow.state = state
    if (state === "scanned") flow.scannedAt = this.now()
    if (state === "confirmed") {
      flow.ticket = newLoginTicket()
      this.tickets.set(flow.ticket, flow)
    }
    const waiters = [...flow.waiters]
    flow.waiters.clear()
    for (const waiter of waiters) waiter()
    this.events.emit("flow", flow)
  }

  // ---- the phone ----

  /** The phone of `account` scans the QR code of `uuid` (the login poll answers 201). */
  scan(uuid: string, account: string): LoginFlow {
    const flow = this.pendingFlow(uuid, ["waiting"])
    this.account(account)
    flow.account = account
    this.setFlowState(flow, "scanned")
    return flow
  }

  /** The phone confirms the login (the poll answers 200 with redirect_uri). */
  confirm(uuid: string): LoginFlow {
    const flow = this.pendingFlow(uuid, ["scanned", "waiting"])
    if (!flow.account) throw new Error(`QR ${uuid} was not scanned`)
    this.setFlowState(flow, "confirmed")
    return flow
  }

  /** The phone taps cancel (the poll answers 202). */
  cancel(uuid: string): LoginFlow {
    const flow = this.pendingFlow(uuid, ["scanned", "waiting"])
    this.setFlowState(flow, "cancelled")
    return flow
  }

  /** The QR code expires now (the poll answers 400). */
  expire(uuid: string): LoginFlow {
    const flow = this.pendingFlow(uuid, ["waiting", "scanned"])
    this.setFlowState(flow, "expired")
    return flow
  }

  /**
   * Fault: the account's next `count` synccheck answers are retcode 1205 (0 removes it); a held
   * poll answers at once. The session stays: what to do about 1205 is the client's choice.
   */
  rateLimitSyncchecks(account: string, count: number): void {
    const target = this.account(account)
    target.rateLimitedSyncchecks = count
    target.session?.wake()
  }

  /**
   * Fault: the account's next `count` webwxsync answers are Ret 1205 (0 removes it), which
   * neither confirm the client's SyncKey nor carry anything: the batch waits for a later call.
   */
  rateLimitSyncs(account: string, count: number): void {
    this.account(account).rateLimitedSyncs = count
  }

  /** Logs the account's web session out from the phone or server side: 1100, 1101 or 1102. */
  logout(account: string, code: SessionEndCode = 1101): void {
    this.endSession(this.account(account), code)
  }

  private pendingFlow(uuid: string, states: ReadonlyArray<LoginFlowState>): LoginFlow {
    const flow = this.flow(uuid)
    if (!flow) throw new Error(`unknown QR ${uuid}`)
    if (!states.includes(flow.state)) throw new Error(`QR ${uuid} is ${flow.state}`)
    return flow
  }

  /** Starts a session for the account; a previous session is ended as "logged in elsewhere". */
  startSession(account: Account, host: string, desktop: boolean): Session {
    if (account.session) this.endSession(account, 1101)
    const session = new Session(
      account.wxid,
      host,
      desktop,
      account.acknowledgedSeq,
      () => this.knownWxids(account),
      (wxid) => this.isRoom(wxid),
    )
    account.session = session
    account.lastAuthTicket = session.authTicket
    this.sessionsBySid.set(session.sid, session)
    this.events.emit("session", account.wxid, session)
    return session
  }

  /** Ends the account's session the way the phone or server would: 1100, 1101 or 1102. */
  endSession(account: Account, code: SessionEndCode): void {
    const session = account.session
    if (!session) return
    session.endedWith = code
    account.session = undefined
    session.wake()
    this.events.emit("sessionEnded", account.wxid, code)
  }

  accountOf(session: Session): Account {
    return this.account(session.accountWxid)
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never
