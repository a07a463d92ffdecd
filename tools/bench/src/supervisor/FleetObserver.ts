import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node"
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream"

/** The parts of the contract's events the benchmark reads. */
interface SessionEvent {
  readonly account: string
  readonly state: string
  readonly qr?: { readonly uuid: string }
  readonly reason?: { readonly tag: string; readonly message: string }
}

interface MessageEvent {
  readonly account: string
  /** When the supervisor decoded the batch (ISO time, milliseconds). */
  readonly at: string
  readonly message: { readonly _tag: string; readonly text?: string }
}

/**
 * The `at` and `message.text` of a message event, read off its JSON without parsing it all: the
 * event's `raw` entry is most of it, and at 5,000 events a second a full parse took a tenth of
 * a core from the processes measured. In JSON a string's quotes inside it are escaped, so
 * `"text":"` can only be a key. Undefined for anything else (a text with escapes, an event
 * laid out otherwise), which is then parsed whole. A text misread would count as unknown, never
 * as delivered.
 */
export const textEventOf = (json: string): MessageEvent | undefined => {
  const at = stringAfter(json, '"at":"')
  const text = stringAfter(json, '"text":"')
  const account = stringAfter(json, '"account":"')
  if (at === undefined || text === undefined || account === undefined) return undefined
  return { account, at, message: { _tag: "Text", text } }
}

/** The plain (escape-free) string value that follows `key` in `json`. */
const stringAfter = (json: string, key: string): string | undefined => {
  const start = json.indexOf(key)
  if (start === -1) return undefined
  const from = start + key.length
  const end = json.indexOf('"', from)
  if (end === -1) return undefined
  const value = json.slice(from, end)
  return value.includes("\\") ? undefined : value
}

/** Messages sent by the load generator, and what became of them. */
export interface MessageTally {
  /** Events that matched a message the generator sent, with its latency. */
  readonly latenciesMs: Array<number>
  /** say → the event's `at` (the supervisor decoded the batch): the part before publishing. */
  readonly decodedMs: Array<number>
  /** Events of a text seen before (a batch published again) or not sent by the generator. */
  duplicates: number
  unknown: number
}

/**
 * This process's view of the fleet over NATS: every account's session state from
 * `wx.evt.*.session` (answering each new QR code through `onQr`), and every message event from
 * `wx.evt.*.message`, matched by its text to the moment the generator sent it.
 */
export class FleetObserver {
  readonly states = new Map<string, string>()
  /** Session events by state, over the whole run. */
  readonly stateEvents = new Map<string, number>()
  /** Why sessions reconnected, logged out or failed: "<state>: <tag> <message>" → how often. */
  readonly reasons = new Map<string, number>()
  /** When each account first showed a QR code and when it first logged in (performance.now()). */
  readonly firstQrAt = new Map<string, number>()
  readonly loggedInAt = new Map<string, number>()
  /** When each account last became logged_in (after a login or a reconnect; performance.now()). */
  readonly lastLoggedInAt = new Map<string, number>()
  private readonly seenQr = new Set<string>()
  /** Text → when it was sent (performance.now(), Date.now()), for events not arrived yet. */
  private readonly pending = new Map<string, readonly [number, number]>()
  private readonly arrived = new Set<string>()
  tally: MessageTally = { latenciesMs: [], decodedMs: [], duplicates: 0, unknown: 0 }
  messageEvents = 0
  loggedIn = 0

  private constructor(
    readonly connection: NatsConnection,
    readonly manager: JetStreamManager,
    private readonly onQr: (account: string, uuid: string) => void,
  ) {}

  static async start(
    url: string,
    onQr: (account: string, uuid: string) => void,
  ): Promise<FleetObserver> {
    const connection = await connect({ servers: url, name: "bench-observer" })
    const observer = new FleetObserver(connection, await jetstreamManager(connection), onQr)
    connection.subscribe("wx.evt.*.session", {
      callback: (error, msg) => {
        if (error === null) observer.onSession(msg)
      },
    })
    connection.subscribe("wx.evt.*.message", {
      callback: (error, msg) => {
        if (error === null) observer.onMessage(msg)
      },
    })
    await connection.flush()
    return observer
  }

  private onSession(msg: Msg): void {
    const event = msg.json<SessionEvent>()
    const before = this.states.get(event.account)
    this.states.set(event.account, event.state)
    this.stateEvents.set(event.state, (this.stateEvents.get(event.state) ?? 0) + 1)
    if (event.reason) {
      const why = `${event.state}: ${event.reason.tag} ${event.reason.message}`.slice(0, 200)
      this.reasons.set(why, (this.reasons.get(why) ?? 0) + 1)
    }
    if (event.state === "logged_in" && before !== "logged_in") {
      this.loggedIn++
      const now = performance.now()
      if (!this.loggedInAt.has(event.account)) this.loggedInAt.set(event.account, now)
      this.lastLoggedInAt.set(event.account, now)
    } else if (before === "logged_in" && event.state !== "logged_in") {
      this.loggedIn--
    }
    if (event.state === "awaiting_scan" && event.qr && !this.seenQr.has(event.qr.uuid)) {
      this.seenQr.add(event.qr.uuid)
      if (!this.firstQrAt.has(event.account)) this.firstQrAt.set(event.account, performance.now())
      this.onQr(event.account, event.qr.uuid)
    }
  }

  private onMessage(msg: Msg): void {
    const now = performance.now()
    this.messageEvents++
    const event = textEventOf(msg.string()) ?? msg.json<MessageEvent>()
    const text = event.message.text
    if (text === undefined) return void this.tally.unknown++
    const sentAt = this.pending.get(text)
    if (sentAt === undefined) {
      if (this.arrived.has(text)) this.tally.duplicates++
      else this.tally.unknown++
      return
    }
    this.pending.delete(text)
    this.arrived.add(text)
    this.tally.latenciesMs.push(now - sentAt[0])
    this.tally.decodedMs.push(Date.parse(event.at) - sentAt[1])
  }

  /** The generator is about to send `text`. */
  expect(text: string): void {
    this.pending.set(text, [performance.now(), Date.now()])
  }

  /** The generator could not send `text`: no event will come. */
  forget(text: string): void {
    this.pending.delete(text)
  }

  /** Messages sent whose event has not arrived. */
  get outstanding(): number {
    return this.pending.size
  }

  /** Starts counting afresh (per load step); returns the finished tally. */
  resetTally(): MessageTally {
    const done = this.tally
    this.tally = { latenciesMs: [], decodedMs: [], duplicates: 0, unknown: 0 }
    this.pending.clear()
    this.arrived.clear()
    return done
  }

  /** Messages stored in the events stream so far. */
  async storedEvents(): Promise<number> {
    const info = await this.manager.streams.info("WX_EVENTS")
    return info.state.messages
  }

  close(): Promise<void> {
    return this.connection.close()
  }
}
