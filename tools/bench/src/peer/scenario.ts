import { randomBytes } from "node:crypto"
import { cpus, loadavg } from "node:os"
import { setTimeout as sleep } from "node:timers/promises"
import { parseArgs } from "node:util"
import { freePort, NatsServer } from "@wxfleet/testing"
import { cpuSeconds } from "../proc.js"
import { SimulatorProcess } from "../simulator/SimulatorProcess.js"
import { allWebpushHosts } from "../supervisor/outage.js"
import { HOME_HOSTS } from "@wxfleet/simulator"
import { forEachConcurrently, median, percentile } from "../stats.js"
import { FleetObserver } from "../supervisor/FleetObserver.js"
import { Phones } from "../supervisor/load.js"
import { childPid, machineTicks, statusBytes } from "../supervisor/procfs.js"
import { UsageError } from "../supervisor/scenario.js"
import { SupervisorProcess } from "../supervisor/SupervisorProcess.js"
import { EchoWatcher, type EchoTally } from "./EchoWatcher.js"
import { EchoWorkerProcess } from "./EchoWorkerProcess.js"
import { Wechat4uProcess } from "./Wechat4uProcess.js"
import { BenchRun } from "../BenchRun.js"

export interface PeerScenarioOptions {
  /** Accounts on each side. */
  readonly accounts: number
  readonly friendsEach: number
  /** Texts per second said to each side's accounts, round robin. */
  readonly rate: number
  /** Load without faults: echo latency and CPU. */
  readonly seconds: number
  /** Then the accounts' webpush host is down this long, under the same load (0: no outage). */
  readonly outageSeconds: number
  /** `primary`: each home's first webpush host; `all`: every webpush host. */
  readonly outageScope: "primary" | "all"
  /** Load after the host is back. */
  readonly recoverSeconds: number
  /** How long echoes may still come after the load. */
  readonly drainSeconds: number
  /** How long to watch both sides while every session only holds its long poll. */
  readonly idleSeconds: number
  readonly loginConcurrency: number
  /** Says in flight at most. */
  readonly maxInFlight: number
  /** The simulator's synccheck hold (the real server's is about 25 s). */
  readonly syncHoldMs: number
  readonly deadlineSeconds: number
}

export const DEFAULT_PEER_SCENARIO: PeerScenarioOptions = {
  accounts: 100,
  friendsEach: 50,
  rate: 50,
  seconds: 20,
  outageSeconds: 30,
  outageScope: "primary",
  recoverSeconds: 10,
  drainSeconds: 20,
  idleSeconds: 5,
  loginConcurrency: 32,
  maxInFlight: 64,
  syncHoldMs: 25_000,
  deadlineSeconds: 900,
}

