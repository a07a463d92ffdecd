import { spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { freePort } from "@wxfleet/testing"
import { afterAll, describe, expect, it } from "vitest"
import { startInfrastructure, TEST_SECRET } from "./support/harness.js"

/** `wxfleet-supervisor` as installed: the bin that bundles the sources and starts node on the bundle. */
const infra = await startInfrastructure({ syncHoldMs: 1_000 })
afterAll(() => infra.close())

const bin = fileURLToPath(new URL("../bin/supervisor.mjs", import.meta.url))

/** A process's children (Linux /proc). */
const childPids = (pid: number): Array<number> =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid ? [Number(entry)] : []
      } catch {
        return [] // gone meanwhile
      }
    })

/** The command lines of a process's children. */
const childCommandLines = (pid: number): Array<string> =>
  childPids(pid).flatMap((child) => {
    try {
      return [readFileSync(`/proc/${child}/cmdline`, "utf8").split("\0").join(" ")]
    } catch {
      return [] // gone meanwhile
    }
  })

describe("the wxfleet-supervisor bin", () => {
  it.each([
    ["a bundle built in dist/", {}, "dist/main.mjs"],
    ["the sources through tsx when asked", { WXFLEET_RUN_FROM_SOURCES: "1" }, "src/main.ts"],
  ])("runs %s with a larger young generation and stops it with SIGTERM, exit 0", async (_, extraEnv, entry) => {
    const httpPort = await freePort()
    const wrapper = spawn(process.execPath, [bin], {
      env: {
        ...extraEnv,
        PATH: process.env["PATH"] ?? "",
        WXFLEET_NATS_URL: infra.nats.url,
        WXFLEET_UPSTREAM: infra.sim.upstream,
        WXFLEET_SECRET_KEY: TEST_SECRET,
        WXFLEET_HTTP_PORT: String(httpPort),
      },
      stdio: ["ignore", "ignore", "pipe"],
    })
    const exit = new Promise<number | null>((resolve) => wrapper.once("exit", resolve))
    try {
      const deadline = Date.now() + 30_000
      for (;;) {
        const healthy = await fetch(`http://127.0.0.1:${httpPort}/healthz`).then((r) => r.ok, () => false)
        if (healthy) break
        if (Date.now() > deadline) throw new Error("the supervisor did not answer /healthz")
        // Nothing to await for a process that binds its port: ask again shortly.
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const children = childCommandLines(wrapper.pid!)
      expect(children).toHaveLength(1)
      expect(children[0]).toContain("--max-semi-space-size=64")
      expect(children[0]).toContain(entry)
      wrapper.kill("SIGTERM")
      expect(await exit).toBe(0)
    } finally {
      // A failed assertion must not leave the supervisor behind: the wrapper cannot pass SIGKILL on.
      for (const pid of childPids(wrapper.pid!)) process.kill(pid, "SIGKILL")
      wrapper.kill("SIGKILL")
    }
  }, 60_000)
})
