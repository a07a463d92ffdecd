import { createInbox, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from "@nats-io/transport-node"

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

  constructor(private readonly connection: NatsConnection) {
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
      for (const message of messages) {
        const reply = this.prefix + String(this.next++)
        batch.replies.push(reply)
        this.waiting.set(reply, batch)
        const headers =
          message.msgId === undefined && message.headers === undefined ? undefined : toHeaders(message.headers ?? {})
        if (message.msgId !== undefined) headers?.set("Nats-Msg-Id", message.msgId)
        this.connection.publish(message.subject, message.payload, headers === undefined ? { reply } : { reply, headers })
      }
    } catch (error) {
      // A closed connection, a payload over the server's limit: the batch is not stored.
      this.settle(batch, new NotAcknowledged(error instanceof Error ? error.message : String(error)))
    }
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

/** Why the stream's answer is not an acknowledgement, or nothing when it is one. */
export const refusalOf = (msg: Pick<Msg, "data" | "headers" | "string">): string | undefined => {
  // A status message (e.g. 503: no stream takes the subject) has headers and no data.
  if (msg.data.length === 0) {
    const code = msg.headers?.code
    return `the server answered status ${code ?? "(none)"} ${msg.headers?.description ?? ""}`.trim()
  }
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
