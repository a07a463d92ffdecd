import { createInbox, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "@nats-io/transport-node"
import type { NatsConnectionImpl } from "@nats-io/transport-node/lib/nats-base-client.js"

/** A message for a JetStream stream; `msgId` is its `Nats-Msg-Id` (the stream drops a repeat). */
export interface PersistentMessage {
  readonly subject: string
  readonly payload: string | Uint8Array
  readonly msgId?: string
  /** More headers, e.g. `Nats-Expected-Last-Subject-Sequence` (refused when not met). */
  readonly headers?: Readonly<Record<string, string>>
}

/** NATS headers with these values. */
export const toHeaders = (values: Readonly<Record<string, string>>): MsgHdrs => {
  const h = natsHeaders()
  for (const [key, value] of Object.entries(values)) h.set(key, value)
  return h
}

/** Why a batch was not acknowledged in full: the first reason met. */
export class NotAcknowledged extends Error {
  override readonly name = "NotAcknowledged"
}

interface PendingBatch {
  remaining: number
  readonly deadline: number
  readonly timeoutMs: number
  readonly replies: Array<string>
  readonly done: (error: NotAcknowledged | undefined) => void
}

const SWEEP_MS = 250

/**
 * Publishes to JetStream with every acknowledgement coming to one subscription of its own
 * (`<inbox>.<n>`), instead of a request each: the client's `publish` makes a request object, a
 * timer, a promise and an inbox token per message, which a fleet publishing thousands of events a
 * second pays for in CPU and garbage. A batch's messages leave in order and `done` is called once,
 * when all are acknowledged or at the first refusal, failure or deadline; a timer sweeps the
 * deadlines every 250 ms. The stream's answer is read as the client's would be: a status message
 * (no stream for the subject) or an `error` field is a refusal.
 */
export class AckedPublisher {
  private readonly prefix: string
  private readonly subscription: Subscription
  private readonly waiting = new Map<string, PendingBatch>()
  private readonly batches = new Set<PendingBatch>()
  private readonly sweeper: ReturnType<typeof setInterval>
  private next = 0

  /** The same connection as the client's implementation, whose protocol handler takes frames. */
  private readonly raw: NatsConnectionImpl

  constructor(connection: NatsConnection) {
    this.raw = implementationOf(connection)
    this.prefix = `${createInbox()}.`
    this.subscription = connection.subscribe(`${this.prefix}*`, {
      callback: (error, msg) => {
        if (error === null) this.acknowledged(msg)
      },
    })
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS)
    this.sweeper.unref()
  }

  /** Publishes `messages` in order; `done` once: nothing when every one is stored, else why not. */
  publish(
    messages: ReadonlyArray<PersistentMessage>,
    done: (error: NotAcknowledged | undefined) => void,
    timeoutMs = 5_000,
  ): void {
    if (messages.length === 0) return done(undefined)
    const batch: PendingBatch = {
      remaining: messages.length,
      deadline: Date.now() + timeoutMs,
      timeoutMs,
      replies: [],
      done,
    }
    this.batches.add(batch)
    try {
      const raw = this.raw
      // The batch's frames as the client would write them, but built as one string and encoded
      // once: the client's `publish` encodes the command line and the headers of every message
      // on their own (three encodings and four buffers per event, ~8 % of a busy supervisor).
      const max = raw.protocol.info?.max_payload
      const frames: Array<string | Uint8Array> = []
      let bytes = 0
      for (const message of messages) {
        const reply = this.prefix + String(this.next++)
        batch.replies.push(reply)
        this.waiting.set(reply, batch)
        // What the client checks before a publish: closed, draining, a subject with spaces.
        raw._check(message.subject, false, true)
        const { head, headBytes, total } = measured(message)
        if (head !== undefined && raw.protocol.info?.headers === false) throw new Error("the server takes no headers")
        if (max !== undefined && total > max)
          throw new Error(`a message of ${total} bytes on ${message.subject} is over the server's max_payload of ${max}`)
        frames.push(
          head === undefined ? `PUB ${message.subject} ${reply} ${total}\r\n` : `HPUB ${message.subject} ${reply} ${headBytes} ${total}\r\n${head}`,
          message.payload,
          "\r\n",
        )
        bytes += total
      }
      // Nothing is written unless every message passed: a refused batch leaves no part behind.
      raw.protocol.sendCommand(
        frames.every((part) => typeof part === "string")
          ? Buffer.from(frames.join(""))
          : Buffer.concat(frames.map((part) => (typeof part === "string" ? Buffer.from(part) : part))),
      )
      raw.protocol.outMsgs += messages.length
      raw.protocol.outBytes += bytes
    } catch (error) {
      // A closed connection, a payload over the server's limit: the batch is not stored.
      this.settle(batch, new NotAcknowledged(error instanceof Error ? error.message : String(error)))
    }
  }

  /**
   * How much of the server's max_payload `message` takes (its headers and payload), and that
   * limit: a message over it is refused, now and on every retry.
   */
  size(message: PersistentMessage): { readonly bytes: number; readonly maxPayload: number | undefined } {
    return { bytes: measured(message).total, maxPayload: this.raw.protocol.info?.max_payload }
  }

  /** Stops listening; batches still waiting fail. */
  close(): void {
    clearInterval(this.sweeper)
    this.subscription.unsubscribe()
    for (const batch of [...this.batches]) this.settle(batch, new NotAcknowledged("the publisher closed"))
  }

  private acknowledged(msg: Msg): void {
    const batch = this.waiting.get(msg.subject)
    if (batch === undefined) return
    this.waiting.delete(msg.subject)
    const refusal = refusalOf(msg)
    if (refusal !== undefined) return this.settle(batch, new NotAcknowledged(refusal))
    if (--batch.remaining === 0) this.settle(batch, undefined)
  }

  private sweep(): void {
    const now = Date.now()
    for (const batch of this.batches) {
      if (batch.deadline <= now) this.settle(batch, new NotAcknowledged(`no acknowledgement within ${batch.timeoutMs} ms`))
    }
  }

  private settle(batch: PendingBatch, error: NotAcknowledged | undefined): void {
    if (!this.batches.delete(batch)) return
    for (const reply of batch.replies) this.waiting.delete(reply)
    batch.done(error)
  }
}

