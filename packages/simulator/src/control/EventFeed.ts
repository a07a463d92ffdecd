import type { Activity, SessionEndCode } from "../world/model.js"
import type { Session } from "../world/Session.js"
import type { LoginFlow, World } from "../world/World.js"

/** What happened, as the event feed tells it (see `ControlEvent`). */
export type EventBody =
  | {
      readonly at: number
      readonly type: "qr"
      readonly uuid: string
      readonly desktop: boolean
      readonly push: boolean
      readonly account?: string
    }
  | {
      readonly at: number
      readonly type: "flow"
      readonly uuid: string
      readonly state: string
      readonly account?: string
    }
  | {
      readonly at: number
      readonly type: "session"
      readonly account: string
      readonly host: string
      readonly desktop: boolean
    }
  | {
      readonly at: number
      readonly type: "sessionEnded"
      readonly account: string
      readonly code: SessionEndCode
    }
  | {
      readonly at: number
      readonly type: Activity["type"]
      readonly account: string
      readonly activity: Activity
    }

/**
 * What other processes can wait for through `GET /__sim/events`: login flows appearing and
 * changing, sessions starting and ending, and every activity of an account (`type` is then the
 * activity's type: "sent", "uploaded", "revoked", …), numbered by `seq`.
 */
export type ControlEvent = EventBody & { readonly seq: number }

export interface EventFilter {
  readonly types: ReadonlySet<string> | undefined
  readonly account: string | undefined
}

export interface EventPage {
  readonly events: ReadonlyArray<ControlEvent>
  readonly next: number
  readonly missed: boolean
}

interface Waiter {
  readonly filter: EventFilter
  readonly wake: () => void
}

/** Longest a caller may hold `GET /__sim/events`. */
export const MAX_EVENT_WAIT_MS = 120_000

/**
 * A bounded, numbered feed of the world's events. Only the newest `capacity` or so are kept: a reader
 * that falls further behind is told so (`missed`) and can look at the accounts' activity logs.
 */
export class EventFeed {
  private readonly buffer: Array<ControlEvent> = []
  private head = 0
  private readonly waiters = new Set<Waiter>()

  constructor(
    world: World,
    private readonly capacity = 20_000,
  ) {
    const optionalAccount = (account: string | undefined) =>
      account === undefined ? {} : { account }
    world.events.on("qr", (flow: LoginFlow) =>
      this.push({
        at: world.now(),
        type: "qr",
        uuid: flow.uuid,
        desktop: flow.desktop,
        push: flow.push,
        ...optionalAccount(flow.account),
      }),
    )
    world.events.on("flow", (flow: LoginFlow) =>
      this.push({
        at: world.now(),
        type: "flow",
        uuid: flow.uuid,
        state: flow.state,
        ...optionalAccount(flow.account),
      }),
    )
    world.events.on("session", (account: string, session: Session) =>
      this.push({
        at: world.now(),
        type: "session",
        account,
        host: session.host,
        desktop: session.desktop,
      }),
    )
    world.events.on("sessionEnded", (account: string, code: SessionEndCode) =>
      this.push({ at: world.now(), type: "sessionEnded", account, code }),
    )
    world.events.on("activity", (account: string, activity: Activity) =>
      this.push({ at: activity.at, type: activity.type, account, activity }),
    )
  }

  /** Sequence number of the newest event (0 before the first). */
  get latest(): number {
    return this.head
  }

  private push(body: EventBody): void {
    const event: ControlEvent = { ...body, seq: ++this.head }
    this.buffer.push(event)
    // Trimmed a quarter at a time, so a busy feed does not shift the whole buffer on every event.
    if (this.buffer.length > this.capacity * 1.25) {
      this.buffer.splice(0, this.buffer.length - this.capacity)
    }
    for (const waiter of [...this.waiters]) {
      if (matches(waiter.filter, event)) waiter.wake()
    }
  }

  /**
   * Events after `since` that pass the filter, at most `limit`; `next` is the `since` of the
   * following read (every event up to it was looked at), `missed` says some were already dropped.
   */
  read(since: number, filter: EventFilter, limit: number): EventPage {
    const oldest = this.buffer[0]?.seq ?? this.head + 1
    const events: Array<ControlEvent> = []
    let next = Math.max(since, this.head)
    for (let i = Math.max(0, since + 1 - oldest); i < this.buffer.length; i++) {
      const event = this.buffer[i]!
      if (!matches(filter, event)) continue
      if (events.length === limit) {
        next = event.seq - 1
        break
      }
      events.push(event)
    }
    return { events, next, missed: since + 1 < oldest }
  }

  /** Like `read`, but holds up to `timeoutMs` until a matching event arrives. */
  async wait(
    since: number,
    filter: EventFilter,
    limit: number,
    timeoutMs: number,
    abandoned: Promise<void>,
  ): Promise<EventPage> {
    const now = this.read(since, filter, limit)
    if (now.events.length > 0 || timeoutMs <= 0) return now
    await new Promise<void>((resolve) => {
      const waiter: Waiter = { filter, wake: () => done() }
      const timer = setTimeout(() => done(), timeoutMs)
      const done = () => {
        clearTimeout(timer)
        this.waiters.delete(waiter)
        resolve()
      }
      this.waiters.add(waiter)
      void abandoned.then(done)
    })
    return this.read(since, filter, limit)
  }
}

const matches = (filter: EventFilter, event: ControlEvent): boolean =>
  (filter.types === undefined || filter.types.has(event.type)) &&
  (filter.account === undefined || ("account" in event && event.account === filter.account))
