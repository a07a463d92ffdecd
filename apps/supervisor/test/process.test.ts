import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { jetstream } from "@nats-io/jetstream"
import { freePort } from "@wxfleet/testing"
import { afterAll, describe, expect, it } from "vitest"
import { bundle } from "@wxfleet/launch/bundle"
import { supervisorNodeFlags } from "../bin/runFromSources.mjs"
import { startInfrastructure, TEST_SECRET } from "./support/harness.js"

/**
 * The supervisor as an operator runs it: its own process, from the bundle its bin builds, killed
 * with SIGKILL and started again, stopped with SIGTERM, with nats-server itself killed under
 * traffic.
 */
const infra = await startInfrastructure({ syncHoldMs: 1_000 })
const { sim, recorder, nats } = infra
const world = sim.world
world.addAccount({ wxid: "wxid_p1", nickName: "Process One", home: "wx.qq.com" })
world.addPerson({ wxid: "wxid_buddy", nickName: "Buddy" })
world.befriend("wxid_p1", "wxid_buddy")
const httpPort = await freePort()
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const bundleDir = await mkdtemp(join(tmpdir(), "wxfleet-supervisor-bundle-"))
const bundled = await bundle(main, bundleDir)
let child: ChildProcess | undefined

afterAll(async () => {
  child?.kill("SIGKILL")
  await infra.close()
  await rm(bundleDir, { recursive: true, force: true })
})

const startSupervisor = (): ChildProcess => {
  const proc = spawn(process.execPath, [...supervisorNodeFlags(""), bundled], {
    env: {
      ...process.env,
      WXFLEET_NATS_URL: nats.url,
      WXFLEET_UPSTREAM: sim.upstream,
      WXFLEET_SECRET_KEY: TEST_SECRET,
      WXFLEET_HTTP_PORT: String(httpPort),
      WXFLEET_SEND_INTERVAL: "20 millis",
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  proc.stdout?.resume()
  proc.stderr?.resume()
  return proc
}

const exited = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)))

type Event = { state?: string; qr?: { uuid: string }; message?: { _tag: string; id: string; text?: string } }

const sessionStates = () =>
  recorder.received.filter((r) => r.subject === "wx.evt.p1.session").map((r) => (r.data as Event).state)

/** Every stored message event of the account, in stream order: what a consumer would read. */
const storedMessages = async (): Promise<Array<{ id: string; text: string | undefined }>> => {
  const js = jetstream(recorder.connection)
  // An ordered consumer over the whole stream (filtering by subject needs nats-server 2.10).
  const consumer = await js.consumers.get("WX_EVENTS")
  const out: Array<{ id: string; text: string | undefined }> = []
  for (;;) {
    const batch = await consumer.fetch({ max_messages: 500, expires: 1_000 })
    let got = 0
    for await (const msg of batch) {
      got++
      if (msg.subject !== "wx.evt.p1.message") continue
      const event = msg.json<Event>()
      if (event.message?._tag === "Text") out.push({ id: event.message.id, text: event.message.text })
    }
    if (got === 0) return out
  }
}

const say = (text: string) => world.say("wxid_buddy", "wxid_p1", { MsgType: 1, Content: text })

const waitForStored = async (texts: ReadonlyArray<string>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // While nats-server restarts, reading the stream fails: try again until the deadline.
    const stored = await storedMessages().catch(() => [])
    if (texts.every((t) => stored.some((m) => m.text === t))) return stored
    if (Date.now() > deadline) throw new Error(`missing: ${texts.filter((t) => !stored.some((m) => m.text === t)).join(", ")}`)
    // The stream has no push to await here (a test connection may be reconnecting): read it again shortly.
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

/** Asks the supervisor, waiting for it to subscribe (NATS answers "no responders" until then). */
const requestWhenReady = async (subject: string, body: unknown, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await recorder.request(subject, body, 10_000)
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

/** The simulator's protocol calls answered since the last reading (the reading starts afresh). */
const simulatorCalls = async (): Promise<Record<string, number>> => {
  const response = await fetch(`${sim.url}/__sim/process/event-loop`, { method: "POST" })
  return ((await response.json()) as { calls: Record<string, number> }).calls
}

describe("the supervisor process", () => {
  it("resumes after kill -9 with no scan, no lost and no duplicated message", async () => {
    child = startSupervisor()
    const added = await requestWhenReady("wx.fleet.add", { account: "p1" })
    expect(added["ok"]).toBe(true)
    const awaiting = await recorder.waitFor<Event>((s, d) => s === "wx.evt.p1.session" && d.state === "awaiting_scan", 30_000)
    world.scan(awaiting.qr!.uuid, "wxid_p1")
    world.confirm(awaiting.qr!.uuid)
    await recorder.waitFor((s, d: Event) => s === "wx.evt.p1.session" && d.state === "logged_in", 30_000)

    const before = Array.from({ length: 20 }, (_, i) => `before ${i}`)
    before.forEach(say)
    await waitForStored(before)

    const killed = exited(child)
    child.kill("SIGKILL")
    await killed
    const whileDown = Array.from({ length: 20 }, (_, i) => `while down ${i}`)
    whileDown.forEach(say)

    const scans = sessionStates().filter((s) => s === "awaiting_scan").length
    const loggedIn = sessionStates().filter((s) => s === "logged_in").length
    await simulatorCalls()
    child = startSupervisor()
    await recorder.waitFor(() => sessionStates().filter((s) => s === "logged_in").length > loggedIn, 60_000)
    const stored = await waitForStored(whileDown)
    expect(sessionStates().filter((s) => s === "awaiting_scan").length).toBe(scans)
    const texts = stored.map((m) => m.text)
    expect(new Set(texts).size).toBe(texts.length)
    expect(texts).toEqual([...before, ...whileDown])
    // The resumed session knew its contacts from its stored record: no listing, and a known
    // contact's change is "changed", not "added".
    expect((await simulatorCalls())["webwxgetcontact"] ?? 0).toBe(0)
    world.person("wxid_buddy").nickName = "Buddy (renamed)"
    world.contactChanged("wxid_buddy")
    const change = await recorder.waitFor<{ change: string; contact?: { nickName: string } }>(
      (s, d) => s === "wx.evt.p1.contact" && d.contact?.nickName === "Buddy (renamed)",
      30_000,
    )
    expect(change.change).toBe("changed")
  }, 180_000)

  it("loses nothing while nats-server is killed and restarted under traffic", async () => {
    const burst = Array.from({ length: 30 }, (_, i) => `burst ${i}`)
    burst.slice(0, 10).forEach(say)
    await nats.stop("SIGKILL")
    burst.slice(10, 20).forEach(say)
    await nats.restart()
    burst.slice(20).forEach(say)
    const stored = await waitForStored(burst, 90_000)
    const texts = stored.map((m) => m.text).filter((t) => t?.startsWith("burst"))
    expect(texts).toEqual(burst)
  }, 180_000)

  it("reports health and metrics over HTTP", async () => {
    const health = (await (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).json()) as { sessions: Record<string, number> }
    expect(health.sessions["logged_in"]).toBe(1)
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text()
    expect(metrics).toMatch(/wxfleet_sessions\{state="logged_in"\} 1/)
    expect(metrics).toMatch(/wxfleet_messages_in_total \d+/)
  })

  it("stops on SIGTERM, draining, with exit code 0", async () => {
    const proc = child!
    const code = exited(proc)
    proc.kill("SIGTERM")
    expect(await code).toBe(0)
    child = undefined
  }, 60_000)
})
