import { randomBytes } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { parseArgs } from "node:util"
import { freePort, NatsServer } from "@wxfleet/testing"
import { cpuMeter } from "../proc.js"
import { SimulatorProcess } from "../simulator/SimulatorProcess.js"
import { forEachConcurrently, median, percentile } from "../stats.js"
import { FleetObserver } from "./FleetObserver.js"
import { outageStep, type OutageFigures } from "./outage.js"
import { restartStep, type RestartFigures } from "./restart.js"
import { offerLoad, Phones } from "./load.js"
import { childPid, machineTicks, openFiles, statusBytes } from "./procfs.js"
import { eventLoopLagOf, SupervisorProcess, type EventLoopLag, type MetricValues } from "./SupervisorProcess.js"
import { BenchRun } from "../BenchRun.js"

export interface SupervisorScenarioOptions {
  readonly accounts: number
  readonly friendsEach: number
  readonly groupsEach: number
  /** Messages per second offered, one load step each, in this order. */
  readonly rates: ReadonlyArray<number>
  /** Length of each load step. */
  readonly seconds: number
  /** How long to watch the supervisor while every session only holds its long poll. */
  readonly idleSeconds: number
  /** QR codes answered (scan + confirm) at once. */
  readonly loginConcurrency: number
  /** Says in flight at most. */
  readonly maxInFlight: number
  /**
   * Seconds of load at the first rate before the measured steps, not counted (0: none): the
   * first step would otherwise also pay for the JIT compiling the hot paths.
   */
  readonly warmupSeconds: number
  /** The simulator's synccheck hold (the real server's is about 25 s). */
  readonly syncHoldMs: number
  /**
   * How the accounts reach the fleet: a `WXFLEET_CONFIG` file (every session starts at once), or
   * one `wx.fleet.add` each, keeping at most `loginWindow` added accounts not yet logged in.
   */
  readonly addVia: "config" | "request"
  /** With `request`: accounts added but not logged in at most (0: no limit). */
  readonly loginWindow: number
  /** Where the supervisor writes a V8 CPU profile of its whole run (`--cpu-prof`), if set. */
  readonly cpuProfileDir: string | undefined
  /** A file that gets everything the supervisor prints, e.g. with `--node-arg=--trace-gc-nvp`. */
  readonly supervisorOutput: string | undefined
  /** More node flags for the supervisor, e.g. `--max-old-space-size=8192`. */
  readonly nodeArgs: ReadonlyArray<string>
  /** The whole run is abandoned after this long. */
  readonly deadlineSeconds: number
  /** After the load: every webpush host down this long, then the time until the fleet is back (0: none). */
  readonly outageSeconds: number
  /** At the end: kill the supervisor (SIGKILL), start another, and time the fleet's resume. */
  readonly restart: boolean
}

export const DEFAULT_SUPERVISOR_SCENARIO: SupervisorScenarioOptions = {
  accounts: 1_000,
  friendsEach: 200,
  groupsEach: 10,
  rates: [1_000, 2_500, 5_000],
  seconds: 60,
  idleSeconds: 30,
  warmupSeconds: 10,
  loginConcurrency: 64,
  maxInFlight: 512,
  syncHoldMs: 25_000,
  addVia: "request",
  loginWindow: 500,
  cpuProfileDir: undefined,
  supervisorOutput: undefined,
  nodeArgs: [],
  deadlineSeconds: 900,
  outageSeconds: 0,
  restart: false,
}

/** CPU used by each process over a phase, as a share of one core (the machine may have two). */
export interface CpuShares {
  readonly supervisor: number
  readonly simulator: number
  readonly nats: number
  readonly loadGenerator: number
  /** Everything else on the machine (other jobs would skew the figures). */
  readonly others: number
}

export interface LoadStepFigures {
  /** Messages per second asked for. */
  readonly rate: number
  /** Messages per second the generator got the simulator to take (`say` answered). */
  readonly sentPerSecond: number
  readonly sent: number
  readonly sayFailures: number
  /** Message events that reached NATS during the step, per second. */
  readonly deliveredPerSecond: number
  /** Events the stream stored during the step, per second. */
  readonly storedPerSecond: number
  /** Sent but not yet on NATS when the step ended. */
  readonly backlogAtEnd: number
  /** Sent but not yet on NATS halfway through the step. */
  readonly backlogAtHalf: number
  /**
   * How fast the backlog grew over the step's second half, per second: about 0 once a saturated
   * fleet's rounds carry enough messages each to keep up (a plateau), the shortfall when they
   * never do. A short step ends while the backlog is still building, so only this tells the two
   * apart.
   */
  readonly backlogGrowthPerSecond: number
  /** How long the backlog took to arrive after the step. */
  readonly drainSeconds: number
  /** Sent, and not yet on NATS when the drain wait ended (overload; not a loss by itself). */
  readonly late: number
  readonly duplicates: number
  /** say → event on NATS, over every message of the step (drain included). */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number }
  /**
   * What the supervisor's own `wxfleet_message_delay_seconds` observed over the step and its drain
   * (CreateTime, whole seconds, → acknowledged): an operator's view of the latency above.
   */
  readonly reportedDelay?: { readonly count: number; readonly meanMs: number }
  /** say → the supervisor decoding its batch (the event's `at`, a millisecond wall clock). */
  readonly decodedMs: { readonly p50: number; readonly p99: number }
  /**
   * The generator sent ≥ 95 % of the rate, the supervisor delivered ≥ 95 % of it, the backlog
   * grew by less than 1 % of the rate a second over the step's second half, and it drained in
   * under 5 s.
   */
  readonly keptUp: boolean
  /** Sessions that went `reconnecting` during the step or its drain (e.g. a webwxsync timed out). */
  readonly reconnects: number
  readonly cpu: CpuShares
  /**
   * The supervisor's event-loop lag over the step and its drain: a long max with a short p99 is
   * a stall, which every message waiting at the time sees as latency.
   */
  readonly eventLoopLagMs?: EventLoopLag
  /** The simulator's over the same span: its stalls delay every answer it owes, so they are latency too. */
  readonly simulatorEventLoopLagMs?: EventLoopLag
  /**
   * webwxsync calls the simulator answered over the step and its drain: messages said ÷ these is
   * how many a round carried, which grows as a loaded client falls behind (and each round, more
   * than each message, is what costs).
   */
  readonly webwxsyncCalls?: number
  /** The step's window on CLOCK_MONOTONIC in µs, the clock of a `--cpu-prof` profile's samples. */
  readonly monotonicUs: readonly [start: number, end: number]
}