export interface EchoFigures {
  readonly said: number
  readonly echoed: number
  readonly lost: number
  readonly duplicates: number
  /** friend says → the simulator records the echo. */
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

export interface SideFigures {
  readonly loggedIn: number
  /** The phone's confirm answered → the library says the account is logged in. */
  readonly loginMs: { readonly p50: number; readonly p99: number }
  /** First login started → every account logged in. */
  readonly allLoggedInSeconds: number
  readonly rssMb: {
    /** The process before it holds any account. */
    readonly empty: number
    /** Median over the idle window, N accounts logged in. */
    readonly idle: number
    /** wxfleet: supervisor + nats-server, and + the echo worker. */
    readonly idleWithNats?: number
    readonly idleWithNatsAndWorker?: number
  }
  /** Share of one core while idle: the process, and for wxfleet all three. */
  readonly idleCpu: number
  readonly idleCpuAll: number
  /** CPU seconds per 1,000 texts said during the steady load: the process, and for wxfleet all three. */
  readonly cpuPer1000: number
  readonly cpuPer1000All: number
  readonly steady: EchoFigures
  readonly outage: EchoFigures | undefined
  /** wxfleet: sessions that went `reconnecting`; wechat4u: logins after the first (restarts). */
  readonly reconnects: number
  /** wechat4u: `error` events; wxfleet: ERROR lines of the supervisor. */
  readonly errors: number
  readonly commonestErrors: ReadonlyArray<readonly [message: string, count: number]>
  /** Echoes the bot tried to send and could not. */
  readonly echoFailures: number
}

export interface PeerFigures {
  readonly options: PeerScenarioOptions
  readonly machine: {
    readonly cpus: number
    readonly cpuModel: string
    readonly node: string
    /** 1-minute load average at the start and at the end. */
    readonly loadAverage: readonly [number, number]
  }
  /** Everything else on the machine during the steady load, in cores (should be near 0). */
  readonly othersCores: number
  readonly outageHosts: ReadonlyArray<string>
  readonly wxfleet: SideFigures
  readonly wechat4u: SideFigures
  readonly failures: ReadonlyArray<string>
}

const CREATE_CHUNK = 1_000
/** Friends of each account who speak in the load. */
const SPEAKERS_EACH = 8
const MB = 1024 * 1024
const SIDES = ["wxfleet", "wechat4u"] as const
type Side = (typeof SIDES)[number]
/** Account prefixes: each side has accounts and friends of its own in the one simulator. */
const PREFIX: Record<Side, string> = { wxfleet: "wxf", wechat4u: "w4u" }

/** The webpush hosts taken down: the first a client of each home tries, or all of them. */
const outageHosts = (scope: "primary" | "all"): Array<string> =>
  scope === "primary" ? HOME_HOSTS.map((home) => `webpush.${home}`) : allWebpushHosts()

/** What the harness learns of the wechat4u bots from their process's reports. */
class BotsView {
  readonly loggedInAt = new Map<string, number>()
  readonly loggedIn = new Set<string>()
  readonly errors = new Map<string, number>()
  errorCount = 0
  restarts = 0
  echoFailures = 0
}

/**
 * wxfleet and wechat4u side by side, at once, on one simulator (own process) and the same load:
 * N accounts under the supervisor (own process, with nats-server and an echo worker), N other
 * accounts under N wechat4u bots in one process. Both echo every text; this process is the
 * phones, the friends who speak and the clock.
 */
export const runPeerBenchmark = async (
  options: PeerScenarioOptions,
  log: (line: string) => void = () => {},
): Promise<PeerFigures> => {
  const run = new BenchRun(options.deadlineSeconds)
  const { failures, fail, checkDeadline, waitFor } = run
  const loadAtStart = loadavg()[0]!
  try {
    const nats = await NatsServer.start()
    run.onCleanup(() => nats.dispose())
    const natsPid = childPid("nats-server", String(nats.port))
    if (natsPid === undefined) throw new Error("nats-server's pid was not found")
    const sim = await SimulatorProcess.launch({ syncHoldMs: options.syncHoldMs })
    run.onCleanup(() => sim.stop())
    const fleets = {
      wxfleet: await createFleet(sim, PREFIX.wxfleet, options),
      wechat4u: await createFleet(sim, PREFIX.wechat4u, options),
    }
    log(`simulator pid ${sim.serverPid}: 2 × ${options.accounts} accounts created`)

    const phones = new Phones(sim, options.loginConcurrency, fail)
    const observer = await FleetObserver.start(nats.url, (account, uuid) =>
      phones.answer(account, uuid),
    )
    run.onCleanup(() => observer.close())
    const watcher = await EchoWatcher.start(sim)
    run.onCleanup(() => watcher.close())

    const supervisor = await SupervisorProcess.start({
      natsUrl: nats.url,
      upstream: `${sim.url}/{host}`,
      secretKey: randomBytes(32).toString("hex"),
      httpPort: await freePort(),
      // wechat4u paces nothing: neither does the supervisor here.
      extraEnv: { WXFLEET_SEND_INTERVAL: "1 millis", WXFLEET_SEND_JITTER: "0" },
    })
    // Stopped before NATS: SIGTERM lets the supervisor drain.
    run.onCleanup(() => supervisor.stop())
    const bots = await Wechat4uProcess.start(`${sim.url}/{host}`)
    run.onCleanup(() => bots.stop())
    await supervisor.waitHealthy(60_000)
    const echo = await EchoWorkerProcess.start(nats.url)
    run.onCleanup(() => echo.stop())
    let workerEchoFailures = 0
    echo.onReport((report) => {
      if (report.type !== "echoFailed") return
      workerEchoFailures++
      fail(`echo worker, ${report.account}: ${report.message}`)
    })
    const botsView = watchBots(bots, fleets.wechat4u.accounts, phones)
    const pids = {
      supervisor: supervisor.pid,
      nats: natsPid,
      worker: echo.pid,
      bots: bots.pid,
      simulator: sim.serverPid,
      harness: process.pid,
    }
    log(
      `pids: supervisor ${pids.supervisor}, nats-server ${pids.nats}, echo worker ${pids.worker}, wechat4u bots ${pids.bots}`,
    )
    // Let start-up garbage settle before reading the empty processes.
    await sleep(2_000)
    const emptyRss = {
      supervisor: rssMb(pids.supervisor),
      bots: rssMb(pids.bots),
    }

    const loginStarted = performance.now()
    const allIn: Record<Side, number> = { wxfleet: Number.NaN, wechat4u: Number.NaN }
    bots.startBots(options.accounts)
    const adding = addAccounts(observer, fleets.wxfleet.accounts, fail)
    const loggedIn = await waitFor(
      () => {
        if (!supervisor.running)
          throw new Error(`the supervisor exited:\n${supervisor.tail.join("\n")}`)
        if (!bots.running) throw bots.failure("exited")
        if (Number.isNaN(allIn.wxfleet) && observer.loggedIn >= options.accounts)
          allIn.wxfleet = (performance.now() - loginStarted) / 1000
        if (Number.isNaN(allIn.wechat4u) && botsView.loggedIn.size >= options.accounts)
          allIn.wechat4u = (performance.now() - loginStarted) / 1000
        return !Number.isNaN(allIn.wxfleet) && !Number.isNaN(allIn.wechat4u)
      },
      60_000 + options.accounts * 500,
    )
    await adding
    if (!loggedIn)
      fail(
        `logged in: wxfleet ${observer.loggedIn}, wechat4u ${botsView.loggedIn.size} of ${options.accounts}`,
      )
    log(
      `logged in: wxfleet ${observer.loggedIn} in ${allIn.wxfleet.toFixed(1)} s, wechat4u ${botsView.loggedIn.size} in ${allIn.wechat4u.toFixed(1)} s`,
    )
    const held = await sim.waitForHeldPolls(2 * options.accounts, 30_000, checkDeadline)
    log(`${held} synccheck polls held; idle for ${options.idleSeconds} s`)
    const idle = await watchIdle(pids, options.idleSeconds, checkDeadline)

    const speakers = {
      wxfleet: speakersOf(fleets.wxfleet, (a) => observer.states.get(a) === "logged_in"),
      wechat4u: speakersOf(fleets.wechat4u, (a) => botsView.loggedIn.has(a)),
    }
    const generator = new LoadGenerator(sim, watcher, speakers, options, fail)
    const steadyCpu = cpuSnapshot(pids)
    const machineBefore = machineTicks()
    await generator.offer(options.seconds, "steady", checkDeadline)
    const steadyUsed = cpuUsed(steadyCpu, cpuSnapshot(pids))
    const othersCores = othersShare(machineBefore, machineTicks(), steadyUsed, options.seconds)
    log(`steady load done: ${generator.issued} texts said`)

    const hosts = options.outageSeconds > 0 ? outageHosts(options.outageScope) : []
    const reconnectsBefore = observer.stateEvents.get("reconnecting") ?? 0
    const restartsBefore = botsView.restarts
    if (options.outageSeconds > 0) {
      for (const host of hosts) await sim.control("POST", `/faults/hosts/${host}/down`)
      log(`${hosts.join(", ")} down for ${options.outageSeconds} s`)
      await generator.offer(options.outageSeconds, "outage", checkDeadline)
      for (const host of hosts) await sim.control("POST", `/faults/hosts/${host}/up`)
      log("webpush hosts up again")
      await generator.offer(options.recoverSeconds, "outage", checkDeadline)
    }
    const drained = await waitFor(() => watcher.outstanding === 0, options.drainSeconds * 1000)
    log(
      drained
        ? "every text echoed"
        : `${watcher.outstanding} texts without an echo after the drain`,
    )
    if (watcher.missedEvents)
      fail("the simulator's event feed dropped events before they were read")
    if (!supervisor.running) fail(`the supervisor exited:\n${supervisor.tail.join("\n")}`)
    if (!bots.running) fail(bots.failure("exited").message)

    const echoes = (side: Side, phase: string) => echoFigures(watcher.tally(`${side}:${phase}`))
    const steadySaid = (side: Side) => watcher.tally(`${side}:steady`).said
    const per1000 = (cpu: number, side: Side) => cpu / Math.max(1, steadySaid(side) / 1000)
    const wxfleetLoginMs = loginTimes(phones.confirmedAt, observer.loggedInAt)
    const wechat4uLoginMs = loginTimes(phones.confirmedAt, botsView.loggedInAt)
    const hasOutage = options.outageSeconds > 0
    return {
      options,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        node: process.version,
        loadAverage: [loadAtStart, loadavg()[0]!],
      },
      othersCores,
      outageHosts: hosts,
      wxfleet: {
        loggedIn: observer.loggedIn,
        loginMs: wxfleetLoginMs,
        allLoggedInSeconds: allIn.wxfleet,
        rssMb: {
          empty: emptyRss.supervisor,
          idle: idle.rssMb.supervisor,
          idleWithNats: idle.rssMb.supervisor + idle.rssMb.nats,
          idleWithNatsAndWorker: idle.rssMb.supervisor + idle.rssMb.nats + idle.rssMb.worker,
        },
        idleCpu: idle.cpu.supervisor,
        idleCpuAll: idle.cpu.supervisor + idle.cpu.nats + idle.cpu.worker,
        cpuPer1000: per1000(steadyUsed.supervisor, "wxfleet"),
        cpuPer1000All: per1000(
          steadyUsed.supervisor + steadyUsed.nats + steadyUsed.worker,
          "wxfleet",
        ),
        steady: echoes("wxfleet", "steady"),
        outage: hasOutage ? echoes("wxfleet", "outage") : undefined,
        reconnects: (observer.stateEvents.get("reconnecting") ?? 0) - reconnectsBefore,
        errors: supervisor.errors,
        commonestErrors: [...observer.reasons].sort((a, b) => b[1] - a[1]).slice(0, 3),
        echoFailures: workerEchoFailures,
      },
      wechat4u: {
        loggedIn: botsView.loggedIn.size,
        loginMs: wechat4uLoginMs,
        allLoggedInSeconds: allIn.wechat4u,
        rssMb: { empty: emptyRss.bots, idle: idle.rssMb.bots },
        idleCpu: idle.cpu.bots,
        idleCpuAll: idle.cpu.bots,
        cpuPer1000: per1000(steadyUsed.bots, "wechat4u"),
        cpuPer1000All: per1000(steadyUsed.bots, "wechat4u"),
        steady: echoes("wechat4u", "steady"),
        outage: hasOutage ? echoes("wechat4u", "outage") : undefined,
        reconnects: botsView.restarts - restartsBefore,
        errors: botsView.errorCount,
        commonestErrors: [...botsView.errors].sort((a, b) => b[1] - a[1]).slice(0, 3),
        echoFailures: botsView.echoFailures,
      },
      failures,
    }
  } finally {
    await run.cleanUp()
  }
}

