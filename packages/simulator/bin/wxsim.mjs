#!/usr/bin/env node
// Runs the simulator's TypeScript CLI with tsx, resolving workspace packages to their sources.
import { spawn } from "node:child_process"
import { constants } from "node:os"
import { fileURLToPath } from "node:url"

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url))
// WXSIM_CPU_PROF_DIR: the serving process writes a V8 CPU profile there (the benchmarks' --cpu-prof).
const profile = process.env.WXSIM_CPU_PROF_DIR
const child = spawn(
  process.execPath,
  [
    ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []),
    "--conditions=@wxfleet/source",
    "--import",
    import.meta.resolve("tsx"),
    cli,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
)

// Ctrl-C reaches the whole process group; a signal sent to this launcher alone is passed on.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal)
  })
}
child.on("exit", (code, signal) =>
  process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
)
