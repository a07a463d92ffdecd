// runEntry end to end: a TypeScript entry run as its bundle, through tsx when asked, and through
// tsx when the bundle cannot be written (a read-only checkout) — never not at all.
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const dir = mkdtempSync(join(tmpdir(), "wxfleet-launch-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Type annotations: plain node could not run it; the exit code proves the child's is passed on.
writeFileSync(
  join(dir, "main.ts"),
  `const greet = (name: string): string => "hello " + name
console.log(greet(process.argv[2] ?? "nobody"), import.meta.url.endsWith(".mjs") ? "bundled" : "sources")
process.exit(3)
`,
)
writeFileSync(
  join(dir, "launcher.mjs"),
  `import { runEntry } from ${JSON.stringify(new URL("../run.mjs", import.meta.url).href)}
const [main, bundleInto, ...args] = process.argv.slice(2)
void runEntry(main, args, bundleInto === "-" ? {} : { bundleInto })
`,
)
// A file where the bundle's directory should be: nothing can be written under it.
writeFileSync(join(dir, "not-a-directory"), "")

/** Runs the launcher; answers its exit code and output. */
const launch = (bundleInto, env = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, "launcher.mjs"), join(dir, "main.ts"), bundleInto, "fleet"], {
      env: { ...process.env, WXFLEET_RUN_FROM_SOURCES: "", ...env },
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("error", reject)
    child.on("exit", (code) => resolve({ code, stdout, stderr }))
  })

describe("runEntry", () => {
  it("runs the entry as a bundle built in the given directory, passing arguments and exit code", async () => {
    const out = join(dir, "dist")
    const { code, stdout } = await launch(out)
    expect(stdout.trim()).toBe("hello fleet bundled")
    expect(code).toBe(3)
    expect(existsSync(join(out, "main.mjs"))).toBe(true)
    expect(existsSync(join(out, "main.mjs.map"))).toBe(true)
  })

  it("builds the bundle again only when one of its inputs changed", async () => {
    const out = join(dir, "dist-again")
    expect((await launch(out)).code).toBe(3)
    const first = statSync(join(out, "main.mjs")).mtimeMs
    expect((await launch(out)).stdout.trim()).toBe("hello fleet bundled")
    expect(statSync(join(out, "main.mjs")).mtimeMs).toBe(first)
    // The entry edited (and stamped a second later, whatever the file system's resolution).
    const main = join(dir, "main.ts")
    writeFileSync(main, readFileSync(main, "utf8").replace('"hello "', '"hi "'))
    utimesSync(main, new Date(first + 1_000), new Date(first + 1_000))
    expect((await launch(out)).stdout.trim()).toBe("hi fleet bundled")
    expect(statSync(join(out, "main.mjs")).mtimeMs).toBeGreaterThan(first)
    writeFileSync(main, readFileSync(main, "utf8").replace('"hi "', '"hello "'))
  })

  it("runs the sources through tsx when WXFLEET_RUN_FROM_SOURCES=1, writing no bundle", async () => {
    const out = join(dir, "unused")
    const { code, stdout } = await launch(out, { WXFLEET_RUN_FROM_SOURCES: "1" })
    expect(stdout.trim()).toBe("hello fleet sources")
    expect(code).toBe(3)
    expect(existsSync(out)).toBe(false)
  })

  it("says why and runs the sources when the bundle cannot be written", async () => {
    const { code, stdout, stderr } = await launch(join(dir, "not-a-directory", "dist"))
    expect(stderr).toMatch(/could not bundle .*main\.ts into .*not-a-directory.*running the sources through tsx/)
    expect(stdout.trim()).toBe("hello fleet sources")
    expect(code).toBe(3)
  })
})
