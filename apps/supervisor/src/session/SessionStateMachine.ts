import type { SessionStateName } from "@wxfleet/contracts"

/**
 * The session state machine (ARCHITECTURE.md): which state may follow which. The session fiber
 * asks before every change, so an impossible change is a bug that shows at once, and a new
 * state (e.g. `degraded`) is one line here.
 */
const NEXT: Readonly<Record<SessionStateName, ReadonlyArray<SessionStateName>>> = {
  starting: ["awaiting_scan", "logged_in", "failed", "starting"],
  // A poll may miss the 201 when the phone scans and confirms quickly.
  awaiting_scan: ["scanned", "logged_in", "awaiting_scan", "starting", "failed"],
  scanned: ["logged_in", "awaiting_scan", "starting", "failed"],
  logged_in: ["reconnecting", "logged_out", "failed"],
  reconnecting: ["logged_in", "reconnecting", "logged_out", "failed"],
  logged_out: ["starting", "failed"],
  failed: ["starting"],
}

export const canMove = (from: SessionStateName, to: SessionStateName): boolean =>
  NEXT[from].includes(to)

/** States in which the account can carry out commands. */
export const isOnline = (state: SessionStateName): boolean =>
  state === "logged_in" || state === "reconnecting"
