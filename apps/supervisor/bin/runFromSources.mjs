// Runs a TypeScript entry point as its own node process (tsx and the source condition, no build
// step), with a larger young generation unless node was given one: a fleet's sessions keep many
// short-lived objects alive across a round, and with V8's default most of them were promoted and
// collected by full collections of the whole heap (BENCHMARKS.md: at 10,000 sessions 956 instead
// of 667 messages/s delivered at 1,000 offered). Used by `wxfleet-supervisor` and `wxfleet`.
import { spawn } from "node:child_process"
import { constants } from "node:os"

/** The node flags the supervisor runs with, besides those `given` (which win). */
export const supervisorNodeFlags = (given) => (given.includes("--max-semi-space-size") ? [] : ["--max-semi-space-size=64"])

/** Starts `main` with `args`; this process passes signals on and leaves with the child's exit code. */
export const runFromSources = (main, args) => {
  const given = [process.env.NODE_OPTIONS ?? "", ...process.execArgv].join(" ")
  const child = spawn(
    process.execPath,
    [...supervisorNodeFlags(given), "--conditions=@wxfleet/source", "--import", import.meta.resolve("tsx"), main, ...args],
    { stdio: "inherit" },
  )
  // A terminal's Ctrl-C reaches both processes; other signals (a service manager's SIGTERM) are
  // passed on. The child decides how to stop; we wait for it.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (signal !== "SIGINT") child.kill(signal)
    })
  }
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1)))
}