export interface SupervisorFigures {
  readonly options: SupervisorScenarioOptions
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string }
  readonly createSeconds: number
  /** From spawning the supervisor until every account is logged_in. */
  readonly login: {
    readonly loggedIn: number
    readonly secondsFromStart: number
    /** Accounts / (last logged_in − first awaiting_scan). */
    readonly perSecond: number
    /** Each account's first awaiting_scan → logged_in. */
    readonly p50Ms: number
    readonly p99Ms: number
    readonly cpu: CpuShares
  }
  readonly heldPolls: number
  readonly rss: {
    /** Median VmRSS over the idle window. */
    readonly totalMb: number
    readonly perSessionKb: number
    /** VmHWM: the most the supervisor ever held resident. */
    readonly peakMb: number
  }
  readonly openFiles: number
  readonly idleCpu: CpuShares
  /** The unmeasured load before the steps, if any. */
  readonly warmup: LoadStepFigures | undefined
  readonly steps: ReadonlyArray<LoadStepFigures>
  readonly outage: OutageFigures | undefined
  readonly restart: RestartFigures | undefined
  /** The highest step rate the supervisor kept up with (0 when none). */
  readonly sustainedRate: number
  /** Session events seen, by state, over the whole run. */
  readonly sessionEvents: Readonly<Record<string, number>>
  /** The commonest reasons given with reconnecting / logged_out / failed, with their counts. */
  readonly sessionReasons: ReadonlyArray<readonly [reason: string, count: number]>
  readonly supervisorLog: { readonly warnings: number; readonly errors: number }
  readonly failures: ReadonlyArray<string>
}

const PREFIX = "bench"
const CREATE_CHUNK = 1_000
/** Friends of each account that speak in the load (population.ts: a window of the shared pool). */
const SPEAKERS_EACH = 8
const MB = 1024 * 1024

const cpuModel = (): string => cpus()[0]?.model ?? "unknown"

/**
 * The supervisor at scale: nats-server (own store), the simulator CLI with N accounts of M
 * friends and G groups, the supervisor in its own process, and this process logging the fleet
 * in, then watching it idle and under a sustained inbound message load.
 */
