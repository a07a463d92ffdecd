import { keyValue, Nats } from "@wxfleet/nats"
import { Duration, Effect, ManagedRuntime } from "effect"
import { afterAll, describe, expect, it, onTestFinished } from "vitest"
import { LEASE_BUCKET, LEASE_TTL } from "../src/fleet/SupervisorLease.js"
import { freePort } from "@wxfleet/testing"
import { startInfrastructure, supervisorLayer } from "./support/harness.js"

const infra = await startInfrastructure({ syncHoldMs: 1_000 })
const { sim, recorder } = infra
sim.world.addAccount({ wxid: "wxid_l1", nickName: "Lease One", home: "wx2.qq.com" })
afterAll(() => infra.close())

/** The lease as stored in KV, read the way any NATS client would. */
const lease = Effect.gen(function* () {
  const kv = yield* keyValue(LEASE_BUCKET, { history: 1, ttl: Duration.toMillis(LEASE_TTL) })
  return yield* Effect.promise(() => kv.get("supervisor"))
}).pipe(Effect.provide(Nats.layer({ servers: infra.nats.url })))

const writeLease = (value: unknown) =>
  Effect.gen(function* () {
    const kv = yield* keyValue(LEASE_BUCKET, { history: 1, ttl: Duration.toMillis(LEASE_TTL) })
    yield* Effect.promise(() => kv.put("supervisor", JSON.stringify(value)))
  }).pipe(Effect.provide(Nats.layer({ servers: infra.nats.url })), Effect.runPromise)

const loggedIn = () =>
  recorder.received.filter((r) => r.subject === "wx.evt.l1.session" && (r.data as { state: string }).state === "logged_in").length

/** Resolves with what settles first: `promise`, or "still waiting" after `ms`. */
const within = <A>(promise: Promise<A>, ms: number) =>
  Promise.race([promise, new Promise<"still waiting">((resolve) => setTimeout(() => resolve("still waiting"), ms))])

describe("the fleet's lease", () => {
  it("lets one supervisor run the fleet; a second waits until the first stops, then resumes it", async () => {
    const first = ManagedRuntime.make(supervisorLayer(infra.nats, sim))
    const healthPort = await freePort()
    const second = ManagedRuntime.make(supervisorLayer(infra.nats, sim, { httpPort: healthPort }))
    // Whatever fails, neither is left running into the next test.
    onTestFinished(() => Promise.all([first.dispose(), second.dispose()]).then(() => undefined))
    await first.runtime()
    await recorder.request("wx.fleet.add", { account: "l1" })
    const awaiting = await recorder.waitFor<{ qr: { uuid: string } }>(
      (s, d) => s === "wx.evt.l1.session" && (d as { state?: string }).state === "awaiting_scan",
    )
    sim.world.scan(awaiting.qr.uuid, "wxid_l1")
    sim.world.confirm(awaiting.qr.uuid)
    await recorder.waitFor(() => loggedIn() >= 1)

    const secondReady = second.runtime()
    // While the first runs, the second starts nothing: logging the account in twice gets it logged out.
    expect(await within(secondReady, 4_000)).toBe("still waiting")
    expect(loggedIn()).toBe(1)
    // It says so on /healthz, which a standby serves too.
    const standby = await fetch(`http://127.0.0.1:${healthPort}/healthz`)
    expect(standby.status).toBe(200)
    expect(await standby.json()).toMatchObject({ ok: true, lease: "waiting", heldBy: expect.stringContaining(`pid ${process.pid}`), accounts: 0 })

    const stoppedAt = Date.now()
    await first.dispose()
    await secondReady
    // The first gave the lease back: no waiting out its 15 s time to live.
    expect(Date.now() - stoppedAt).toBeLessThan(10_000)
    await recorder.waitFor(() => loggedIn() >= 2, 30_000)
  }, 90_000)

  it("takes the fleet over at once from a supervisor that no longer runs", async () => {
    // A lease left by a killed supervisor: nobody answers on its ping subject.
    await writeLease({ instance: "gone", host: "elsewhere", pid: 1, since: "2026-11-24T00:00:00.000Z", ping: "_wxfleet.supervisor.gone.ping" })
    const startedAt = Date.now()
    const supervisor = ManagedRuntime.make(supervisorLayer(infra.nats, sim))
    onTestFinished(() => supervisor.dispose())
    await supervisor.runtime()
    expect(Date.now() - startedAt).toBeLessThan(Duration.toMillis(LEASE_TTL))
    const held = JSON.parse((await Effect.runPromise(lease))!.string()) as { instance: string; pid: number }
    expect(held.instance).not.toBe("gone")
    expect(held.pid).toBe(process.pid)
    await supervisor.dispose()
    // Given back on the way out.
    const after = await Effect.runPromise(lease)
    expect(after === null || after.operation !== "PUT").toBe(true)
  }, 60_000)
})
