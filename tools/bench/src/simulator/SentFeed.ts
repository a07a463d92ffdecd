import type { SimulatorProcess } from "./SimulatorProcess.js"

/** A text an account sent through its web session, as the simulator's event feed reports it. */
export interface SentEvent {
  /** Date.now() of the simulator when it recorded the send. */
  readonly at: number
  readonly activity: { readonly content: string }
}

/**
 * Follows the simulator's event feed (`GET /__sim/events?types=sent`, long-polled) from the
 * moment it starts, handing every send to `onSent` until closed.
 */
export class SentFeed {
  /** The feed dropped events before we read them (it keeps the newest 20,000). */
  missedEvents = false
  private running = true
  private readonly loop: Promise<void>

  private constructor(
    private readonly sim: SimulatorProcess,
    private since: number,
    private readonly onSent: (event: SentEvent) => void,
  ) {
    this.loop = this.follow()
  }

  static async start(sim: SimulatorProcess, onSent: (event: SentEvent) => void): Promise<SentFeed> {
    const health = await sim.control<{ latestEvent: number }>("GET", "/health")
    return new SentFeed(sim, health.latestEvent, onSent)
  }

  private async follow(): Promise<void> {
    while (this.running) {
      const page = await this.sim
        .control<{ events: Array<SentEvent>; next: number; missed?: boolean }>(
          "GET",
          `/events?types=sent&since=${this.since}&timeout=1000&limit=5000`,
        )
        .catch(() => ({ events: [], next: this.since, missed: false }))
      this.since = page.next
      if (page.missed === true) this.missedEvents = true
      for (const event of page.events) this.onSent(event)
    }
  }

  async close(): Promise<void> {
    this.running = false
    await this.loop
  }
}