/** The connection as nats.js implements it (transport-node's `connect` makes no other kind). */
const implementationOf = (connection: NatsConnection): NatsConnectionImpl => {
  const impl = connection as Partial<NatsConnectionImpl>
  if (typeof impl._check !== "function" || typeof impl.protocol?.sendCommand !== "function")
    throw new TypeError("AckedPublisher needs a connection made by @nats-io/transport-node")
  return impl as NatsConnectionImpl
}

const byteLength = (payload: string | Uint8Array): number =>
  typeof payload === "string" ? Buffer.byteLength(payload) : payload.length

/** A header name: printable ASCII but the colon (RFC 7230 is stricter; the server takes this). */
const HEADER_NAME = /^[!-9;-~]+$/
const LINE_BREAK = /[\r\n]/

/**
 * The NATS header block of `message` (`NATS/1.0`, its headers and `Nats-Msg-Id`, a blank line),
 * or nothing when it has none; a name or value that would break the frame is refused.
 */
const headerBlock = (message: PersistentMessage): string | undefined => {
  if (message.msgId === undefined && message.headers === undefined) return undefined
  let block = "NATS/1.0\r\n"
  const line = (name: string, value: string) => {
    if (!HEADER_NAME.test(name) || LINE_BREAK.test(value)) throw new Error(`header ${JSON.stringify(name)} cannot be sent`)
    block += `${name}: ${value}\r\n`
  }
  if (message.headers !== undefined) for (const [name, value] of Object.entries(message.headers)) line(name, value)
  if (message.msgId !== undefined) line("Nats-Msg-Id", message.msgId)
  return block + "\r\n"
}

/** A message's header block, its size, and the size of the two with the payload (what max_payload limits). */
const measured = (message: PersistentMessage) => {
  const head = headerBlock(message)
  const headBytes = head === undefined ? 0 : Buffer.byteLength(head)
  return { head, headBytes, total: headBytes + byteLength(message.payload) }
}

/** How a PubAck's JSON begins: the server writes an error, when there is one, before `stream`. */
const ACK_START = Buffer.from(`{"stream":"`)

/** Whether `data` is a PubAck naming a stream (`{"stream":"<name>"…`), read without parsing it. */
const isPubAck = (data: Uint8Array): boolean => {
  if (data.length <= ACK_START.length || data[ACK_START.length] === 0x22) return false
  for (let i = 0; i < ACK_START.length; i++) if (data[i] !== ACK_START[i]) return false
  return true
}

/** Why the stream's answer is not an acknowledgement, or nothing when it is one. */
export const refusalOf = (msg: Pick<Msg, "data" | "headers" | "string">): string | undefined => {
  // A status message (e.g. 503: no stream takes the subject) has headers and no data.
  if (msg.data.length === 0) {
    const code = msg.headers?.code
    return `the server answered status ${code ?? "(none)"} ${msg.headers?.description ?? ""}`.trim()
  }
  if (isPubAck(msg.data)) return undefined
  let answer: { readonly stream?: unknown; readonly error?: { readonly description?: unknown; readonly code?: unknown } }
  try {
    answer = JSON.parse(msg.string()) as typeof answer
  } catch {
    return "the stream's answer is not JSON"
  }
  if (answer.error !== undefined) return `stream error ${String(answer.error.code)}: ${String(answer.error.description)}`
  if (typeof answer.stream !== "string" || answer.stream === "") return "the stream's answer names no stream"
  return undefined
}
