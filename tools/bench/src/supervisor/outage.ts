import { setTimeout as sleep } from "node:timers/promises"
import { defaultWebpushHosts, HOME_HOSTS } from "@wxfleet/simulator"
import type { SimulatorProcess } from "../simulator/SimulatorProcess.js"
import { percentile } from "../stats.js"
import type { FleetObserver } from "./FleetObserver.js"

/** Every webpush host of every home: with all of them down no session can poll anywhere. */
export const allWebpushHosts = (): Array<string> => HOME_HOSTS.flatMap((home) => [...defaultWebpushHosts(home)])

export interface OutageFigures {
  readonly seconds: number
  readonly hosts: number
  /** `reconnecting` events from the hosts going down until every session was back. */
  readonly reconnects: number
  /** Sessions that left logged_in and came back. */
  readonly back: number
  /** Sessions not back within the wait. */
  readonly notBack: number
  /** From the hosts coming up to each session's logged_in again. */
  readonly backAfterMs: { readonly p50: number; readonly p99: number; readonly max: number }
}

/** p50 / p99 / max of `values` (ms). */
export const spreadOf = (values: ReadonlyArray<number>): { readonly p50: number; readonly p99: number; readonly max: number } => {
  const sorted = [...values].sort((a, b) => a - b)
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0 }
}

/**
 * Waits (until `deadline`, checking `stillUp` between looks) for each of `accounts` to be
 * logged_in again after `since`; the accounts that are, with when (performance.now()).
 */
export const waitUntilBack = async (
  observer: FleetObserver,
  accounts: ReadonlyArray<string>,
  since: number,
  deadline: number,
  stillUp: () => void = () => {},
): Promise<Array<number>> => {
  const isBack = (account: string) =>
    observer.states.get(account) === "logged_in" && (observer.lastLoggedInAt.get(account) ?? 0) > since
  while (performance.now() < deadline && !accounts.every(isBack)) {
    stillUp()
    await sleep(100)
  }
  return accounts.filter(isBack).map((account) => observer.lastLoggedInAt.get(account)!)
}

/**
 * Takes every webpush host down for `seconds` (the long polls are cut, every session goes
 * reconnecting and backs off), brings them up, and measures how long the fleet takes to be back:
 * each session's `logged_in` after the hosts came up.
 */
export const outageStep = async (
  sim: SimulatorProcess,
  observer: FleetObserver,
  seconds: number,
  log: (line: string) => void,
  waitBackMs = 120_000,
): Promise<OutageFigures> => {
  const hosts = allWebpushHosts()
  const reconnectsBefore = observer.stateEvents.get("reconnecting") ?? 0
  for (const host of hosts) await sim.control("POST", `/faults/hosts/${host}/down`)
  const downAt = performance.now()
  log(`every webpush host (${hosts.length}) down for ${seconds} s`)
  await sleep(seconds * 1000)
  for (const host of hosts) await sim.control("POST", `/faults/hosts/${host}/up`)
  const upAt = performance.now()
  log("webpush hosts up again; waiting for every session to be back")
  const accounts = [...observer.states.keys()]
  const backAt = await waitUntilBack(observer, accounts, downAt, upAt + waitBackMs)
  const backAfter = backAt.map((at) => Math.max(0, at - upAt))
  return {
    seconds,
    hosts: hosts.length,
    reconnects: (observer.stateEvents.get("reconnecting") ?? 0) - reconnectsBefore,
    back: backAfter.length,
    notBack: accounts.length - backAfter.length,
    backAfterMs: spreadOf(backAfter),
  }
}
