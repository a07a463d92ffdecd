// The supervisor's way of starting a TypeScript entry point (see @wxfleet/launch), with a larger
// young generation unless node was given one: a fleet's sessions keep many short-lived objects
// alive across a round, and with V8's default most of them were promoted and collected by full
// collections of the whole heap (BENCHMARKS.md: at 10,000 sessions 956 instead of 667
// messages/s delivered at 1,000 offered). Used by `wxfleet-supervisor` and `wxfleet`.
import { runEntry } from "@wxfleet/launch/run"

/** The node flags the supervisor runs with, besides those `given` (which win). */
export const supervisorNodeFlags = (given) => (given.includes("--max-semi-space-size") ? [] : ["--max-semi-space-size=64"])

/**
 * Starts `main` with `args` and the supervisor's node flags; bundled into `bundleInto` when given
 * (unless `WXFLEET_RUN_FROM_SOURCES=1`, and with the modules named in `stub` left out), else
 * through tsx.
 */
export const runFromSources = (main, args, { bundleInto, stub = [] } = {}) =>
  runEntry(main, args, { ...(bundleInto === undefined ? {} : { bundleInto }), stub, nodeFlags: supervisorNodeFlags })
