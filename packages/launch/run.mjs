// Runs a TypeScript entry point as its own node process: as one bundle built at start (see
// bundle.mjs) when given a directory for it, else through tsx and the source condition.
import { spawn } from "node:child_process"
import { constants } from "node:os"
import { fileURLToPath } from "node:url"
import { bundle } from "./bundle.mjs"

/**
 * Starts `main` with `args`; this process passes signals on and leaves with the child's exit
 * code. With `bundleInto` (a directory) `main` runs as a bundle built there, unless
 * `WXFLEET_RUN_FROM_SOURCES=1` asks for tsx (stack traces then name the sources) or the bundle
 * cannot be written. `nodeFlags` answers the app's node flags given the ones node already has;
 * `stub` names modules the bundle replaces by empty ones (see bundle.mjs).
 */
export const runEntry = async (main, args, { bundleInto, nodeFlags = () => [], stub = [] } = {}) => {
  const given = [process.env.NODE_OPTIONS ?? "", ...process.execArgv].join(" ")
  let entry = ["--conditions=@wxfleet/source", "--import", import.meta.resolve("tsx"), main]
  if (bundleInto !== undefined && process.env.WXFLEET_RUN_FROM_SOURCES !== "1") {
    try {
      entry = [await bundle(main, bundleInto, { stub })]
    } catch (error) {
      // E.g. a read-only checkout: the sources still run, with more memory.
      const reason = error instanceof Error ? error.message : String(error)
      console.error(`could not bundle ${main} into ${bundleInto} (${reason}); running the sources through tsx`)
    }
  }
  const child = spawn(process.execPath, [...nodeFlags(given), ...entry, ...args], { stdio: "inherit" })
  // A terminal's Ctrl-C reaches both processes; other signals (a service manager's SIGTERM) are
  // passed on. The child decides how to stop; we wait for it.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (signal !== "SIGINT") child.kill(signal)
    })
  }
  child.on("exit", (code, signal) => process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1)))
}

/** Where an app's bin bundles its `src/main.ts`: the app's `dist/`. */
export const appEntry = (binUrl) => {
  const root = new URL("..", binUrl)
  return { main: fileURLToPath(new URL("src/main.ts", root)), bundleInto: fileURLToPath(new URL("dist", root)) }
}
