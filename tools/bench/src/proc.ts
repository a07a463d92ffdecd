import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { bundle } from "@wxfleet/launch/bundle"

/** Clock ticks per second of /proc/<pid>/stat's CPU times (USER_HZ, nearly always 100). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
})()

/** Resident memory of a process in bytes (VmRSS of /proc/<pid>/status). */
export const residentBytes = (pid: number): number => {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  if (!match) throw new Error(`no VmRSS for process ${pid}`)
  return Number(match[1]) * 1024
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export const cpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const userTicks = Number(fields[11])
  const systemTicks = Number(fields[12])
  return (userTicks + systemTicks) / CLOCK_TICKS
}

/** Watches one process's CPU use from now: the CPU seconds it has used since, each time asked. */
export const cpuUsedSince = (pid: number): (() => number) => {
  const startCpu = cpuSeconds(pid)
  return () => cpuSeconds(pid) - startCpu
}

/** Watches one process's CPU use between two moments, as a share of one core. */
export const cpuMeter = (pid: number): (() => number) => {
  const used = cpuUsedSince(pid)
  const startWall = performance.now()
  return () => used() / ((performance.now() - startWall) / 1000)
}

/**
 * What follows `node` to start an app's `main` as its bin does: the bundle built into
 * `bundleInto`, or with `WXFLEET_RUN_FROM_SOURCES=1` the sources through tsx (CPU profiles then
 * name each source file instead of the one bundle).
 */
export const appEntryArgs = async (main: string, bundleInto: string): Promise<Array<string>> =>
  process.env["WXFLEET_RUN_FROM_SOURCES"] === "1"
    ? ["--import", "tsx", "--conditions=@wxfleet/source", main]
    : [await bundle(main, bundleInto)]
