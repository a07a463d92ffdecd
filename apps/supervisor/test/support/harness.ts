import { connect, type NatsConnection } from "@nats-io/transport-node"
import { Simulator, type SimulatorOptions } from "@wxfleet/simulator"
import { NatsServer, type NatsServerOptions } from "@wxfleet/testing"
import { Duration, Layer, Redacted } from "effect"
import { Nats } from "@wxfleet/nats"
import { ProtocolLive, SupervisorConfig, SupervisorLive, type SupervisorConfigShape } from "../../src/index.js"

export const TEST_SECRET = "0123456789abcdef".repeat(4)

export const testConfig = (overrides: Partial<SupervisorConfigShape> = {}): SupervisorConfigShape => ({
  prefix: "wx",
  secretKey: Redacted.make(TEST_SECRET),
  sendInterval: Duration.millis(20),
  sendJitter: 0.2,
  rateLimitBackoff: 4,
  heartbeatInterval: Duration.minutes(5),
  idempotencyTtl: Duration.hours(1),
  httpPort: 0,
  configFile: undefined,
  ...overrides,
})

/** A supervisor layer wired to a test NATS server and a simulator, all real, all on loopback. */
export const supervisorLayer = (nats: NatsServer, sim: Simulator, config: Partial<SupervisorConfigShape> = {}) =>
  SupervisorLive.pipe(
    Layer.provide(
      Layer.mergeAll(
        Nats.layer({ servers: nats.url, name: "supervisor-under-test" }),
        ProtocolLive(sim.upstream),
        SupervisorConfig.layer(testConfig(config)),
      ),
    ),
  )

/** Everything published under a subject pattern, with a way to wait for the one you expect. */
export class Recorder {
  readonly received: Array<{ subject: string; data: unknown }> = []
  private waiters: Array<() => void> = []

  private constructor(readonly connection: NatsConnection) {}

  static async start(url: string, subject = "wx.evt.>"): Promise<Recorder> {
    const connection = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 })
    const recorder = new Recorder(connection)
    const sub = connection.subscribe(subject)
    void (async () => {
      for await (const msg of sub) {
        recorder.received.push({ subject: msg.subject, data: msg.json() })
        const waiters = recorder.waiters
        recorder.waiters = []
        for (const w of waiters) w()
      }
    })()
    await connection.flush()
    return recorder
  }

  /** Resolves with the first recorded event that matches, now or when it arrives. */
  async waitFor<T = Record<string, unknown>>(
    predicate: (subject: string, data: T) => boolean,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.find((r) => predicate(r.subject, r.data as T))
      if (found) return found.data as T
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms; got ${this.received.length} events`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async request(subject: string, body: unknown, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const reply = await this.connection.request(subject, JSON.stringify(body), { timeout: timeoutMs })
    return reply.json()
  }

  close(): Promise<void> {
    return this.connection.close()
  }
}

export const startInfrastructure = async (simOptions: SimulatorOptions = {}, natsOptions: NatsServerOptions = {}) => {
  const nats = await NatsServer.start(natsOptions)
  const sim = await Simulator.start({ syncHoldMs: 2_000, loginPollHoldMs: 1_000, pushConfirmDelayMs: 0, ...simOptions })
  const recorder = await Recorder.start(nats.url)
  return {
    nats,
    sim,
    recorder,
    close: async () => {
      await recorder.close()
      await sim.close()
      await nats.dispose()
    },
  }
}

/**
 * Adds `account` (wxid `wxid_<account>`) to the fleet through `wx.fleet.add`, scans and confirms
 * its QR code in the simulator and waits until it is logged in.
 */
export const addAndScan = async (recorder: Recorder, sim: Simulator, account: string): Promise<void> => {
  await recorder.request("wx.fleet.add", { account })
  const awaiting = await recorder.waitFor<{ state: string; qr?: { uuid: string } }>(
    (s, d) => s === `wx.evt.${account}.session` && d.state === "awaiting_scan",
  )
  sim.world.scan(awaiting.qr!.uuid, `wxid_${account}`)
  sim.world.confirm(awaiting.qr!.uuid)
  await recorder.waitFor<{ state: string }>((s, d) => s === `wx.evt.${account}.session` && d.state === "logged_in")
}
