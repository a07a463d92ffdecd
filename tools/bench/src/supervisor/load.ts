import { setTimeout as sleep } from "node:timers/promises"
import type { SimulatorProcess } from "../simulator/SimulatorProcess.js"
import type { FleetObserver } from "./FleetObserver.js"

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

export interface LoadResult {
  readonly sent: number
  readonly failed: number
  readonly seconds: number
  readonly firstFailure: string | undefined
}

/**
 * An open-loop load: friends say text messages to the accounts, round robin, at `rate` per
 * second through the control API's `say`, each timed from just before its request is sent.
 */
export const offerLoad = async (
  sim: SimulatorProcess,
  observer: FleetObserver,
  options: LoadOptions,
): Promise<LoadResult> => {
  const { accounts, friends } = options
  let issued = 0
  let inFlight = 0
  let failed = 0
  let firstFailure: string | undefined
  const say = (seq: number): void => {
    const index = seq % accounts.length
    const account = accounts[index]!
    const own = friends[index]!
    const from = own[Math.floor(seq / accounts.length) % own.length]!
    const text = `${options.tag}-${seq}`
    observer.expect(text)
    inFlight++
    void sim
      .control("POST", "/say", { from, to: account, spec: { kind: "text", text } })
      .then(
        () => undefined,
        (error: unknown) => {
          failed++
          firstFailure ??= error instanceof Error ? error.message : String(error)
          observer.forget(text)
        },
      )
      .finally(() => {
        inFlight--
      })
  }
  const started = performance.now()
  const end = started + options.seconds * 1000
  for (;;) {
    const now = performance.now()
    if (now >= end) break
    const due = Math.floor((options.rate * (now - started)) / 1000)
    while (issued < due && inFlight < options.maxInFlight) say(issued++)
    await sleep(issued < due ? 0 : 2)
  }
  const seconds = (performance.now() - started) / 1000
  while (inFlight > 0) await sleep(1)
  return { sent: issued - failed, failed, seconds, firstFailure }
}
