import { createHistogram, type RecordableHistogram } from "node:perf_hooks"
import { takeCallCounts } from "../http/callCounts.js"
import type { ControlRoute } from "./http.js"

const MS = 1e6
const SAMPLE_MS = 10

let processDelay: RecordableHistogram | undefined

/**
 * Samples the loop every 10 ms, recording each interval as it ran (10 ms when on time), as
 * `monitorEventLoopDelay` does; by hand because that one skips the first interval after each
 * reset, which is the very one a stall just before a reading stretches.
 */
const startedDelay = (): RecordableHistogram => {
  const delay = createHistogram()
  let last = performance.now()
  setInterval(() => {
    const now = performance.now()
    delay.record(Math.max(1, Math.round((now - last) * MS)))
    last = now
  }, SAMPLE_MS).unref()
  return delay
}

/**
 * The serving process's own state, for benchmarks that share a machine with it: how late its
 * event loop ran and the protocol calls it answered since the last reading, and its memory. A
 * stall here delays every answer the simulator owes, which a benchmark must tell apart from the
 * client's own.
 */
export const processRoutes = (): ReadonlyArray<ControlRoute> => {
  // One per process (it is the process's loop), started with its first simulator: a reading
  // needs samples from before it, and a sample every 10 ms costs nothing worth saving.
  processDelay ??= startedDelay()
  const delay = processDelay
  return [
    {
      method: "POST",
      pattern: "/process/event-loop",
      // A POST: each reading restarts the histogram, so the next one covers only what follows.
      handle: () => {
        const samples = delay.count
        const figures = samples === 0
          ? { p50: 0, p99: 0, max: 0 }
          : { p50: delay.percentile(50) / MS, p99: delay.percentile(99) / MS, max: delay.max / MS }
        delay.reset()
        const memory = process.memoryUsage()
        return {
          // How many times the loop was sampled (every 10 ms while it runs on time).
          samples,
          eventLoopDelayMs: figures,
          heapUsedMb: memory.heapUsed / 2 ** 20,
          rssMb: memory.rss / 2 ** 20,
          // Protocol calls answered since the last reading, by endpoint (webwxsync, synccheck, …).
          calls: takeCallCounts(),
        }
      },
    },
  ]
}
