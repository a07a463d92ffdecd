import { setFlagsFromString } from "node:v8"

/** How far past its live set V8 lets the heap grow before collecting, unless the operator says otherwise. */
export const DEFAULT_HEAP_GROWING_PERCENT = 60

/**
 * A fleet's live heap is large and steady (about 85 KB a session), and V8's own growing factor
 * lets RSS reach three to four times it: 1.9–2.2 GiB at 10,000 sessions. 60 % kept 10,000
 * sessions at 1.6 GiB with the same throughput (BENCHMARKS.md). `WXFLEET_HEAP_GROWING_PERCENT`
 * sets it (`0` leaves V8's default), and a `--heap-growing-percent` given to node wins. Returns
 * the percentage applied, if any.
 */
export const applyHeapGrowingPercent = (
  env: NodeJS.ProcessEnv = process.env,
  execArgv: ReadonlyArray<string> = process.execArgv,
): number | undefined => {
  const given = [...execArgv, ...(env["NODE_OPTIONS"] ?? "").split(/\s+/)]
  if (given.some((arg) => arg.startsWith("--heap-growing-percent"))) return undefined
  const raw = env["WXFLEET_HEAP_GROWING_PERCENT"]
  const percent = raw === undefined || raw === "" ? DEFAULT_HEAP_GROWING_PERCENT : Number(raw)
  if (!Number.isInteger(percent) || percent < 0 || percent > 1_000) {
    throw new Error(`WXFLEET_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000, not "${raw}"`)
  }
  if (percent === 0) return undefined
  setFlagsFromString(`--heap-growing-percent=${percent}`)
  return percent
}