/** Follows the bots' reports: answers each QR code with the phone of the bot's account. */
const watchBots = (
  bots: Wechat4uProcess,
  accounts: ReadonlyArray<string>,
  phones: Phones,
): BotsView => {
  const view = new BotsView()
  bots.onReport((report) => {
    if (report.type === "ready") return
    const account = accounts[report.bot]
    if (account === undefined) return
    switch (report.type) {
      case "uuid":
        return phones.answer(account, report.uuid)
      case "login":
        view.loggedIn.add(account)
        if (view.loggedInAt.has(account)) view.restarts++
        else view.loggedInAt.set(account, performance.now())
        return
      case "logout":
        view.loggedIn.delete(account)
        return
      case "error": {
        view.errorCount++
        const message = report.message.slice(0, 160)
        view.errors.set(message, (view.errors.get(message) ?? 0) + 1)
        return
      }
      case "echoFailed":
        view.echoFailures++
        return
    }
  })
  return view
}

interface Fleet {
  readonly accounts: ReadonlyArray<string>
  readonly speakers: ReadonlyMap<string, ReadonlyArray<string>>
}

/** N accounts `<prefix>_<i>` with their friends, and the few friends of each who will speak. */
const createFleet = async (
  sim: SimulatorProcess,
  prefix: string,
  options: PeerScenarioOptions,
): Promise<Fleet> => {
  const accounts: Array<string> = []
  for (let start = 0; start < options.accounts; start += CREATE_CHUNK) {
    const created = await sim.control<{ accounts: Array<string> }>("POST", "/accounts", {
      count: Math.min(CREATE_CHUNK, options.accounts - start),
      prefix,
      start,
      friendsEach: options.friendsEach,
      groupsEach: 0,
      home: "mixed",
    })
    accounts.push(...created.accounts)
  }
  const speakers = new Map<string, Array<string>>()
  await forEachConcurrently(accounts, 32, async (account) => {
    const { friendList } = (
      await sim.control<{ account: { friendList: Array<string> } }>("GET", `/accounts/${account}`)
    ).account
    speakers.set(
      account,
      friendList.filter((f) => f !== "filehelper" && f !== "weixin").slice(0, SPEAKERS_EACH),
    )
  })
  return { accounts, speakers }
}

