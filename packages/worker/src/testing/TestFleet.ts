import { jetstream, jetstreamManager } from "@nats-io/jetstream"
import { DEADLETTER_STREAM, EVENTS_STREAM, type DeadLetter } from "@wxfleet/contracts"
import { Nats } from "@wxfleet/nats"
import { Simulator, type Activity, type SimulatorOptions } from "@wxfleet/simulator"
import {
  ProtocolLive,
  SupervisorConfig,
  SupervisorLive,
  type SupervisorConfigShape,
} from "@wxfleet/supervisor"
import { NatsServer } from "@wxfleet/testing"
import { Duration, Layer, ManagedRuntime, Redacted } from "effect"
import { EventLog } from "./EventLog.js"

export type SentActivity = Extract<Activity, { readonly type: "sent" }>

export interface TestFleetOptions {
  readonly simulator?: SimulatorOptions
  readonly supervisor?: Partial<SupervisorConfigShape>
}

/** A worker (or any layer) running in this process until stopped. */
export interface Running {
  stop(): Promise<void>
}

const supervisorConfig = (overrides: Partial<SupervisorConfigShape>): SupervisorConfigShape => ({
  prefix: "wx",
  secretKey: Redacted.make("0123456789abcdef".repeat(4)),
  sendInterval: Duration.millis(10),
  sendJitter: 0,
  rateLimitBackoff: 4,
  heartbeatInterval: Duration.minutes(5),
  idempotencyTtl: Duration.hours(1),
  httpPort: 0,
  configFile: undefined,
  ...overrides,
})

/**
 * A whole fleet on loopback for worker tests: a real nats-server, the simulator, and the real
 * supervisor in this process, plus a log of every event and dead letter.
 */
export class TestFleet {
  private readonly running: Array<Running> = []

  private constructor(
    readonly nats: NatsServer,
    readonly sim: Simulator,
    readonly log: EventLog,
    private readonly supervisor: Running,
  ) {}

  static async start(options: TestFleetOptions = {}): Promise<TestFleet> {
    const nats = await NatsServer.start()
    const sim = await Simulator.start({
      syncHoldMs: 1_000,
      loginPollHoldMs: 1_000,
      pushConfirmDelayMs: 0,
      ...options.simulator,
    })
    const log = await EventLog.start(nats.url, ["wx.evt.>", "wx.dlq.>"])
    const supervisor = await run(
      SupervisorLive.pipe(
        Layer.provide(
          Layer.mergeAll(
            Nats.layer({ servers: nats.url, name: "supervisor-under-test" }),
            ProtocolLive(sim.upstream),
            SupervisorConfig.layer(supervisorConfig(options.supervisor ?? {})),
          ),
        ),
      ),
    )
    return new TestFleet(nats, sim, log, supervisor)
  }

  get world() {
    return this.sim.world
  }

  /** Adds the account to the fleet and logs it in by scanning its QR code. */
  async login(account: string, wxid: string): Promise<void> {
    await this.log.request("wx.fleet.add", { account })
    const awaiting = await this.log.waitFor<{ state: string; qr?: { uuid: string } }>(
      (s, d) => s === `wx.evt.${account}.session` && d.state === "awaiting_scan",
    )
    this.world.scan(awaiting.qr!.uuid, wxid)
    this.world.confirm(awaiting.qr!.uuid)
    await this.log.waitFor<{ state: string }>(
      (s, d) => s === `wx.evt.${account}.session` && d.state === "logged_in",
    )
  }

  /** The account's UserNames by display name, from the `contacts` command. */
  async userNames(account: string): Promise<Record<string, string>> {
    const reply = await this.log.request(`wx.cmd.${account}.contacts`, {})
    const contacts = reply["contacts"] as Array<{ userName: string; displayName: string }>
    return Object.fromEntries(contacts.map((c) => [c.displayName, c.userName]))
  }

  /** Texts the account sent through its web session, oldest first. */
  sent(wxid: string): Array<SentActivity> {
    return this.world.account(wxid).activity.filter((a): a is SentActivity => a.type === "sent")
  }

  /** Resolves when the account has sent `count` texts matching, now or when they are sent. */
  waitForSent(
    wxid: string,
    predicate: (sent: SentActivity) => boolean,
    count = 1,
    timeoutMs = 20_000,
  ): Promise<Array<SentActivity>> {
    const matching = () => this.sent(wxid).filter(predicate)
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = matching()
        if (found.length < count) return false
        cleanup()
        resolve(found)
        return true
      }
      const onActivity = (account: string) => {
        if (account === wxid) check()
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(
          new Error(
            `${wxid} sent ${matching().length} of ${count} expected texts within ${timeoutMs} ms`,
          ),
        )
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.world.events.off("activity", onActivity)
      }
      this.world.events.on("activity", onActivity)
      check()
    })
  }

  /** Starts a layer (a worker) in this process; it stops gracefully with `stop()` or `close()`. */
  async start<E>(layer: Layer.Layer<never, E>): Promise<Running> {
    const running = await run(layer)
    this.running.push(running)
    return running
  }

  /**
   * Resolves once the app's durable consumer has nothing left to deliver and nothing unacknowledged:
   * every message event stored so far was handled (wait for the events themselves first).
   */
  async drained(app: string, timeoutMs = 20_000): Promise<void> {
    const manager = await jetstreamManager(this.log.connection)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const info = await manager.consumers.info(EVENTS_STREAM, app)
      if (info.num_pending === 0 && info.num_ack_pending === 0) return
      if (Date.now() > deadline)
        throw new Error(
          `${app}: ${info.num_pending} pending, ${info.num_ack_pending} unacknowledged`,
        )
      // The consumer's state has no event to await: read it again shortly.
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** Resolves with the message event whose text is `text`, once the supervisor published it. */
  messageEvent(account: string, text: string): Promise<{ message: { id: string; text: string } }> {
    return this.log.waitFor<{ message: { id: string; text?: string } }>(
      (s, d) => s === `wx.evt.${account}.message` && d.message.text === text,
    ) as Promise<{ message: { id: string; text: string } }>
  }

  /** Every dead letter stored in WX_DEADLETTER, oldest first. */
  async deadLetters(): Promise<Array<DeadLetter>> {
    const consumer = await jetstream(this.log.connection).consumers.get(DEADLETTER_STREAM)
    const letters: Array<DeadLetter> = []
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 100, expires: 1_000 })
      let got = 0
      for await (const msg of batch) {
        got++
        letters.push(msg.json<DeadLetter>())
      }
      if (got === 0) return letters
    }
  }

  async close(): Promise<void> {
    for (const running of this.running.reverse()) await running.stop()
    await this.supervisor.stop()
    await this.log.close()
    await this.sim.close()
    await this.nats.dispose()
  }
}

const run = async <E>(layer: Layer.Layer<never, E>): Promise<Running> => {
  const runtime = ManagedRuntime.make(layer)
  await runtime.runtime()
  let stopped = false
  return {
    stop: async () => {
      if (stopped) return
      stopped = true
      await runtime.dispose()
    },
  }
}
