#!/usr/bin/env node
// Runs the CLI from its TypeScript sources (no build step): node with tsx and the source condition.
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "main.ts")
const child = spawn(
  process.execPath,
  ["--conditions=@wxfleet/source", "--import", import.meta.resolve("tsx"), main, ...process.argv.slice(2)],
  { stdio: "inherit" },
)
// The terminal sends Ctrl-C to both processes; the child decides how to stop, we wait for it.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (signal !== "SIGINT") child.kill(signal)
  })
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)))
