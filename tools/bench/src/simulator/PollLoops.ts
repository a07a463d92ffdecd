import type { WebClient } from "./WebClient.js"

interface LoopState {
  /** When the current synccheck was sent; undefined while the loop is between polls. */
  pollSentAt: number | undefined
  /** Called with the time a poll answered "something new". */
  onWake: ((at: number) => void) | undefined
}

/**
 * One synccheck loop per account, as a client keeps: poll, and when the answer says something
 * is new, webwxsync, then poll again. Loops end on the first failure; once the signal aborts,
 * the failure that ends them (the connections closing) is expected and not counted.
 */
export class PollLoops {
  /** synccheck answers received, of any selector. */
  answers = 0
  readonly failures: Array<string> = []
  private readonly loops = new Map<string, LoopState>()

  constructor(private readonly signal: AbortSignal) {}

  get running(): number {
    return this.loops.size
  }

  start(client: WebClient): void {
    const state: LoopState = { pollSentAt: undefined, onWake: undefined }
    this.loops.set(client.wxid, state)
    void this.run(client, state).finally(() => this.loops.delete(client.wxid))
  }

  private async run(client: WebClient, state: LoopState): Promise<void> {
    try {
      while (!this.signal.aborted) {
        state.pollSentAt = performance.now()
        const { retcode, selector } = await client.synccheck()
        state.pollSentAt = undefined
        this.answers++
        if (retcode !== "0") throw new Error(`${client.wxid}: synccheck retcode ${retcode}`)
        if (selector === "0") continue
        const wake = state.onWake
        state.onWake = undefined
        wake?.(performance.now())
        await client.sync()
      }
    } catch (error) {
      if (!this.signal.aborted)
        this.failures.push(error instanceof Error ? error.message : String(error))
    }
  }

  /** Whether the account's poll has been out for at least `ms`, so the server surely holds it. */
  isHeld(wxid: string, ms: number): boolean {
    const sentAt = this.loops.get(wxid)?.pollSentAt
    return sentAt !== undefined && performance.now() - sentAt >= ms
  }

  /** The time the account's poll next answers "something new", or undefined after `timeoutMs`. */
  nextWake(wxid: string, timeoutMs: number): Promise<number | undefined> {
    const state = this.loops.get(wxid)
    if (!state) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        state.onWake = undefined
        resolve(undefined)
      }, timeoutMs)
      state.onWake = (at) => {
        clearTimeout(timer)
        resolve(at)
      }
    })
  }
}
