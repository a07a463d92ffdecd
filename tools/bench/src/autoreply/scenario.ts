import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { cpus, tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { parseArgs } from "node:util"
import { randomBytes } from "node:crypto"
import { freePort, NatsServer } from "@wxfleet/testing"
import { cpuUsedSince } from "../proc.js"
import { SimulatorProcess } from "../simulator/SimulatorProcess.js"
import { forEachConcurrently, percentile } from "../stats.js"
import { FleetObserver } from "../supervisor/FleetObserver.js"
import { offerLoad, Phones } from "../supervisor/load.js"
import { childPid } from "../supervisor/procfs.js"
import { eventLoopLagOf, SupervisorProcess, type MetricValues } from "../supervisor/SupervisorProcess.js"
import { ReplyWatcher } from "./ReplyWatcher.js"
import { WorkerProcess } from "./WorkerProcess.js"

export interface AutoReplyScenarioOptions {
  /** Fleet sizes, one run each. */
  readonly accounts: ReadonlyArray<number>
  /** Messages per second offered, one load step each, in this order. */
  readonly rates: ReadonlyArray<number>
  readonly seconds: number
  /**
   * A first step at the lowest rate, shown apart as "warm-up": right after the logins the
   * processes' code is not optimised yet and their heaps still grow, and the first seconds' tail
   * latency says that, not what a running fleet does. 0 leaves it out.
   */
  readonly warmupSeconds: number
  readonly friendsEach: number
  /** Copies of auto-reply, each its own process. */
  readonly copies: number
  /** Messages one copy handles at once. */
  readonly concurrency: number
  readonly loginConcurrency: number
  /** Says in flight at most. */
  readonly maxInFlight: number
  readonly syncHoldMs: number
  /** How long replies may still come after a step. */
  readonly drainSeconds: number
  /** Where the supervisor and each auto-reply copy write a V8 CPU profile of their run, if set. */
  readonly cpuProfileDir: string | undefined
}

export const DEFAULT_AUTOREPLY_SCENARIO: AutoReplyScenarioOptions = {
  accounts: [100, 1_000],
  rates: [500, 2_500],
  seconds: 15,
  warmupSeconds: 10,
  friendsEach: 20,
  copies: 1,
  // A copy handles at most this many messages per reply time; at 1,000 accounts × 2,500/s a
  // reply was in flight ~0.13 s, so 256 capped the copy at ~1,900 replies/s (BENCHMARKS.md).
  concurrency: 1_024,
  loginConcurrency: 64,
  maxInFlight: 256,
  syncHoldMs: 25_000,
  drainSeconds: 30,
  cpuProfileDir: undefined,
}

export interface StepFigures {
  readonly rate: number
  /** The warm-up step (see `warmupSeconds`), not one of the measured rates. */
  readonly warmup: boolean
  readonly said: number
  readonly saidPerSecond: number
  readonly replies: number
  /** Replies over the time from the first say to the last reply. */
  readonly repliesPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  /** Say → message event on NATS (the supervisor's part of the latency). */
  readonly eventP50Ms: number
  readonly eventP99Ms: number
  readonly lost: number
  readonly duplicates: number
  /** Share of a core over the step: supervisor, simulator, nats, auto-reply, generator. */
  readonly cpu: Readonly<Record<string, number>>
  /**
   * CPU milliseconds per reply of each process, over the step and its drain (every text said
   * was answered by then): what a reply costs, whether or not the machine kept up, so runs at
   * different speeds of a shared machine compare better than by their rates.
   */
  readonly cpuMsPerReply: Readonly<Record<string, number>>
}

export interface RunFigures {
  readonly accounts: number
  readonly loggedIn: number
  readonly loginSeconds: number
  readonly steps: ReadonlyArray<StepFigures>
}

export interface AutoReplyFigures {
  readonly options: AutoReplyScenarioOptions
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string }
  readonly runs: ReadonlyArray<RunFigures>
  readonly failures: ReadonlyArray<string>
}

const PREFIX = "bench"

