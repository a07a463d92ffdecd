import { Either } from "effect"
import { setFlagsFromString } from "node:v8"

/** How far past its live set V8 lets the heap grow before collecting, for large fleets. */
export const LARGE_FLEET_HEAP_GROWING_PERCENT = 100
/** From this many sessions on, a fleet counts as large. */
export const LARGE_FLEET_SESSIONS = 5_000

/**
 * A fleet's live heap is large and steady (about 85 KB a session when this was measured, ~35 KB
 * since session 10), and V8's own growing factor lets RSS reach three to four times it: 1.9–2.2
 * GiB at 10,000 sessions then. 60 % kept them at 1.3–1.4 GiB but collected so often that the
 * idle fleet spent 23 % of a core; 100 % held 1.5–1.6 GiB at 12–13 % idle, with at least as much
 * throughput (BENCHMARKS.md, session 4; 0.93–1.0 GiB since session 10).
 * With a thousand sessions a tight setting cost a quarter of the throughput (more
 * collections of a heap that is small anyway), so by default (`WXFLEET_HEAP_GROWING_PERCENT`
 * unset or `auto`) it applies once the fleet reaches 5,000 sessions; a number applies it from the
 * start, `0` never; a `--heap-growing-percent` given to node wins.
 */
export type HeapPolicy =
  | { readonly _tag: "Auto" }
  | { readonly _tag: "Fixed"; readonly percent: number }
  | { readonly _tag: "Node" }

/** The setting `WXFLEET_HEAP_GROWING_PERCENT` holds: "auto", or a percentage (0 = V8's own). */
export type HeapSetting = "auto" | number

/** Reads `WXFLEET_HEAP_GROWING_PERCENT` (unset or empty is "auto"); a bad value says what it must be. */
export const parseHeapSetting = (raw: string | undefined): Either.Either<HeapSetting, string> => {
  if (raw === undefined || raw === "" || raw === "auto") return Either.right("auto")
  const percent = Number(raw)
  return Number.isInteger(percent) && percent >= 0 && percent <= 1_000
    ? Either.right(percent)
    : Either.left(`WXFLEET_HEAP_GROWING_PERCENT must be "auto" or a whole number from 0 to 1000, not "${raw}"`)
}

/** The policy for a setting, unless node itself was given `--heap-growing-percent`, which wins. */
export const heapPolicy = (
  setting: HeapSetting,
  env: NodeJS.ProcessEnv = process.env,
  execArgv: ReadonlyArray<string> = process.execArgv,
): HeapPolicy => {
  const given = [...execArgv, ...(env["NODE_OPTIONS"] ?? "").split(/\s+/)]
  if (given.some((arg) => arg.startsWith("--heap-growing-percent"))) return { _tag: "Node" }
  if (setting === "auto") return { _tag: "Auto" }
  return setting === 0 ? { _tag: "Node" } : { _tag: "Fixed", percent: setting }
}

/** The percentage to apply now, for a fleet of `sessions`, if any. */
export const heapGrowingPercentFor = (policy: HeapPolicy, sessions: number): number | undefined => {
  switch (policy._tag) {
    case "Fixed":
      return policy.percent
    case "Auto":
      return sessions >= LARGE_FLEET_SESSIONS ? LARGE_FLEET_HEAP_GROWING_PERCENT : undefined
    case "Node":
      return undefined
  }
}

let applied: number | undefined

/** Tells V8 the percentage the policy gives for `sessions`, once (V8 reads it at each collection). */
export const applyHeapPolicy = (policy: HeapPolicy, sessions: number): number | undefined => {
  const percent = heapGrowingPercentFor(policy, sessions)
  if (percent !== undefined && percent !== applied) {
    setFlagsFromString(`--heap-growing-percent=${percent}`)
    applied = percent
  }
  return applied
}
