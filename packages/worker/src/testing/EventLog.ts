import { connect, type NatsConnection } from "@nats-io/transport-node"

export interface Recorded {
  readonly subject: string
  readonly data: unknown
}

/** Everything published under some subjects, with a way to wait for what a test expects. */
export class EventLog {
  readonly received: Array<Recorded> = []
  private waiters: Array<() => void> = []

  private constructor(readonly connection: NatsConnection) {}

  static async start(url: string, subjects: ReadonlyArray<string>): Promise<EventLog> {
    const connection = await connect({
      servers: url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
    })
    const log = new EventLog(connection)
    for (const subject of subjects) {
      const sub = connection.subscribe(subject)
      void (async () => {
        for await (const msg of sub) {
          let data: unknown
          try {
            data = msg.json()
          } catch {
            data = msg.string()
          }
          log.received.push({ subject: msg.subject, data })
          const waiters = log.waiters
          log.waiters = []
          for (const wake of waiters) wake()
        }
      })()
    }
    await connection.flush()
    return log
  }

  /** Resolves with the first recorded event that matches, now or when it arrives. */
  async waitFor<T = Record<string, unknown>>(
    predicate: (subject: string, data: T) => boolean,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.find((r) => predicate(r.subject, r.data as T))
      if (found) return found.data as T
      const left = deadline - Date.now()
      if (left <= 0)
        throw new Error(
          `no matching event within ${timeoutMs} ms (${this.received.length} recorded)`,
        )
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async request(
    subject: string,
    body: unknown,
    timeoutMs = 15_000,
  ): Promise<Record<string, unknown>> {
    const reply = await this.connection.request(subject, JSON.stringify(body), {
      timeout: timeoutMs,
    })
    return reply.json()
  }

  /** Publishes raw bytes, as a misbehaving producer would. */
  async publish(subject: string, payload: string): Promise<void> {
    this.connection.publish(subject, payload)
    await this.connection.flush()
  }

  close(): Promise<void> {
    return this.connection.close()
  }
}