/** The logged-in accounts of a fleet, each with its speakers. */
const speakersOf = (
  fleet: Fleet,
  loggedIn: (account: string) => boolean,
): Array<readonly [string, ReadonlyArray<string>]> =>
  fleet.accounts
    .filter(loggedIn)
    .map((account) => [account, fleet.speakers.get(account) ?? []] as const)

/** `wx.fleet.add` for every account, 16 in flight (the supervisor starts each session at once). */
const addAccounts = (
  observer: FleetObserver,
  accounts: ReadonlyArray<string>,
  fail: (message: string) => void,
): Promise<void> =>
  forEachConcurrently(accounts, 16, async (account) => {
    const reply = await observer.connection.request("wx.fleet.add", JSON.stringify({ account }), {
      timeout: 30_000,
    })
    const answer = reply.json<{ ok: boolean; error?: { message: string } }>()
    if (!answer.ok) fail(`wx.fleet.add ${account}: ${answer.error?.message ?? "refused"}`)
  })

/**
 * Open-loop load on both sides at once: friends say texts to each side's accounts, round robin,
 * at `rate` per second per side, alternating sides, through the control API's `say`.
 */
class LoadGenerator {
  issued = 0
  private inFlight = 0

  constructor(
    private readonly sim: SimulatorProcess,
    private readonly watcher: EchoWatcher,
    private readonly speakers: Record<
      Side,
      ReadonlyArray<readonly [string, ReadonlyArray<string>]>
    >,
    private readonly options: PeerScenarioOptions,
    private readonly fail: (message: string) => void,
  ) {}

