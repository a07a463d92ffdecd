import { setTimeout as sleep } from "node:timers/promises"
import type { SimulatorProcess } from "../simulator/SimulatorProcess.js"

/**
 * The fleet's phones: each QR code the supervisor shows is scanned and confirmed through the
 * simulator's control API, at most `concurrency` at a time, in the order they were shown.
 */
export class Phones {
  private readonly queue: Array<readonly [account: string, uuid: string]> = []
  private next = 0
  private active = 0
  answered = 0
  /** When each account's latest confirm was answered (performance.now()). */
  readonly confirmedAt = new Map<string, number>()

  constructor(
    private readonly sim: SimulatorProcess,
    private readonly concurrency: number,
    private readonly fail: (message: string) => void,
  ) {}

  /** Scan and confirm `uuid` as `account`'s phone (the benchmark's accounts are their wxids). */
  answer(account: string, uuid: string): void {
    this.queue.push([account, uuid])
    this.pump()
  }

  private pump(): void {
    while (this.active < this.concurrency && this.next < this.queue.length) {
      const [account, uuid] = this.queue[this.next++]!
      this.active++
      void this.confirm(account, uuid).finally(() => {
        this.active--
        this.pump()
      })
    }
  }

  private async confirm(account: string, uuid: string): Promise<void> {
    try {
      await this.sim.control("POST", `/phone/${account}/scan`, { uuid })
      await this.sim.control("POST", `/phone/${account}/confirm`, { uuid })
      this.confirmedAt.set(account, performance.now())
      this.answered++
    } catch (error) {
      // A code that expired meanwhile is renewed by the supervisor and answered again.
      this.fail(`phone of ${account}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
}

export interface LoadOptions {
  /** Messages per second to offer. */
  readonly rate: number
  readonly seconds: number
  /** Says in flight at most; when they are all out the generator falls behind its rate. */
  readonly maxInFlight: number
  /** The accounts spoken to, round robin, and some friends of each. */
  readonly accounts: ReadonlyArray<string>
  readonly friends: ReadonlyArray<ReadonlyArray<string>>
  /** Prefix of this step's texts, so every message is told apart. */
  readonly tag: string
}

/** Who follows the offered texts: told of each before it is said, and of each the simulator refused. */
export interface LoadTracker {
  expect(text: string): void
  forget(text: string): void
}

export interface LoadResult {
  readonly sent: number
  readonly failed: number
  readonly seconds: number
  readonly firstFailure: string | undefined
  /** Wall clock (Date.now()) when the load began. */
  readonly firstAt: number
}

/** Messages per `/say-batch` request at most. */
const SAY_BATCH = 50

/**
 * An open-loop load: friends say text messages to the accounts, round robin, at `rate` per
 * second through the control API's `say-batch` (what is due each tick, up to 50 a request: one
 * request per message cost the simulator and the generator most of a core at 5,000/s), each
 * timed from just before its request is sent.
 */
export const offerLoad = async (
  sim: SimulatorProcess,
  tracker: LoadTracker,
  options: LoadOptions,
): Promise<LoadResult> => {
  const { accounts, friends } = options
  let issued = 0
  let inFlight = 0
  let failed = 0
  let firstFailure: string | undefined
  /** Says messages `from`…`to` (exclusive) in one batch request. */
  const sayBatch = (from: number, to: number): void => {
    const texts: Array<string> = []
    const messages = []
    for (let seq = from; seq < to; seq++) {
      const index = seq % accounts.length
      const own = friends[index]!
      const text = `${options.tag}-${seq}`
      tracker.expect(text)
      texts.push(text)
      messages.push({
        from: own[Math.floor(seq / accounts.length) % own.length]!,
        to: accounts[index]!,
        spec: { kind: "text", text },
      })
    }
    const forget = (reason: string, text: string) => {
      failed++
      firstFailure ??= reason
      tracker.forget(text)
    }
    inFlight += texts.length
    void sim
      .control<{ said: Array<{ msgId?: string; error?: string }> }>("POST", "/say-batch", { messages })
      .then(
        ({ said }) => said.forEach((answer, i) => answer.error !== undefined && forget(answer.error, texts[i]!)),
        (error: unknown) => texts.forEach((text) => forget(error instanceof Error ? error.message : String(error), text)),
      )
      .finally(() => {
        inFlight -= texts.length
      })
  }
  const firstAt = Date.now()
  const started = performance.now()
  const end = started + options.seconds * 1000
  for (;;) {
    const now = performance.now()
    if (now >= end) break
    const due = Math.floor((options.rate * (now - started)) / 1000)
    // What is due now leaves in batches of up to SAY_BATCH messages, one request each.
    while (issued < due && inFlight < options.maxInFlight) {
      const until = Math.min(due, issued + SAY_BATCH, issued + options.maxInFlight - inFlight)
      sayBatch(issued, until)
      issued = until
    }
    await sleep(issued < due ? 0 : 2)
  }
  const seconds = (performance.now() - started) / 1000
  while (inFlight > 0) await sleep(1)
  return { sent: issued - failed, failed, seconds, firstFailure, firstAt }
}