export const runSupervisorBenchmark = async (
  options: SupervisorScenarioOptions,
  log: (line: string) => void = () => {},
): Promise<SupervisorFigures> => {
  const run = new BenchRun(options.deadlineSeconds)
  const { failures, fail, checkDeadline, waitFor } = run
  try {
    const nats = await NatsServer.start()
    run.onCleanup(() => nats.dispose())
    const natsPid = childPid("nats-server", String(nats.port))
    const sim = await SimulatorProcess.launch({ syncHoldMs: options.syncHoldMs, cpuProfileDir: options.cpuProfileDir })
    run.onCleanup(() => sim.stop())
    log(`nats-server pid ${natsPid ?? "?"} at ${nats.url}; simulator pid ${sim.serverPid}`)

    const created = performance.now()
    const fleet = await createFleet(sim, options)
    const createSeconds = (performance.now() - created) / 1000
    log(`created ${fleet.accounts.length} accounts in ${createSeconds.toFixed(1)} s`)

    const phones = new Phones(sim, options.loginConcurrency, fail)
    const observer = await FleetObserver.start(nats.url, (account, uuid) =>
      phones.answer(account, uuid),
    )
    run.onCleanup(() => observer.close())

    const dir = await mkdtemp(join(tmpdir(), "wxfleet-bench-"))
    run.onCleanup(() => rm(dir, { recursive: true, force: true }))
    const configFile = join(dir, "fleet.json")
    if (options.addVia === "config")
      await writeFile(
        configFile,
        JSON.stringify({ accounts: fleet.accounts.map((account) => ({ account })) }),
      )

    const started = performance.now()
    const secretKey = randomBytes(32).toString("hex")
    const startSupervisor = async () => SupervisorProcess.start({
      natsUrl: nats.url,
      upstream: `${sim.url}/{host}`,
      secretKey,
      httpPort: await freePort(),
      ...(options.addVia === "config" ? { configFile } : {}),
      nodeArgs: [
        ...options.nodeArgs,
        ...(options.cpuProfileDir === undefined
          ? []
          : ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`]),
      ],
      ...(options.supervisorOutput === undefined ? {} : { outputFile: options.supervisorOutput }),
    })
    let supervisor = await startSupervisor()
    // Before the others: SIGTERM lets the supervisor drain (and write its profile) while NATS is up.
    run.onCleanup(() => supervisor.stop())
    const pids = { supervisor: supervisor.pid, simulator: sim.serverPid, nats: natsPid }
    const loginMeter = cpuMeters(pids)
    await supervisor.waitHealthy(60_000)
    log(
      `supervisor pid ${supervisor.pid} up in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    const adding =
      options.addVia === "request"
        ? addByRequest(observer, fleet.accounts, options.loginWindow, fail).catch((error: unknown) =>
            fail(`wx.fleet.add: ${error instanceof Error ? error.message : String(error)}`),
          )
        : Promise.resolve()

    let reported = 0
    // Give up waiting once logins stop coming for a minute (a few lost adds must not cost 15 min).
    let progress = { count: 0, at: performance.now() }
    const allIn = await waitFor(
      () => {
        if (observer.loggedIn > progress.count) progress = { count: observer.loggedIn, at: performance.now() }
        else if (performance.now() - progress.at > 60_000) return true
        if (observer.loggedIn >= reported + 1_000) {
          reported = Math.floor(observer.loggedIn / 1_000) * 1_000
          log(`${observer.loggedIn} logged in`)
        }
        if (!supervisor.running)
          throw new Error(`the supervisor exited:\n${supervisor.tail.join("\n")}`)
        return observer.loggedIn >= fleet.accounts.length
      },
      60_000 + fleet.accounts.length * 100,
    )
    await adding
    const loginCpu = loginMeter()
    const secondsFromStart = (performance.now() - started) / 1000
    if (!allIn || observer.loggedIn < fleet.accounts.length) fail(`only ${observer.loggedIn} of ${fleet.accounts.length} logged in`)
    const login = loginFigures(observer, secondsFromStart, loginCpu)
    log(
      `${login.loggedIn} logged in after ${secondsFromStart.toFixed(1)} s (${login.perSecond.toFixed(0)}/s)`,
    )

    const heldPolls = await waitForHeldPolls(sim, observer.loggedIn, 60_000, checkDeadline)
    log(`${heldPolls} synccheck polls held; idle for ${options.idleSeconds} s`)
    const idle = await watchIdle(pids, options.idleSeconds, checkDeadline)
    const rss = {
      totalMb: idle.rssMb,
      perSessionKb: (idle.rssMb * 1024) / Math.max(1, observer.loggedIn),
      peakMb: statusBytes(supervisor.pid, "VmHWM") / MB,
    }
    log(
      `idle: RSS ${rss.totalMb.toFixed(0)} MB (${rss.perSessionKb.toFixed(0)} KB a session), CPU ${percent(idle.cpu.supervisor)}`,
    )
    const files = openFiles(supervisor.pid)

    const loggedInAccounts = fleet.accounts.filter((a) => observer.states.get(a) === "logged_in")
    const friends = loggedInAccounts.map((a) => fleet.friends.get(a) ?? [])
    const runStep = async (rate: number, seconds: number, tag: string, name: string): Promise<LoadStepFigures> => {
      checkDeadline()
      // Both lag histograms start afresh.
      const [before] = await Promise.all([supervisor.metrics(), sim.reading()])
      const measured = await loadStep(sim, observer, pids, {
        rate,
        seconds,
        maxInFlight: options.maxInFlight,
        accounts: loggedInAccounts,
        friends,
        tag,
        checkDeadline,
        fail,
      })
      const [after, simulator] = await Promise.all([supervisor.metrics(), sim.reading()])
      const step = {
        ...measured,
        eventLoopLagMs: eventLoopLagOf(after),
        reportedDelay: reportedDelayOf(before, after),
        simulatorEventLoopLagMs: simulator.eventLoopDelayMs,
        webwxsyncCalls: simulator.calls["webwxsync"] ?? 0,
      }
      log(
        `${name} ${rate}/s: sent ${step.sentPerSecond.toFixed(0)}/s, delivered ${step.deliveredPerSecond.toFixed(0)}/s, ` +
          `p50 ${step.latencyMs.p50.toFixed(1)} ms, p99 ${step.latencyMs.p99.toFixed(1)} ms, ` +
          `backlog ${step.backlogAtHalf} → ${step.backlogAtEnd}, late ${step.late}, event-loop lag max ${step.eventLoopLagMs.max.toFixed(0)} ms ` +
          `(simulator ${step.simulatorEventLoopLagMs.max.toFixed(0)} ms)`,
      )
      return step
    }
    const warmup =
      options.warmupSeconds > 0 ? await runStep(options.rates[0]!, options.warmupSeconds, "w", "warm-up at") : undefined
    const steps: Array<LoadStepFigures> = []
    for (const [index, rate] of options.rates.entries()) steps.push(await runStep(rate, options.seconds, `s${index}`, "rate"))
    const outage =
      options.outageSeconds > 0 ? await outageStep(sim, observer, options.outageSeconds, log) : undefined
    if (outage !== undefined) {
      log(
        `outage: ${outage.back} back, ${outage.notBack} not, after p50 ${outage.backAfterMs.p50.toFixed(0)} ms, ` +
          `p99 ${outage.backAfterMs.p99.toFixed(0)} ms, max ${outage.backAfterMs.max.toFixed(0)} ms`,
      )
    }
    let restart: RestartFigures | undefined
    if (options.restart && supervisor.running) {
      const restarted = await restartStep(
        sim,
        observer,
        supervisor,
        async () => {
          const next = await startSupervisor()
          run.onCleanup(() => next.stop())
          return next
        },
        log,
        60_000 + fleet.accounts.length * 100,
      )
      supervisor = restarted.supervisor
      restart = restarted.figures
      log(
        `restart: ${restart.back} back, ${restart.notBack} not, ${restart.qrCodes} QR codes; back after p50 ` +
          `${restart.backAfterMs.p50.toFixed(0)} ms, p99 ${restart.backAfterMs.p99.toFixed(0)} ms, max ${restart.backAfterMs.max.toFixed(0)} ms`,
      )
      if (restart.notBack > 0) fail(`${restart.notBack} sessions not back after the restart`)
      if (restart.qrCodes > 0) fail(`${restart.qrCodes} QR codes shown after the restart`)
    }
    if (!supervisor.running) fail(`the supervisor exited:\n${supervisor.tail.join("\n")}`)
    const unsettled = [...observer.states.values()].filter((s) => s !== "logged_in").length
    if (unsettled > 0) fail(`${unsettled} sessions not logged_in at the end`)
    if (supervisor.errors > 0) fail(`the supervisor logged ${supervisor.errors} errors`)

    return {
      options,
      machine: { cpus: cpus().length, cpuModel: cpuModel(), node: process.version },
      createSeconds,
      login,
      heldPolls,
      rss,
      openFiles: files,
      idleCpu: idle.cpu,
      warmup,
      steps,
      outage,
      restart,
      sustainedRate: Math.max(0, ...steps.filter((s) => s.keptUp).map((s) => s.rate)),
      sessionEvents: Object.fromEntries(observer.stateEvents),
      sessionReasons: [...observer.reasons].sort((a, b) => b[1] - a[1]).slice(0, 5),
      supervisorLog: { warnings: supervisor.warnings, errors: supervisor.errors },
      failures,
    }
  } finally {
    await run.cleanUp()
  }
}

/** The accounts and a few friends of each, created through the control API a chunk per call. */
const createFleet = async (
  sim: SimulatorProcess,
  options: SupervisorScenarioOptions,
): Promise<{ accounts: Array<string>; friends: Map<string, Array<string>> }> => {
  const accounts: Array<string> = []
  const friends = new Map<string, Array<string>>()
  for (let start = 0; start < options.accounts; start += CREATE_CHUNK) {
    const created = await sim.control<{ accounts: Array<string>; poolSize: number }>(
      "POST",
      "/accounts",
      {
        count: Math.min(CREATE_CHUNK, options.accounts - start),
        prefix: PREFIX,
        start,
        friendsEach: options.friendsEach,
        groupsEach: options.groupsEach,
        home: "mixed",
      },
    )
    // The population befriends account i with a window of the shared pool starting at i × 37.
    for (const [offset, account] of created.accounts.entries()) {
      const first = ((start + offset) * 37) % created.poolSize
      const speakers = Math.min(SPEAKERS_EACH, options.friendsEach)
      friends.set(
        account,
        Array.from({ length: speakers }, (_, k) => `${PREFIX}_p${(first + k) % created.poolSize}`),
      )
    }
    accounts.push(...created.accounts)
  }
  // Check that guess against the simulator; ask it for every list if the population changed.
  const sample = [accounts[0]!, accounts[accounts.length - 1]!]
  const lists = await Promise.all(sample.map((a) => friendList(sim, a)))
  const guessed = sample.every((a, i) => friends.get(a)!.every((f) => lists[i]!.includes(f)))
  if (!guessed)
    await forEachConcurrently(accounts, 32, async (account) => {
      const list = await friendList(sim, account)
      friends.set(
        account,
        list.filter((f) => f !== "filehelper" && f !== "weixin").slice(0, SPEAKERS_EACH),
      )
    })
  return { accounts, friends }
}

const friendList = async (sim: SimulatorProcess, account: string): Promise<Array<string>> =>
  (await sim.control<{ account: { friendList: Array<string> } }>("GET", `/accounts/${account}`))
    .account.friendList

/**
 * `wx.fleet.add` for every account, 16 in flight, holding back while `window` added accounts
 * are not logged in yet (the supervisor starts each added session at once).
 */
const addByRequest = (
  observer: FleetObserver,
  accounts: ReadonlyArray<string>,
  window: number,
  fail: (message: string) => void,
): Promise<void> => {
  let added = 0
  return forEachConcurrently(accounts, 16, async (account) => {
    while (window > 0 && added - observer.loggedIn >= window) await sleep(20)
    added++
    const reply = await observer.connection.request("wx.fleet.add", JSON.stringify({ account }), {
      timeout: 30_000,
    })
    const answer = reply.json<{ ok: boolean; error?: { message: string } }>()
    if (!answer.ok) fail(`wx.fleet.add ${account}: ${answer.error?.message ?? "refused"}`)
  })
}

const loginFigures = (
  observer: FleetObserver,
  secondsFromStart: number,
  cpu: CpuShares,
): SupervisorFigures["login"] => {
  const times: Array<number> = []
  let firstQr = Number.POSITIVE_INFINITY
  let lastIn = 0
  for (const [account, qrAt] of observer.firstQrAt) {
    firstQr = Math.min(firstQr, qrAt)
    const inAt = observer.loggedInAt.get(account)
    if (inAt === undefined) continue
    times.push(inAt - qrAt)
    lastIn = Math.max(lastIn, inAt)
  }
  times.sort((a, b) => a - b)
  return {
    loggedIn: observer.loggedIn,
    secondsFromStart,
    perSecond: times.length / Math.max(0.001, (lastIn - firstQr) / 1000),
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
    cpu,
  }
}

/** Starts measuring every process's CPU; the function returned reads the shares since then. */
const cpuMeters = (pids: {
  supervisor: number
  simulator: number
  nats: number | undefined
}): (() => CpuShares) => {
  const supervisor = cpuMeter(pids.supervisor)
  const simulator = cpuMeter(pids.simulator)
  const nats = pids.nats === undefined ? () => Number.NaN : cpuMeter(pids.nats)
  const loadGenerator = cpuMeter(process.pid)
  const machineBefore = machineTicks()
  return () => {
    const shares = {
      supervisor: supervisor(),
      simulator: simulator(),
      nats: nats(),
      loadGenerator: loadGenerator(),
    }
    const machineAfter = machineTicks()
    const cores = cpus().length
    const busyCores =
      ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) *
      cores
    const ours = shares.supervisor + shares.simulator + (shares.nats || 0) + shares.loadGenerator
    return { ...shares, others: Math.max(0, busyCores - ours) }
  }
}

/** Waits until the simulator holds `expected` synccheck polls; returns how many it holds. */
const waitForHeldPolls = async (
  sim: SimulatorProcess,
  expected: number,
  timeoutMs: number,
  checkDeadline: () => void,
): Promise<number> => {
  const until = performance.now() + timeoutMs
  for (;;) {
    const { heldPolls } = await sim.control<{ heldPolls: number }>("GET", "/health")
    if (heldPolls >= expected || performance.now() > until) return heldPolls
    checkDeadline()
    await sleep(200)
  }
}

/** The supervisor while every session only holds its long poll: CPU shares and median RSS. */
const watchIdle = async (
  pids: { supervisor: number; simulator: number; nats: number | undefined },
  seconds: number,
  checkDeadline: () => void,
): Promise<{ cpu: CpuShares; rssMb: number }> => {
  const meter = cpuMeters(pids)
  const rss: Array<number> = [statusBytes(pids.supervisor, "VmRSS") / MB]
  for (let second = 0; second < seconds; second++) {
    await sleep(1_000)
    checkDeadline()
    rss.push(statusBytes(pids.supervisor, "VmRSS") / MB)
  }
  return { cpu: meter(), rssMb: median(rss) }
}

/** One load step: a rate for some seconds, then the backlog's drain. */
const loadStep = async (
  sim: SimulatorProcess,
  observer: FleetObserver,
  pids: { supervisor: number; simulator: number; nats: number | undefined },
  step: {
    rate: number
    seconds: number
    maxInFlight: number
    accounts: ReadonlyArray<string>
    friends: ReadonlyArray<ReadonlyArray<string>>
    tag: string
    checkDeadline: () => void
    fail: (message: string) => void
  },
): Promise<LoadStepFigures> => {
  observer.resetTally()
  const reconnectsBefore = observer.stateEvents.get("reconnecting") ?? 0
  const storedBefore = await observer.storedEvents()
  const meter = cpuMeters(pids)
  const windowStart = monotonicUs()
  let backlogAtHalf = 0
  const half = setTimeout(() => (backlogAtHalf = observer.outstanding), (step.seconds * 1000) / 2)
  const load = await offerLoad(sim, observer, step)
  clearTimeout(half)
  const cpu = meter()
  const windowEnd = monotonicUs()
  const deliveredInWindow = observer.tally.latenciesMs.length
  const storedInWindow = (await observer.storedEvents()) - storedBefore
  const backlogAtEnd = observer.outstanding
  const backlogGrowthPerSecond = (backlogAtEnd - backlogAtHalf) / (load.seconds / 2)
  if (load.failed > 0) step.fail(`${load.failed} says failed, e.g. ${load.firstFailure ?? "?"}`)

  const drainStarted = performance.now()
  const drainUntil = drainStarted + Math.max(15, step.seconds) * 1000
  while (observer.outstanding > 0 && performance.now() < drainUntil) {
    step.checkDeadline()
    await sleep(20)
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000
  const late = observer.outstanding
  const reconnects = (observer.stateEvents.get("reconnecting") ?? 0) - reconnectsBefore
  const tally = observer.resetTally()
  const latencies = tally.latenciesMs.sort((a, b) => a - b)
  const decoded = tally.decodedMs.sort((a, b) => a - b)
  const sentPerSecond = load.sent / load.seconds
  const deliveredPerSecond = deliveredInWindow / load.seconds
  // Let the sessions settle back onto their long polls before the next step.
  await sleep(1_000)
  return {
    rate: step.rate,
    sentPerSecond,
    sent: load.sent,
    sayFailures: load.failed,
    deliveredPerSecond,
    storedPerSecond: storedInWindow / load.seconds,
    backlogAtEnd,
    backlogAtHalf,
    backlogGrowthPerSecond,
    drainSeconds,
    late,
    duplicates: tally.duplicates,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? Number.NaN,
      mean: latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length,
    },
    decodedMs: { p50: percentile(decoded, 0.5), p99: percentile(decoded, 0.99) },
    keptUp:
      sentPerSecond >= 0.95 * step.rate &&
      deliveredPerSecond >= 0.95 * sentPerSecond &&
      backlogGrowthPerSecond < 0.01 * step.rate &&
      late === 0 &&
      drainSeconds < 5,
    reconnects,
    cpu,
    monotonicUs: [windowStart, windowEnd],
  }
}

/** `wxfleet_message_delay_seconds` between two scrapes: messages observed and their mean delay. */
const reportedDelayOf = (before: MetricValues, after: MetricValues): { count: number; meanMs: number } => {
  const count = after("wxfleet_message_delay_seconds_count") - before("wxfleet_message_delay_seconds_count")
  const sum = after("wxfleet_message_delay_seconds_sum") - before("wxfleet_message_delay_seconds_sum")
  return { count, meanMs: count > 0 ? (1_000 * sum) / count : Number.NaN }
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n)

export const SUPERVISOR_USAGE = `Usage: npm run bench -- supervisor [options]

Scenario "supervisor": nats-server, the simulator CLI with N accounts and the supervisor, each in
its own process; this process adds the accounts, scans every QR code with the simulator's phone,
then measures the supervisor's logins/s, RSS, idle CPU, and inbound messages/s and say → NATS
latency under a sustained load of friends' messages.

  --accounts N            accounts (default ${DEFAULT_SUPERVISOR_SCENARIO.accounts})
  --friends-each N        friends per account (default ${DEFAULT_SUPERVISOR_SCENARIO.friendsEach})
  --groups-each N         groups per account (default ${DEFAULT_SUPERVISOR_SCENARIO.groupsEach})
  --rate R[,R…]           inbound messages/s, one load step each (default ${DEFAULT_SUPERVISOR_SCENARIO.rates.join(",")})
  --seconds N             length of each load step (default ${DEFAULT_SUPERVISOR_SCENARIO.seconds})
  --warmup-seconds N      unmeasured load at the first rate before the steps, for the JIT (default ${DEFAULT_SUPERVISOR_SCENARIO.warmupSeconds}; 0: none)
  --idle-seconds N        how long to watch the idle fleet (default ${DEFAULT_SUPERVISOR_SCENARIO.idleSeconds})
  --login-concurrency N   QR codes answered at once (default ${DEFAULT_SUPERVISOR_SCENARIO.loginConcurrency})
  --max-in-flight N       says in flight at most (default ${DEFAULT_SUPERVISOR_SCENARIO.maxInFlight})
  --sync-hold-ms N        the simulator's synccheck hold (default ${DEFAULT_SUPERVISOR_SCENARIO.syncHoldMs})
  --add-via config|request  a WXFLEET_CONFIG file (all sessions start at once), or wx.fleet.add
                          per account (default ${DEFAULT_SUPERVISOR_SCENARIO.addVia})
  --login-window N        with request: added but not yet logged in at most, 0 for no limit
                          (default ${DEFAULT_SUPERVISOR_SCENARIO.loginWindow})
  --cpu-prof DIR          the supervisor and the simulator write a CPU profile of their run into DIR
  --supervisor-output F   everything the supervisor prints also goes to the file F
  --node-arg FLAG         a node flag for the supervisor (repeatable), e.g. --node-arg=--max-old-space-size=8192
  --outage-seconds N      after the load, every webpush host down this long, then the time until
                          every session is back (default ${DEFAULT_SUPERVISOR_SCENARIO.outageSeconds}: none)
  --restart               at the end, kill the supervisor (SIGKILL) and start another: the time
                          until every session is back, the Web WeChat calls that took, QR codes
  --deadline-seconds N    abandon the run after this long (default ${DEFAULT_SUPERVISOR_SCENARIO.deadlineSeconds})
  --json                  print the figures as JSON instead of a table`

/** A flag that is not valid; the message names it. */
export class UsageError extends Error {
  override readonly name = "UsageError"
}

/** The scenario's options from its command-line flags (throws UsageError). */
export const parseSupervisorArgs = (
  argv: ReadonlyArray<string>,
): { options: SupervisorScenarioOptions; json: boolean; help: boolean } => {
  const text = { type: "string" } as const
  const { values } = (() => {
    try {
      return parseArgs({
        args: [...argv],
        allowPositionals: false,
        options: {
          accounts: text,
          "friends-each": text,
          "groups-each": text,
          rate: text,
          seconds: text,
          "idle-seconds": text,
          "warmup-seconds": text,
          "login-concurrency": text,
          "max-in-flight": text,
          "sync-hold-ms": text,
          "add-via": text,
          "login-window": text,
          "cpu-prof": text,
          "supervisor-output": text,
          "node-arg": { type: "string", multiple: true },
          "deadline-seconds": text,
          "outage-seconds": text,
          restart: { type: "boolean", default: false },
          json: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      })
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error))
    }
  })()
  const wholeNumber = (flag: string, raw: string, min: number): number => {
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min)
      throw new UsageError(`--${flag} must be a whole number of at least ${min}`)
    return value
  }
  const d = DEFAULT_SUPERVISOR_SCENARIO
  const whole = (flag: keyof typeof values, fallback: number, min: number): number => {
    const raw = values[flag]
    return typeof raw === "string" ? wholeNumber(flag, raw, min) : fallback
  }
  const addVia = values["add-via"] ?? d.addVia
  if (addVia !== "config" && addVia !== "request")
    throw new UsageError("--add-via must be config or request")
  const rates =
    values.rate === undefined
      ? d.rates
      : values.rate.split(",").map((r) => wholeNumber("rate", r.trim(), 1))
  const options: SupervisorScenarioOptions = {
    accounts: whole("accounts", d.accounts, 1),
    friendsEach: whole("friends-each", d.friendsEach, 1),
    groupsEach: whole("groups-each", d.groupsEach, 0),
    rates,
    seconds: whole("seconds", d.seconds, 1),
    idleSeconds: whole("idle-seconds", d.idleSeconds, 1),
    warmupSeconds: whole("warmup-seconds", d.warmupSeconds, 0),
    loginConcurrency: whole("login-concurrency", d.loginConcurrency, 1),
    maxInFlight: whole("max-in-flight", d.maxInFlight, 1),
    syncHoldMs: whole("sync-hold-ms", d.syncHoldMs, 1),
    addVia,
    loginWindow: whole("login-window", d.loginWindow, 0),
    cpuProfileDir: values["cpu-prof"],
    supervisorOutput: values["supervisor-output"],
    nodeArgs: values["node-arg"] ?? [],
    deadlineSeconds: whole("deadline-seconds", d.deadlineSeconds, 1),
    outageSeconds: whole("outage-seconds", d.outageSeconds, 0),
    restart: values.restart,
  }
  return { options, json: values.json, help: values.help }
}

/**
 * `npm run bench -- supervisor [flags]`: runs the scenario and prints its figures as a table
 * (or JSON with `--json`); progress goes to stderr. Bad flags throw a UsageError.
 */
export const runSupervisorScenario = async (argv: ReadonlyArray<string>): Promise<void> => {
  const { options, json, help } = parseSupervisorArgs(argv)
  if (help) return void console.log(SUPERVISOR_USAGE)
  const figures = await runSupervisorBenchmark(options, (line) => console.error(`bench: ${line}`))
  console.log(json ? JSON.stringify(figures, null, 2) : supervisorTable(figures))
  if (figures.failures.length > 0) process.exitCode = 1
}

/**
 * What a delivered message cost each process, in CPU milliseconds over the step: a figure that
 * compares code across machines and minutes better than a rate, which the slowest part sets.
 */
const cpuPerMessage = (s: CpuShares, perSecond: number): string => {
  const ms = (share: number) => (perSecond > 0 && Number.isFinite(share) ? ((share * 1_000) / perSecond).toFixed(3) : "–")
  const machine = s.supervisor + s.simulator + (s.nats || 0) + s.loadGenerator + s.others
  return `${ms(s.supervisor)} / ${ms(s.simulator)} / ${ms(s.nats)} / ${ms(s.loadGenerator)} / ${ms(machine)}`
}

/** The figures as a Markdown table. */
export const supervisorTable = (f: SupervisorFigures): string => {
  const o = f.options
  const ms = (value: number) => `${value.toFixed(1)} ms`
  const cpu = (s: CpuShares) =>
    `${percent(s.supervisor)} / ${percent(s.simulator)} / ${percent(s.nats)} / ${percent(s.loadGenerator)} / ${percent(s.others)}`
  const rows: Array<[string, string]> = [
    ["accounts × friends × groups", `${o.accounts} × ${o.friendsEach} × ${o.groupsEach}`],
    ["machine", `${f.machine.cpus} × ${f.machine.cpuModel}, Node ${f.machine.node}`],
    ["world creation (control API)", `${f.createSeconds.toFixed(1)} s`],
    [
      `logged in / start → all logged in (via ${o.addVia === "config" ? "config file" : `wx.fleet.add, window ${o.loginWindow}`})`,
      `${f.login.loggedIn} / ${f.login.secondsFromStart.toFixed(1)} s`,
    ],
    ["logins/s (first QR → last logged_in)", f.login.perSecond.toFixed(0)],
    ["QR shown → logged_in p50 / p99", `${ms(f.login.p50Ms)} / ${ms(f.login.p99Ms)}`],
    ["CPU supervisor / simulator / nats / generator / others, login", cpu(f.login.cpu)],
    ["synccheck polls held", String(f.heldPolls)],
    [
      "supervisor RSS idle (median) / per session / peak",
      `${f.rss.totalMb.toFixed(0)} MB / ${f.rss.perSessionKb.toFixed(0)} KB / ${f.rss.peakMb.toFixed(0)} MB`,
    ],
    ["supervisor open files", String(f.openFiles)],
    [`CPU …, idle with polls held (${o.idleSeconds} s)`, cpu(f.idleCpu)],
  ]
  if (f.warmup !== undefined) {
    const w = f.warmup
    rows.push([
      `warm-up, ${w.rate}/s for ${o.warmupSeconds} s (not measured): sent / delivered per s, kept up`,
      `${w.sentPerSecond.toFixed(0)} / ${w.deliveredPerSecond.toFixed(0)}, ${w.keptUp ? "yes" : "no"}`,
    ])
  }
  for (const s of f.steps) {
    const name = `${s.rate}/s for ${o.seconds} s`
    rows.push(
      [
        `${name}: sent / delivered / stored per s`,
        `${s.sentPerSecond.toFixed(0)} / ${s.deliveredPerSecond.toFixed(0)} / ${s.storedPerSecond.toFixed(0)}`,
      ],
      [
        `${name}: say → NATS p50 / p99 / max`,
        `${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p99)} / ${ms(s.latencyMs.max)}`,
      ],
      [
        `${name}: say → NATS mean / the supervisor's wxfleet_message_delay_seconds mean (messages)`,
        `${ms(s.latencyMs.mean)} / ${s.reportedDelay === undefined ? "–" : `${ms(s.reportedDelay.meanMs)} (${s.reportedDelay.count})`}`,
      ],
      [
        `${name}: say → supervisor decoded p50 / p99`,
        `${ms(s.decodedMs.p50)} / ${ms(s.decodedMs.p99)}`,
      ],
      [
        `${name}: backlog at half / at end (growth per s over the second half)`,
        `${s.backlogAtHalf} / ${s.backlogAtEnd} (${s.backlogGrowthPerSecond.toFixed(0)}/s)`,
      ],
      [
        `${name}: drained in / late / reconnects / kept up`,
        `${s.drainSeconds.toFixed(1)} s / ${s.late} / ${s.reconnects} / ${s.keptUp ? "yes" : "no"}`,
      ],
      [`${name}: CPU …`, cpu(s.cpu)],
      [`${name}: CPU ms per message delivered, supervisor / simulator / nats / generator / whole machine`, cpuPerMessage(s.cpu, s.deliveredPerSecond)],
    )
    const lag = s.eventLoopLagMs
    if (lag !== undefined)
      rows.push([`${name}: supervisor event-loop lag p50 / p99 / max`, `${ms(lag.p50)} / ${ms(lag.p99)} / ${ms(lag.max)}`])
    const simLag = s.simulatorEventLoopLagMs
    if (simLag !== undefined)
      rows.push([`${name}: simulator event-loop lag p50 / p99 / max`, `${ms(simLag.p50)} / ${ms(simLag.p99)} / ${ms(simLag.max)}`])
    if (s.webwxsyncCalls !== undefined && s.webwxsyncCalls > 0)
      rows.push([`${name}: messages said per webwxsync call`, (s.sent / s.webwxsyncCalls).toFixed(2)])
  }
  if (f.outage !== undefined) {
    const o2 = f.outage
    rows.push(
      [`every webpush host (${o2.hosts}) down ${o2.seconds} s: reconnecting events / back / not back`, `${o2.reconnects} / ${o2.back} / ${o2.notBack}`],
      ["after the hosts are up: back p50 / p99 / max", `${ms(o2.backAfterMs.p50)} / ${ms(o2.backAfterMs.p99)} / ${ms(o2.backAfterMs.max)}`],
    )
  }
  if (f.restart !== undefined) {
    const r = f.restart
    rows.push(
      ["supervisor killed (SIGKILL) and started again: back / not back / QR codes", `${r.back} / ${r.notBack} / ${r.qrCodes}`],
      ["after the kill: health server up / sessions back p50 / p99 / max", `${ms(r.upAfterMs)} / ${ms(r.backAfterMs.p50)} / ${ms(r.backAfterMs.p99)} / ${ms(r.backAfterMs.max)}`],
      [
        "Web WeChat calls per session until all were back",
        Object.entries(r.callsPerSession)
          .map(([name, n]) => `${name} ${n.toFixed(2)}`)
          .join(", "),
      ],
    )
  }
  rows.push(
    ["sustained inbound rate kept up with", `${f.sustainedRate}/s`],
    [
      "session events",
      Object.entries(f.sessionEvents)
        .map(([state, n]) => `${state} ${n}`)
        .join(", "),
    ],
    [
      "commonest reasons (reconnecting, logged_out, failed)",
      f.sessionReasons.map(([why, n]) => `${n} × ${why}`).join("; ") || "none",
    ],
    ["supervisor log warnings / errors", `${f.supervisorLog.warnings} / ${f.supervisorLog.errors}`],
    [
      "failures",
      f.failures.length === 0 ? "0" : `${f.failures.length}: ${f.failures.slice(0, 3).join("; ")}`,
    ],
  )
  const width = Math.max(...rows.map(([name]) => name.length))
  return [
    `| ${"figure".padEnd(width)} | value |`,
    `| ${"-".repeat(width)} | ----- |`,
    ...rows.map(([name, value]) => `| ${name.padEnd(width)} | ${value} |`),
    "",
    "CPU: share of one core of each process (supervisor / simulator / nats-server / load generator /",
    "everything else on the machine, which should be near 0 % for the figures to hold).",
  ].join("\n")
}

function percent(share: number): string {
  return Number.isNaN(share) ? "?" : `${(share * 100).toFixed(0)} %`
}