  /** Says texts of `phase` for `seconds`, then waits for the says in flight. */
  async offer(seconds: number, phase: string, checkDeadline: () => void): Promise<void> {
    let offered = 0
    const started = performance.now()
    const end = started + seconds * 1000
    // Both sides, each at the rate.
    const rate = 2 * this.options.rate
    for (;;) {
      const now = performance.now()
      if (now >= end) break
      checkDeadline()
      const due = Math.floor((rate * (now - started)) / 1000)
      while (offered < due && this.inFlight < this.options.maxInFlight) {
        offered++
        this.say(this.issued++, phase)
      }
      await sleep(offered < due ? 0 : 2)
    }
    while (this.inFlight > 0) await sleep(1)
  }

  private say(seq: number, phase: string): void {
    const side = SIDES[seq % 2]!
    const accounts = this.speakers[side]
    if (accounts.length === 0) return
    const turn = Math.floor(seq / 2)
    const [account, friends] = accounts[turn % accounts.length]!
    const from = friends[Math.floor(turn / accounts.length) % friends.length]
    if (from === undefined) return
    const text = `${PREFIX[side]}-${phase}-${seq}`
    this.watcher.expect(text, `${side}:${phase}`)
    this.inFlight++
    void this.sim
      .control("POST", "/say", { from, to: account, spec: { kind: "text", text } })
      .catch((error: unknown) => {
        this.watcher.forget(text)
        this.fail(`say to ${account}: ${error instanceof Error ? error.message : String(error)}`)
      })
      .finally(() => this.inFlight--)
  }
}

type Pids = Readonly<
  Record<"supervisor" | "nats" | "worker" | "bots" | "simulator" | "harness", number>
>

const rssMb = (pid: number): number => statusBytes(pid, "VmRSS") / MB

const cpuSnapshot = (pids: Pids): Record<keyof Pids, number> =>
  Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])) as Record<
    keyof Pids,
    number
  >

const cpuUsed = (
  before: Record<keyof Pids, number>,
  after: Record<keyof Pids, number>,
): Record<keyof Pids, number> =>
  Object.fromEntries(
    Object.entries(after).map(([name, value]) => [name, value - before[name as keyof Pids]]),
  ) as Record<keyof Pids, number>

/** Cores busy with work not ours over `seconds`. */
const othersShare = (
  before: { busy: number; total: number },
  after: { busy: number; total: number },
  ours: Record<keyof Pids, number>,
  seconds: number,
): number => {
  const busyCores = ((after.busy - before.busy) / (after.total - before.total)) * cpus().length
  const oursCores = Object.values(ours).reduce((a, b) => a + b, 0) / seconds
  return Math.max(0, busyCores - oursCores)
}

