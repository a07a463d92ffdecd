import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"

/**
 * Builds the CLI's bundle once before any test file runs. On a fresh clone every test that starts
 * `wxfleet` would otherwise build it at the same time as the others, and on a loaded CI machine
 * that build ate the time a test gave its process to draw its first screen.
 */
export default function buildTheBundleOnce(): void {
  const bin = fileURLToPath(new URL("../bin/wxfleet.mjs", import.meta.url))
  execFileSync(process.execPath, [bin, "--version"], { stdio: "pipe", timeout: 120_000 })
}
