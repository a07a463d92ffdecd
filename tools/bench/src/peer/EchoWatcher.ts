import { SentFeed, type SentEvent } from "../simulator/SentFeed.js"
import type { SimulatorProcess } from "../simulator/SimulatorProcess.js"

/** A text the generator said, and what became of it. */
interface Said {
  readonly group: string
  /** Date.now() just before the say was sent. */
  readonly at: number
  echoedAt: number | undefined
}

/** Echoes of one group of texts (a side in a phase). */
export interface EchoTally {
  readonly said: number
  /** friend says → the simulator records the account's echo, sorted. */
  readonly latenciesMs: ReadonlyArray<number>
  /** Said and never echoed. */
  readonly lost: number
  /** Echoes of a text already echoed. */
  readonly duplicates: number
}

/**
 * Follows the simulator's event feed for the texts the accounts send and matches each to the
 * text a friend said: an echo repeats it exactly. Times are this machine's wall clock in both
 * processes (the simulator stamps its events with Date.now()).
 */
export class EchoWatcher {
  private readonly said = new Map<string, Said>()
  private readonly duplicates = new Map<string, number>()
  private outstandingCount = 0
  private feed: SentFeed | undefined

  static async start(sim: SimulatorProcess): Promise<EchoWatcher> {
    const watcher = new EchoWatcher()
    watcher.feed = await SentFeed.start(sim, (event) => watcher.onSent(event))
    return watcher
  }

  /** The feed dropped events before we read them (it keeps the newest 20,000). */
  get missedEvents(): boolean {
    return this.feed?.missedEvents ?? false
  }

  /** `text` (unique) is about to be said; its echo counts in `group`. */
  expect(text: string, group: string): void {
    this.said.set(text, { group, at: Date.now(), echoedAt: undefined })
    this.outstandingCount++
  }

  /** The say of `text` failed: no echo will come. */
  forget(text: string): void {
    if (this.said.delete(text)) this.outstandingCount--
  }

  /** Said and not echoed yet. */
  get outstanding(): number {
    return this.outstandingCount
  }

  /** What became of the texts of `group` so far. */
  tally(group: string): EchoTally {
    let said = 0
    const latencies: Array<number> = []
    for (const entry of this.said.values()) {
      if (entry.group !== group) continue
      said++
      if (entry.echoedAt !== undefined) latencies.push(entry.echoedAt - entry.at)
    }
    return {
      said,
      latenciesMs: latencies.sort((a, b) => a - b),
      lost: said - latencies.length,
      duplicates: this.duplicates.get(group) ?? 0,
    }
  }

  private onSent(event: SentEvent): void {
    const entry = this.said.get(event.activity.content)
    if (entry === undefined) return
    if (entry.echoedAt !== undefined) {
      this.duplicates.set(entry.group, (this.duplicates.get(entry.group) ?? 0) + 1)
      return
    }
    entry.echoedAt = event.at
    this.outstandingCount--
  }

  async close(): Promise<void> {
    await this.feed?.close()
  }
}