/** Every process while the sessions only hold their long polls: median RSS, CPU shares. */
const watchIdle = async (
  pids: Pids,
  seconds: number,
  checkDeadline: () => void,
): Promise<{ rssMb: Record<keyof Pids, number>; cpu: Record<keyof Pids, number> }> => {
  const names = Object.keys(pids) as Array<keyof Pids>
  const samples = new Map(names.map((name) => [name, [rssMb(pids[name])]]))
  const before = cpuSnapshot(pids)
  const started = performance.now()
  for (let second = 0; second < seconds; second++) {
    await sleep(1_000)
    checkDeadline()
    for (const name of names) samples.get(name)!.push(rssMb(pids[name]))
  }
  const wall = (performance.now() - started) / 1000
  const used = cpuUsed(before, cpuSnapshot(pids))
  return {
    rssMb: Object.fromEntries(names.map((n) => [n, median(samples.get(n)!)])) as Record<
      keyof Pids,
      number
    >,
    cpu: Object.fromEntries(names.map((n) => [n, used[n] / wall])) as Record<keyof Pids, number>,
  }
}

/** confirm answered → logged in, p50 and p99 over the accounts that did both. */
const loginTimes = (
  confirmedAt: ReadonlyMap<string, number>,
  loggedInAt: ReadonlyMap<string, number>,
): { p50: number; p99: number } => {
  const times: Array<number> = []
  for (const [account, inAt] of loggedInAt) {
    const confirmed = confirmedAt.get(account)
    if (confirmed !== undefined) times.push(Math.max(0, inAt - confirmed))
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) }
}

const echoFigures = (tally: EchoTally): EchoFigures => ({
  said: tally.said,
  echoed: tally.latenciesMs.length,
  lost: tally.lost,
  duplicates: tally.duplicates,
  p50Ms: percentile(tally.latenciesMs, 0.5),
  p99Ms: percentile(tally.latenciesMs, 0.99),
  maxMs: tally.latenciesMs.at(-1) ?? Number.NaN,
})

export const PEER_USAGE = `Usage: npm run bench -- peer [options]

Scenario "peer": wxfleet and wechat4u 0.7.14 side by side, at once, on one simulator (own process).
wxfleet: N accounts under the supervisor (own process) with nats-server and an echo worker (own
process) answering every text through wx.cmd.<account>.send_text. wechat4u: N other accounts, one
wechat4u bot each, all in one process, each echoing every text; its HTTP goes to the simulator
through an axios interceptor. Neither paces its sends. This process scans the QR codes with the
simulator's phone and has friends say texts to both sides at the same rate: a steady part (echo
latency, CPU), then the accounts' webpush host down under the same load, then a drain (texts
never echoed are lost).

  --accounts N          accounts on each side (default ${DEFAULT_PEER_SCENARIO.accounts})
  --friends-each N      friends per account (default ${DEFAULT_PEER_SCENARIO.friendsEach})
  --rate R              texts per second to each side (default ${DEFAULT_PEER_SCENARIO.rate})
  --seconds N           steady load (default ${DEFAULT_PEER_SCENARIO.seconds})
  --outage-seconds N    webpush host down this long under load, 0 for none (default ${DEFAULT_PEER_SCENARIO.outageSeconds})
  --outage-scope S      primary (each home's first webpush host) or all (default ${DEFAULT_PEER_SCENARIO.outageScope})
  --recover-seconds N   load after the host is back (default ${DEFAULT_PEER_SCENARIO.recoverSeconds})
  --drain-seconds N     how long echoes may still come after the load (default ${DEFAULT_PEER_SCENARIO.drainSeconds})
  --idle-seconds N      how long to watch the idle sessions (default ${DEFAULT_PEER_SCENARIO.idleSeconds})
  --sync-hold-ms N      the simulator's synccheck hold (default ${DEFAULT_PEER_SCENARIO.syncHoldMs})
  --deadline-seconds N  abandon the run after this long (default ${DEFAULT_PEER_SCENARIO.deadlineSeconds})
  --json                print the figures as JSON instead of a table`

