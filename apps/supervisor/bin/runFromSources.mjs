// Runs a TypeScript entry point as its own node process — bundled first when asked (see
// bundle.mjs), else through tsx and the source condition — with a larger young generation unless node was given one: a fleet's sessions keep many
// short-lived objects alive across a round, and with V8's default most of them were promoted and
// collected by full collections of the whole heap (BENCHMARKS.md: at 10,000 sessions 956 instead
// of 667 messages/s delivered at 1,000 offered). Used by `wxfleet-supervisor` and `wxfleet`.
import { spawn } from "node:child_process"
import { constants } from "node:os"
import { bundle } from "./bundle.mjs"

/** The node flags the supervisor runs with, besides those `given` (which win). */
export const supervisorNodeFlags = (given) => (given.includes("--max-semi-space-size") ? [] : ["--max-semi-space-size=64"])

/**
 * Starts `main` with `args`; this process passes signals on and leaves with the child's exit
 * code. With `bundleInto` (a directory) `main` runs as a bundle built there, unless
 * `WXFLEET_RUN_FROM_SOURCES=1` asks for tsx (stack traces then name the sources).
 */
export const runFromSources = async (main, args, { bundleInto } = {}) => {
  const given = [process.env.NODE_OPTIONS ?? "", ...process.execArgv].join(" ")
  const fromSources = bundleInto === undefined || process.env.WXFLEET_RUN_FROM_SOURCES === "1"
  const sources = ["--conditions=@wxfleet/source", "--import", import.meta.resolve("tsx"), main]
  let entry = sources
  if (!fromSources) {
    try {
      entry = [await bundle(main, bundleInto)]
    } catch (error) {
      // E.g. a read-only checkout: the sources still run, with more memory.
      const reason = error instanceof Error ? error.message : String(error)
      console.error(`could not bundle ${main} into ${bundleInto} (${reason}); running the sources through tsx`)
    }
  }
  const child = spawn(process.execPath, [...supervisorNodeFlags(given), ...entry, ...args], { stdio: "inherit" })
  // A terminal's Ctrl-C reaches both processes; other signals (a service manager's SIGTERM) are
  // passed on. The child decides how to stop; we wait for it.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (signal !== "SIGINT") child.kill(signal)
    })
  }
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1)))
}
