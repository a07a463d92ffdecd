import { SentFeed, type SentEvent } from "../simulator/SentFeed.js"
import type { SimulatorProcess } from "../simulator/SimulatorProcess.js"

/** Every text ends with the worker marker; the benchmark's replies are `re: <what was said>`. */
const REPLY = /^re: (.*?)[\u200b\u200c]*$/su

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
  private feed: SentFeed | undefined

  static async start(sim: SimulatorProcess): Promise<ReplyWatcher> {
    const watcher = new ReplyWatcher()
    watcher.feed = await SentFeed.start(sim, (event) => watcher.onSent(event))
    return watcher
  }

  /** `text` is about to be said. */
  said(text: string): void {
    this.saidAt.set(text, Date.now())
  }

  /** `text` was refused by the simulator: no reply is due. */
  forget(text: string): void {
    this.saidAt.delete(text)
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

  private onSent(event: SentEvent): void {
    const text = REPLY.exec(event.activity.content)?.[1]
    if (text === undefined) return
    const saidAt = this.saidAt.get(text)
    if (saidAt === undefined) return
    if (this.replied.has(text)) {
      this.duplicates++
      return
    }
    this.replied.add(text)
    this.latenciesMs.push(event.at - saidAt)
    this.lastReplyAt = Math.max(this.lastReplyAt, event.at)
  }

  async close(): Promise<void> {
    await this.feed?.close()
  }
}