/** The scenario's options from its command-line flags (throws UsageError). */
export const parsePeerArgs = (
  argv: ReadonlyArray<string>,
): { options: PeerScenarioOptions; json: boolean; help: boolean } => {
  const text = { type: "string" } as const
  const { values } = (() => {
    try {
      return parseArgs({
        args: [...argv],
        allowPositionals: false,
        options: {
          accounts: text,
          "friends-each": text,
          rate: text,
          seconds: text,
          "outage-seconds": text,
          "outage-scope": text,
          "recover-seconds": text,
          "drain-seconds": text,
          "idle-seconds": text,
          "sync-hold-ms": text,
          "deadline-seconds": text,
          json: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      })
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error))
    }
  })()
  const d = DEFAULT_PEER_SCENARIO
  const whole = (flag: keyof typeof values, fallback: number, min: number): number => {
    const raw = values[flag]
    if (typeof raw !== "string") return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min)
      throw new UsageError(`--${flag} must be a whole number of at least ${min}`)
    return value
  }
  const scope = values["outage-scope"] ?? d.outageScope
  if (scope !== "primary" && scope !== "all")
    throw new UsageError("--outage-scope must be primary or all")
  const options: PeerScenarioOptions = {
    accounts: whole("accounts", d.accounts, 1),
    friendsEach: whole("friends-each", d.friendsEach, 1),
    rate: whole("rate", d.rate, 1),
    seconds: whole("seconds", d.seconds, 1),
    outageSeconds: whole("outage-seconds", d.outageSeconds, 0),
    outageScope: scope,
    recoverSeconds: whole("recover-seconds", d.recoverSeconds, 0),
    drainSeconds: whole("drain-seconds", d.drainSeconds, 0),
    idleSeconds: whole("idle-seconds", d.idleSeconds, 1),
    loginConcurrency: d.loginConcurrency,
    maxInFlight: d.maxInFlight,
    syncHoldMs: whole("sync-hold-ms", d.syncHoldMs, 1),
    deadlineSeconds: whole("deadline-seconds", d.deadlineSeconds, 1),
  }
  return { options, json: values.json, help: values.help }
}

/**
 * `npm run bench -- peer [flags]`: runs the scenario and prints its figures as a table (or JSON
 * with `--json`); progress goes to stderr. Bad flags throw a UsageError.
 */
export const runPeerScenario = async (argv: ReadonlyArray<string>): Promise<void> => {
  const { options, json, help } = parsePeerArgs(argv)
  if (help) return void console.log(PEER_USAGE)
  const figures = await runPeerBenchmark(options, (line) => console.error(`bench: ${line}`))
  console.log(json ? JSON.stringify(figures, null, 2) : peerTable(figures))
  if (figures.failures.length > 0) process.exitCode = 1
}