const profileArgs = (dir: string | undefined): ReadonlyArray<string> =>
  dir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${dir}`]
const CREATE_CHUNK = 1_000
/** Friends of each account who speak in the load. */
const SPEAKERS_EACH = 8

/**
 * End-to-end auto-reply: a friend says a text in the simulator → the supervisor publishes it →
 * auto-reply (its own process) answers through `wx.cmd.<account>.send_text` → the simulator
 * records the account's send. Latency is from the say to the recorded send.
 */
export const runAutoReplyBenchmark = async (
  options: AutoReplyScenarioOptions,
  log: (line: string) => void = () => {},
): Promise<AutoReplyFigures> => {
  const failures: Array<string> = []
  const fail = (message: string) => {
    if (failures.length < 100) failures.push(message)
  }
  const runs: Array<RunFigures> = []
  for (const accounts of options.accounts) runs.push(await runOnce(accounts, options, log, fail))
  return {
    options,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      node: process.version,
    },
    runs,
    failures,
  }
}

const runOnce = async (
  accounts: number,
  options: AutoReplyScenarioOptions,
  log: (line: string) => void,
  fail: (message: string) => void,
): Promise<RunFigures> => {
  const cleanups: Array<() => Promise<unknown>> = []
  try {
    const nats = await NatsServer.start()
    cleanups.push(() => nats.dispose())
    const sim = await SimulatorProcess.launch({ syncHoldMs: options.syncHoldMs, cpuProfileDir: options.cpuProfileDir })
    cleanups.push(() => sim.stop())
    const fleet = await createFleet(sim, accounts, options.friendsEach)
    log(`${accounts} accounts: created`)

    const phones = new Phones(sim, options.loginConcurrency, fail)
    const observer = await FleetObserver.start(nats.url, (account, uuid) =>
      phones.answer(account, uuid),
    )
    cleanups.push(() => observer.close())
    const dir = await mkdtemp(join(tmpdir(), "wxfleet-bench-autoreply-"))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    await writeFile(
      join(dir, "fleet.json"),
      JSON.stringify({ accounts: fleet.accounts.map((account) => ({ account })) }),
    )
    await writeFile(
      join(dir, "auto-reply.json"),
      JSON.stringify({
        accounts: { "*": { rules: [{ regex: "^(.*)$", ignoreCase: false, reply: "re: {1}" }] } },
      }),
    )

    const started = performance.now()
    const httpPort = await freePort()
    const supervisor = await SupervisorProcess.start({
      natsUrl: nats.url,
      upstream: `${sim.url}/{host}`,
      secretKey: randomBytes(32).toString("hex"),
      httpPort,
      configFile: join(dir, "fleet.json"),
      // Pacing protects real accounts; the benchmark measures the pipeline, so it is nearly off.
      extraEnv: { WXFLEET_SEND_INTERVAL: "1 millis", WXFLEET_SEND_JITTER: "0" },
      nodeArgs: profileArgs(options.cpuProfileDir),
    })
    cleanups.push(() => supervisor.stop())
    await supervisor.waitHealthy(60_000)
    const deadline = performance.now() + 60_000 + accounts * 100
    while (observer.loggedIn < accounts && performance.now() < deadline) await sleep(100)
    const loginSeconds = (performance.now() - started) / 1000
    if (observer.loggedIn < accounts)
      fail(`${accounts} accounts: only ${observer.loggedIn} logged in`)
    log(`${accounts} accounts: ${observer.loggedIn} logged in after ${loginSeconds.toFixed(1)} s`)

    const workers: Array<WorkerProcess> = []
    for (let copy = 0; copy < options.copies; copy++) {
      workers.push(
        await WorkerProcess.start({
          WXFLEET_NATS_URL: nats.url,
          WXFLEET_AUTOREPLY_CONFIG: join(dir, "auto-reply.json"),
          WXFLEET_WORKER_CONCURRENCY: String(options.concurrency),
          WXFLEET_WORKER_INSTANCE: `bench-${copy}`,
        }, profileArgs(options.cpuProfileDir)),
      )
    }
    cleanups.push(() => Promise.all(workers.map((w) => w.stop())))
    const watcher = await ReplyWatcher.start(sim)
    cleanups.push(() => watcher.close())
    const natsPid = childPid("nats-server", String(nats.port))
    const pids: Record<string, number | undefined> = {
      supervisor: supervisor.pid,
      simulator: sim.serverPid,
      nats: natsPid,
      autoReply: workers[0]?.pid,
      generator: process.pid,
    }

    const loggedIn = fleet.accounts.filter((a) => observer.states.get(a) === "logged_in")
    const steps: Array<StepFigures> = []
    const plan = [
      ...(options.warmupSeconds > 0 ? [{ rate: Math.min(...options.rates), seconds: options.warmupSeconds, warmup: true }] : []),
      ...options.rates.map((rate) => ({ rate, seconds: options.seconds, warmup: false })),
    ]
    for (const [index, { rate, seconds, warmup }] of plan.entries()) {
      const label = `${accounts} accounts, ${rate}/s${warmup ? " (warm-up)" : ""}`
      const stepStarted = performance.now()
      const meters = Object.entries(pids).map(
        ([name, pid]) => [name, pid === undefined ? () => Number.NaN : cpuUsedSince(pid)] as const,
      )
      watcher.reset()
      observer.resetTally()
      await supervisorVitals(supervisor) // resets the event-loop delay histogram
      // Both followers learn of each text before it is said: the watcher times its reply,
      // the observer its message event.
      const said = await offerLoad(
        sim,
        {
          expect: (text) => (watcher.said(text), observer.expect(text)),
          forget: (text) => (watcher.forget(text), observer.forget(text)),
        },
        {
          rate,
          seconds,
          maxInFlight: options.maxInFlight,
          tag: `s${index}`,
          accounts: loggedIn,
          friends: loggedIn.map((account) => fleet.friends.get(account) ?? []),
        },
      )
      if (said.failed > 0) fail(`${label}: the simulator refused ${said.failed} says (${said.firstFailure})`)
      const drainUntil = performance.now() + options.drainSeconds * 1000
      while (watcher.outstanding > 0 && performance.now() < drainUntil) await sleep(50)
      // One reading per process: its share of a core and its CPU per reply both come from it.
      const cpuSecondsUsed = meters.map(([name, used]) => [name, used()] as const)
      const stepSeconds = (performance.now() - stepStarted) / 1000
      log(`${label}: supervisor ${await supervisorVitals(supervisor)}`)
      const latencies = [...watcher.latenciesMs].sort((a, b) => a - b)
      const events = [...observer.tally.latenciesMs].sort((a, b) => a - b)
      const step: StepFigures = {
        rate,
        warmup,
        said: said.sent,
        saidPerSecond: said.sent / said.seconds,
        replies: latencies.length,
        repliesPerSecond:
          latencies.length / Math.max(0.001, (watcher.lastReplyAt - said.firstAt) / 1000),
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: latencies.at(-1) ?? Number.NaN,
        eventP50Ms: percentile(events, 0.5),
        eventP99Ms: percentile(events, 0.99),
        lost: watcher.outstanding,
        duplicates: watcher.duplicates,
        cpu: Object.fromEntries(cpuSecondsUsed.map(([name, seconds]) => [name, seconds / stepSeconds])),
        cpuMsPerReply: Object.fromEntries(
          cpuSecondsUsed.map(([name, seconds]) => [name, (seconds * 1000) / Math.max(1, latencies.length)]),
        ),
      }
      if (step.lost > 0)
        fail(`${label}: ${step.lost} messages without a reply`)
      if (step.duplicates > 0)
        fail(`${label}: ${step.duplicates} replies sent twice`)
      steps.push(step)
      log(
        `${label}: said ${step.saidPerSecond.toFixed(0)}/s, replies ${step.repliesPerSecond.toFixed(0)}/s, ` +
          `p50 ${step.p50Ms.toFixed(1)} ms, p99 ${step.p99Ms.toFixed(1)} ms (event p50 ${step.eventP50Ms.toFixed(1)}, p99 ${step.eventP99Ms.toFixed(1)}), lost ${step.lost}`,
      )
    }
    for (const worker of workers)
      if (worker.errors > 0)
        fail(`auto-reply logged ${worker.errors} errors:\n${worker.tail.join("\n")}`)
    return { accounts, loggedIn: observer.loggedIn, loginSeconds, steps }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  }
}

/**
 * The supervisor's event-loop delay since the last call (prom-client resets it on each scrape)
 * and its mean send latency: where a step's time went inside the supervisor.
 */
const supervisorVitals = async (supervisor: SupervisorProcess): Promise<string> => {
  const value = await supervisor.metrics().catch((): MetricValues => () => Number.NaN)
  const ms = (millis: number) => `${millis.toFixed(1)} ms`
  const lag = eventLoopLagOf(value)
  const sends = value("wxfleet_send_latency_seconds_count")
  return (
    `event-loop delay p50 ${ms(lag.p50)}, p99 ${ms(lag.p99)}, max ${ms(lag.max)}; ` +
    `mean send latency ${ms((1_000 * value("wxfleet_send_latency_seconds_sum")) / sends)} over ${sends} sends; ` +
    `state saves so far: ${["changed", "routine", "stop"].map((reason) => `${reason} ${value(`wxfleet_state_saves_total\\{reason="${reason}"\\}`) || 0}`).join(", ")}`
  )
}

/** The accounts and some friends of each, created through the control API. */
const createFleet = async (sim: SimulatorProcess, count: number, friendsEach: number) => {
  const accounts: Array<string> = []
  for (let start = 0; start < count; start += CREATE_CHUNK) {
    const created = await sim.control<{ accounts: Array<string> }>("POST", "/accounts", {
      count: Math.min(CREATE_CHUNK, count - start),
      prefix: PREFIX,
      start,
      friendsEach,
      groupsEach: 0,
      home: "mixed",
    })
    accounts.push(...created.accounts)
  }
  const friends = new Map<string, Array<string>>()
  await forEachConcurrently(accounts, 32, async (account) => {
    const list = (
      await sim.control<{ account: { friendList: Array<string> } }>("GET", `/accounts/${account}`)
    ).account.friendList
    friends.set(
      account,
      list.filter((f) => f !== "filehelper" && f !== "weixin").slice(0, SPEAKERS_EACH),
    )
  })
  return { accounts, friends }
}

export const AUTOREPLY_USAGE = `Usage: runAutoReplyScenario([options])

