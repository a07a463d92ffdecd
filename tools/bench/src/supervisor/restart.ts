import type { SimulatorProcess } from "../simulator/SimulatorProcess.js"
import type { FleetObserver } from "./FleetObserver.js"
import { spreadOf, waitUntilBack } from "./outage.js"
import type { SupervisorProcess } from "./SupervisorProcess.js"

export interface RestartFigures {
  /** Sessions logged in again after the restart, and those not back within the wait. */
  readonly back: number
  readonly notBack: number
  /** QR codes shown after the restart: a resumed session needs none. */
  readonly qrCodes: number
  /** From the kill to the new supervisor's health server answering. */
  readonly upAfterMs: number
  /** From the kill to each session's logged_in again. */
  readonly backAfterMs: { readonly p50: number; readonly p99: number; readonly max: number }
  /** Web WeChat calls the simulator answered from the kill until every session was back, per session. */
  readonly callsPerSession: Readonly<Record<string, number>>
}

/**
 * Kills the supervisor with SIGKILL (no drain, no last save) and starts another on the same NATS
 * store, as an operator's crash and restart: measures how long the fleet takes to be back, what
 * each session asked Web WeChat to get there, and that none showed a QR code.
 */
export const restartStep = async (
  sim: SimulatorProcess,
  observer: FleetObserver,
  killed: SupervisorProcess,
  startAgain: () => Promise<SupervisorProcess>,
  log: (line: string) => void,
  waitBackMs: number,
): Promise<{ readonly figures: RestartFigures; readonly supervisor: SupervisorProcess }> => {
  const accounts = [...observer.states.keys()]
  const qrBefore = observer.stateEvents.get("awaiting_scan") ?? 0
  await killed.kill()
  await sim.reading() // the calls counted from here on are the restart's
  const killedAt = performance.now()
  log(`supervisor killed (SIGKILL); starting another`)
  const supervisor = await startAgain()
  await supervisor.waitHealthy(60_000)
  const upAfterMs = performance.now() - killedAt
  const backAt = await waitUntilBack(observer, accounts, killedAt, killedAt + waitBackMs, () => {
    if (!supervisor.running) throw new Error(`the restarted supervisor exited:\n${supervisor.tail.join("\n")}`)
  })
  const { calls } = await sim.reading()
  const backAfter = backAt.map((at) => at - killedAt)
  return {
    supervisor,
    figures: {
      back: backAfter.length,
      notBack: accounts.length - backAfter.length,
      qrCodes: (observer.stateEvents.get("awaiting_scan") ?? 0) - qrBefore,
      upAfterMs,
      backAfterMs: spreadOf(backAfter),
      callsPerSession: Object.fromEntries(
        Object.entries(calls)
          .sort((a, b) => b[1] - a[1])
          .map(([name, count]) => [name, count / Math.max(1, accounts.length)]),
      ),
    },
  }
}