/** The figures side by side as a Markdown table, with the ratio wxfleet / wechat4u. */
export const peerTable = (f: PeerFigures): string => {
  const o = f.options
  const x = f.wxfleet
  const w = f.wechat4u
  const num = (v: number | undefined, digits = 0) =>
    v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits)
  const ratio = (a: number | undefined, b: number | undefined) => {
    if (a === undefined || b === undefined || !Number.isFinite(a / b)) return "–"
    const r = a / b
    // Two significant digits at least: a ratio of 0.004 is not 0.00.
    return r >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2)
  }
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`
  const kbEach = (mb: number | undefined) =>
    mb === undefined ? undefined : (mb * 1024) / o.accounts
  type Row = readonly [figure: string, wxfleet: string, wechat4u: string, ratio: string]
  const compare = (
    figure: string,
    a: number | undefined,
    b: number | undefined,
    digits = 0,
  ): Row => [figure, num(a, digits), num(b, digits), ratio(a, b)]
  const rows: Array<Row> = [
    ["accounts logged in", `${x.loggedIn} / ${o.accounts}`, `${w.loggedIn} / ${o.accounts}`, ""],
    compare("QR confirmed → logged in, p50 (ms)", x.loginMs.p50, w.loginMs.p50),
    compare("QR confirmed → logged in, p99 (ms)", x.loginMs.p99, w.loginMs.p99),
    compare(
      "first login started → all logged in (s)",
      x.allLoggedInSeconds,
      w.allLoggedInSeconds,
      1,
    ),
    compare("RSS of the process before any account (MB)", x.rssMb.empty, w.rssMb.empty),
    compare("RSS idle, all logged in (MB)", x.rssMb.idle, w.rssMb.idle),
    compare("RSS per account (KB)", kbEach(x.rssMb.idle), kbEach(w.rssMb.idle)),
    compare(
      "RSS per account above the empty process (KB)",
      kbEach(x.rssMb.idle - x.rssMb.empty),
      kbEach(w.rssMb.idle - w.rssMb.empty),
    ),
    compare(
      "RSS per account, with nats-server (KB)",
      kbEach(x.rssMb.idleWithNats),
      kbEach(w.rssMb.idle),
    ),
    compare(
      "RSS per account, with nats-server and the echo worker (KB)",
      kbEach(x.rssMb.idleWithNatsAndWorker),
      kbEach(w.rssMb.idle),
    ),
    [
      "CPU idle, % of a core (supervisor / all)",
      `${pct(x.idleCpu)} / ${pct(x.idleCpuAll)}`,
      pct(w.idleCpu),
      `${ratio(x.idleCpu, w.idleCpu)} / ${ratio(x.idleCpuAll, w.idleCpuAll)}`,
    ],
    compare("CPU-s per 1,000 texts, steady (supervisor)", x.cpuPer1000, w.cpuPer1000, 3),
    compare(
      "CPU-s per 1,000 texts, steady (+ nats-server + echo worker)",
      x.cpuPer1000All,
      w.cpuPer1000All,
      3,
    ),
    [
      "steady: said / echoed",
      `${x.steady.said} / ${x.steady.echoed}`,
      `${w.steady.said} / ${w.steady.echoed}`,
      "",
    ],
    compare("steady: echo latency p50 (ms)", x.steady.p50Ms, w.steady.p50Ms, 1),
    compare("steady: echo latency p99 (ms)", x.steady.p99Ms, w.steady.p99Ms, 1),
    compare("steady: echo latency max (ms)", x.steady.maxMs, w.steady.maxMs, 1),
    ["steady: lost (never echoed)", String(x.steady.lost), String(w.steady.lost), ""],
  ]
  if (x.outage && w.outage) {
    const name = `outage ${o.outageSeconds} s + ${o.recoverSeconds} s`
    rows.push(
      [
        `${name}: said / echoed`,
        `${x.outage.said} / ${x.outage.echoed}`,
        `${w.outage.said} / ${w.outage.echoed}`,
        "",
      ],
      compare(`${name}: lost (never echoed)`, x.outage.lost, w.outage.lost),
      compare(`${name}: echo latency p50 (ms)`, x.outage.p50Ms, w.outage.p50Ms),
      compare(`${name}: echo latency p99 (ms)`, x.outage.p99Ms, w.outage.p99Ms),
      [
        `${name}: reconnects (wxfleet) / restarts (wechat4u)`,
        String(x.reconnects),
        String(w.reconnects),
        "",
      ],
    )
  }
  const twice = (side: SideFigures) => side.steady.duplicates + (side.outage?.duplicates ?? 0)
  rows.push(
    ["texts echoed twice (whole run)", String(twice(x)), String(twice(w)), ""],
    [
      "errors (supervisor ERROR lines / wechat4u error events)",
      String(x.errors),
      String(w.errors),
      "",
    ],
    ["echo sends that failed", String(x.echoFailures), String(w.echoFailures), ""],
  )
  const widths = [0, 1, 2, 3].map((i) =>
    Math.max(
      ["figure", "wxfleet", "wechat4u", "wxfleet / wechat4u"][i]!.length,
      ...rows.map((r) => r[i]!.length),
    ),
  )
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`
  return [
    `${o.accounts} accounts a side, ${o.friendsEach} friends each; ${o.rate} texts/s to each side; ` +
      `steady ${o.seconds} s; ${o.outageSeconds > 0 ? `${f.outageHosts.length} webpush host(s) down ${o.outageSeconds} s (${o.outageScope})` : "no outage"}; ` +
      `synccheck hold ${o.syncHoldMs} ms; no send pacing on either side`,
    `machine: ${f.machine.cpus} × ${f.machine.cpuModel}, Node ${f.machine.node}; load average ${f.machine.loadAverage.map((l) => l.toFixed(1)).join(" → ")}; ` +
      `other work during the steady load: ${f.othersCores.toFixed(2)} cores`,
    "",
    line(["figure", "wxfleet", "wechat4u", "wxfleet / wechat4u"]),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map(line),
    ...(x.commonestErrors.length + w.commonestErrors.length > 0
      ? [
          "",
          `wxfleet reasons: ${x.commonestErrors.map(([m, n]) => `${n} × ${m}`).join("; ") || "none"}`,
          `wechat4u errors: ${w.commonestErrors.map(([m, n]) => `${n} × ${m}`).join("; ") || "none"}`,
        ]
      : []),
    ...(f.failures.length > 0 ? ["", `failures: ${f.failures.slice(0, 5).join("; ")}`] : []),
  ].join("\n")
}
