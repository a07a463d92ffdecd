import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { bundle } from "@wxfleet/launch/bundle"
import { speak } from "@wxfleet/simulator"
import { MARKER, outcomeCounter } from "@wxfleet/worker"
import { TestFleet } from "@wxfleet/worker/testing"
import { Duration, Effect, Metric } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { autoReply, configFile, testWorkerConfig } from "./support.js"

/**
 * Copies of auto-reply sharing the durable consumer: each message handled once, and a copy
 * killed (SIGKILL, in its own process: the bundle `wxfleet-auto-reply` runs) mid-stream loses
 * nothing and sends nothing twice. The supervisor paces sends slowly here, so a copy always has
 * commands in flight.
 */
const fleet = await TestFleet.start({ supervisor: { sendInterval: Duration.millis(40) } })
const world = fleet.world
world.addAccount({ wxid: "wxid_p1", nickName: "Pacer" })
const friends = ["wxid_ann", "wxid_ben", "wxid_cat"]
for (const [i, wxid] of friends.entries()) {
  world.addPerson({ wxid, nickName: `Friend ${i}` })
  world.befriend("wxid_p1", wxid)
}
const file = await configFile(
  "auto-reply.json",
  JSON.stringify({
    accounts: { "*": { rules: [{ regex: "^(job|task) (\\d+)$", reply: "done {1} {2}" }] } },
  }),
)
const bundleDir = await mkdtemp(join(tmpdir(), "wxfleet-auto-reply-bundle-"))
const bundled = await bundle(fileURLToPath(new URL("../src/main.ts", import.meta.url)), bundleDir)
let child: ChildProcess | undefined

beforeAll(() => fleet.login("p1", "wxid_p1"), 30_000)
afterAll(async () => {
  child?.kill("SIGKILL")
  await fleet.close()
  await rm(bundleDir, { recursive: true, force: true })
})

/** Says `<word> 0` … `<word> n-1`, round robin from the friends. */
const sayAll = (word: string, n: number) => {
  for (let i = 0; i < n; i++)
    speak(world, friends[i % friends.length]!, "wxid_p1", { kind: "text", text: `${word} ${i}` })
}

/** How many times each reply to `<word> i` was sent. */
const replyCounts = (word: string) => {
  const counts = new Map<string, number>()
  for (const sent of fleet.sent("wxid_p1")) {
    if (sent.content.startsWith(`done ${word} `))
      counts.set(sent.content, (counts.get(sent.content) ?? 0) + 1)
  }
  return counts
}

const expectEachOnce = (word: string, n: number) => {
  const counts = replyCounts(word)
  expect(counts.size).toBe(n)
  for (let i = 0; i < n; i++)
    expect(counts.get(`done ${word} ${i}${MARKER}`), `${word} ${i}`).toBe(1)
}

const handledBy = (instance: string) =>
  Effect.runSync(Metric.value(outcomeCounter(testWorkerConfig(instance), "handled"))).count

describe("copies of a worker", () => {
  it("split the work and handle each message exactly once", async () => {
    const a = await fleet.start(autoReply(fleet, file, "copy-a"))
    const b = await fleet.start(autoReply(fleet, file, "copy-b"))
    try {
      sayAll("job", 30)
      await fleet.waitForSent("wxid_p1", (s) => s.content.startsWith("done job"), 30, 30_000)
      await fleet.messageEvent("p1", "job 29")
      await fleet.drained("auto-reply")
      expectEachOnce("job", 30)
      expect(handledBy("copy-a")).toBeGreaterThan(0)
      expect(handledBy("copy-b")).toBeGreaterThan(0)
      expect(handledBy("copy-a") + handledBy("copy-b")).toBe(30)
    } finally {
      await a.stop()
      await b.stop()
    }
  }, 60_000)

  it("lose nothing and send nothing twice when one is killed mid-stream", async () => {
    child = spawn(process.execPath, [bundled], {
      env: {
        ...process.env,
        WXFLEET_NATS_URL: fleet.nats.url,
        WXFLEET_AUTOREPLY_CONFIG: file,
        WXFLEET_WORKER_BACKOFF: "2 seconds, 4 seconds",
        WXFLEET_WORKER_MAX_DELIVER: "4",
        WXFLEET_WORKER_CONCURRENCY: "8",
        WXFLEET_WORKER_INSTANCE: "child",
      },
      stdio: ["ignore", "pipe", "pipe"],
    })
    child.stderr?.resume()
    await new Promise<void>((resolve, reject) => {
      let out = ""
      child!.once("exit", (code) => reject(new Error(`the worker exited with ${code}: ${out}`)))
      child!.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8")
        if (out.includes("consuming")) resolve()
      })
    })

    sayAll("task", 40)
    await fleet.waitForSent("wxid_p1", (s) => s.content.startsWith("done task"), 5, 30_000)
    child.kill("SIGKILL")
    await new Promise((resolve) => child!.once("exit", resolve))
    expect(replyCounts("task").size).toBeLessThan(40)

    await fleet.start(autoReply(fleet, file, "survivor"))
    await fleet.waitForSent("wxid_p1", (s) => s.content.startsWith("done task"), 40, 30_000)
    await fleet.messageEvent("p1", "task 39")
    await fleet.drained("auto-reply")
    expectEachOnce("task", 40)
    // What the killed copy had not acknowledged came back to the survivor.
    expect(handledBy("survivor")).toBeGreaterThan(0)
  }, 90_000)
})
