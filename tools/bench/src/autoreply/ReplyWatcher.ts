import type { SimulatorProcess } from "../simulator/SimulatorProcess.js"

/** Every text ends with the worker marker; the benchmark's replies are `re: <what was said>`. */
const REPLY = /^re: (.*?)[\u200b\u200c]*$/su

interface SentEvent {
  readonly seq: number
  readonly at: number
  readonly activity: { readonly content: string }
}

/**
 * Follows the simulator's event feed for texts the accounts sent, and times each reply from the
 * moment its message was said (both clocks are this machine's wall clock).
 */
export class ReplyWatcher {
  private readonly saidAt = new Map<string, number>()
  private readonly replied = new Set<string>()
  latenciesMs: Array<number> = []
  duplicates = 0
  lastReplyAt = 0
  private running = true
  private readonly loop: Promise<void>

  private constructor(
    private readonly sim: SimulatorProcess,
    private since: number,
  ) {
    this.loop = this.follow()
  }

  static async start(sim: SimulatorProcess): Promise<ReplyWatcher> {
    const health = await sim.control<{ latestEvent: number }>("GET", "/health")
    return new ReplyWatcher(sim, health.latestEvent)
  }

  /** `text` is about to be said. */
  said(text: string): void {
    this.saidAt.set(text, Date.now())
  }

  /** Said and not replied to yet. */
  get outstanding(): number {
    return this.saidAt.size - this.replied.size
  }

  /** Starts counting afresh, for the next load step. */
  reset(): void {
    this.saidAt.clear()
    this.replied.clear()
    this.latenciesMs = []
    this.duplicates = 0
  }

  private async follow(): Promise<void> {
    while (this.running) {
      const page = await this.sim
        .control<{ events: Array<SentEvent>; next: number }>(
          "GET",
          `/events?types=sent&since=${this.since}&timeout=1000&limit=5000`,
        )
        .catch(() => ({ events: [], next: this.since }))
      this.since = page.next
      for (const event of page.events) {
        const text = REPLY.exec(event.activity.content)?.[1]
        if (text === undefined) continue
        const saidAt = this.saidAt.get(text)
        if (saidAt === undefined) continue
        if (this.replied.has(text)) {
          this.duplicates++
          continue
        }
        this.replied.add(text)
        this.latenciesMs.push(event.at - saidAt)
        this.lastReplyAt = Math.max(this.lastReplyAt, event.at)
      }
    }
  }

  async close(): Promise<void> {
    this.running = false
    await this.loop
  }
}
