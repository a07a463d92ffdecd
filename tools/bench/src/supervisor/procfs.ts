import { readdirSync, readFileSync } from "node:fs"

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM…) in bytes. */
export const statusBytes = (pid: number, field: "VmRSS" | "VmHWM"): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "m").exec(
    readFileSync(`/proc/${pid}/status`, "utf8"),
  )
  if (!match) throw new Error(`no ${field} for process ${pid}`)
  return Number(match[1]) * 1024
}

/** Busy and total CPU ticks of the whole machine so far (first line of /proc/stat). */
export const machineTicks = (): { busy: number; total: number } => {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9)
  const ticks = fields.map(Number)
  const total = ticks.reduce((a, b) => a + b, 0)
  // idle and iowait are the 4th and 5th fields.
  return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total }
}

/** Open file descriptors of a process (the entries of /proc/<pid>/fd). */
export const openFiles = (pid: number): number => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length
  } catch {
    return Number.NaN
  }
}

/**
 * The pid of this process's child running `binary` with `arg` among its arguments (e.g. the
 * nats-server started by `NatsServer`, which keeps its child to itself), or undefined.
 */
export const childPid = (binary: string, arg: string): number | undefined => {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (parent !== process.pid) continue
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0")
      if (argv[0]?.endsWith(binary) && argv.includes(arg)) return Number(entry)
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined
}