End-to-end auto-reply: nats-server, the simulator and the supervisor (own processes), N accounts
logged in, auto-reply in its own process(es) answering every text; friends say texts at each rate
and every reply is timed from the say to the simulator recording the account's send.

  --accounts N[,N…]      fleet sizes, one run each (default ${DEFAULT_AUTOREPLY_SCENARIO.accounts.join(",")})
  --rate R[,R…]          messages per second offered, one step each (default ${DEFAULT_AUTOREPLY_SCENARIO.rates.join(",")})
  --seconds N            length of a step (default ${DEFAULT_AUTOREPLY_SCENARIO.seconds})
  --warmup-seconds N     a first step at the lowest rate, shown as warm-up; 0: none (default ${DEFAULT_AUTOREPLY_SCENARIO.warmupSeconds})
  --copies N             auto-reply processes (default ${DEFAULT_AUTOREPLY_SCENARIO.copies})
  --concurrency N        messages one copy handles at once (default ${DEFAULT_AUTOREPLY_SCENARIO.concurrency})
  --cpu-prof DIR         the supervisor, each auto-reply copy and the simulator write a CPU profile into DIR
  --json                 print the figures as JSON instead of a table`

const numbers = (
  flag: string,
  raw: string | undefined,
  fallback: ReadonlyArray<number>,
): ReadonlyArray<number> => {
  if (raw === undefined) return fallback
  const values = raw.split(",").map(Number)
  if (values.some((v) => !Number.isInteger(v) || v < 1))
    throw new Error(`--${flag} takes whole numbers of at least 1, separated by commas`)
  return values
}

/** `runAutoReplyScenario(process.argv.slice(2))`: runs the benchmark and prints its figures. */
export const runAutoReplyScenario = async (argv: ReadonlyArray<string>): Promise<void> => {
  const text = { type: "string" } as const
  const { values } = parseArgs({
    args: [...argv],
    options: {
      accounts: text,
      rate: text,
      seconds: text,
      "warmup-seconds": text,
      copies: text,
      concurrency: text,
      "cpu-prof": text,
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  })
  if (values.help) return void console.log(AUTOREPLY_USAGE)
  const d = DEFAULT_AUTOREPLY_SCENARIO
  const one = (flag: string, raw: string | undefined, fallback: number) =>
    numbers(flag, raw, [fallback])[0]!
  const options: AutoReplyScenarioOptions = {
    ...d,
    accounts: numbers("accounts", values.accounts, d.accounts),
    rates: numbers("rate", values.rate, d.rates),
    seconds: one("seconds", values.seconds, d.seconds),
    warmupSeconds: values["warmup-seconds"] === "0" ? 0 : one("warmup-seconds", values["warmup-seconds"], d.warmupSeconds),
    copies: one("copies", values.copies, d.copies),
    concurrency: one("concurrency", values.concurrency, d.concurrency),
    cpuProfileDir: values["cpu-prof"],
  }
  const figures = await runAutoReplyBenchmark(options, (line) => console.error(`bench: ${line}`))
  console.log(values.json ? JSON.stringify(figures, null, 2) : autoReplyTable(figures))
  if (figures.failures.length > 0) process.exitCode = 1
}

/** The figures as a Markdown table. */
export const autoReplyTable = (f: AutoReplyFigures): string => {
  // No replies in a step leaves no latency to show.
  const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "–")
  const pct = (v: number | undefined) =>
    v === undefined || Number.isNaN(v) ? "?" : `${(v * 100).toFixed(0)} %`
  const rows = f.runs.flatMap((run) =>
    run.steps.map(
      (s) =>
        `| ${run.accounts} | ${s.rate}${s.warmup ? " (warm-up)" : ""} | ${s.saidPerSecond.toFixed(0)} | ${s.repliesPerSecond.toFixed(0)} | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${ms(s.maxMs)} | ${ms(s.eventP50Ms)} / ${ms(s.eventP99Ms)} | ${s.lost} | ${s.duplicates} | ` +
        `${pct(s.cpu["supervisor"])} / ${pct(s.cpu["simulator"])} / ${pct(s.cpu["nats"])} / ${pct(s.cpu["autoReply"])} / ${pct(s.cpu["generator"])} |`,
    ),
  )
  return [
    `machine: ${f.machine.cpus} × ${f.machine.cpuModel}, Node ${f.machine.node}; logins: ${f.runs.map((r) => `${r.loggedIn}/${r.accounts} in ${r.loginSeconds.toFixed(0)} s`).join(", ")}`,
    "",
    "| accounts | offered/s | said/s | replies/s | p50 | p99 | max | say → event p50 / p99 | lost | twice | CPU supervisor / simulator / nats / auto-reply / generator |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "CPU per reply (ms of each process's CPU over the step and its drain, divided by the replies):",
    "",
    "| accounts | offered/s | supervisor | simulator | nats | auto-reply | generator | all |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...f.runs.flatMap((run) =>
      run.steps.map((s) => {
        const per = (name: string) => s.cpuMsPerReply[name] ?? Number.NaN
        const names = ["supervisor", "simulator", "nats", "autoReply", "generator"]
        const all = names.reduce((sum, name) => sum + per(name), 0)
        const cell = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "?")
        return `| ${run.accounts} | ${s.rate}${s.warmup ? " (warm-up)" : ""} | ${names.map((n) => cell(per(n))).join(" | ")} | ${cell(all)} |`
      }),
    ),
    ...(f.failures.length > 0 ? ["", `failures: ${f.failures.slice(0, 5).join("; ")}`] : []),
  ].join("\n")
}
