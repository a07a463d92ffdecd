import { setTimeout as sleep } from "node:timers/promises"
import { Agent } from "undici"
import { cpuMeter, residentBytes } from "../proc.js"
import { forEachConcurrently, median, percentile } from "../stats.js"
import { PollLoops } from "./PollLoops.js"
import { SimulatorProcess } from "./SimulatorProcess.js"
import { WebClient } from "./WebClient.js"

export interface SimulatorScenarioOptions {
  readonly accounts: number
  readonly friendsEach: number
  readonly groupsEach: number
  /** Logins in flight at once. */
  readonly loginConcurrency: number
  /** Messages injected, one at a time, to time inject → synccheck answer. */
  readonly samples: number
  /** How long to watch the simulator while it only holds polls; one hold period shows the re-polls too. */
  readonly idleSeconds: number
  readonly syncSeconds: number
  readonly syncConcurrency: number
  /** The simulator's synccheck hold (the real server's is about 25 s). */
  readonly syncHoldMs: number
  /** The whole run is abandoned after this long. */
  readonly deadlineSeconds: number
}

export const DEFAULT_SIMULATOR_SCENARIO: SimulatorScenarioOptions = {
  accounts: 1_000,
  friendsEach: 200,
  groupsEach: 10,
  loginConcurrency: 100,
  samples: 3_000,
  idleSeconds: 30,
  syncSeconds: 10,
  syncConcurrency: 32,
  syncHoldMs: 25_000,
  deadlineSeconds: 900,
}

export interface SimulatorFigures {
  readonly options: SimulatorScenarioOptions
  readonly createSeconds: number
  readonly loginSeconds: number
  readonly loginsPerSecond: number
  readonly loginMs: { readonly p50: number; readonly p99: number }
  readonly loginCpu: CpuShares
  readonly heldPolls: number
  readonly rssMb: { readonly world: number; readonly loggedIn: number; readonly idle: number }
  /** While the simulator only holds the polls. */
  readonly idleCpu: CpuShares
  readonly idlePollAnswers: number
  readonly latencyMs: {
    readonly p50: number
    readonly p99: number
    readonly samples: number
    readonly lost: number
  }
  readonly syncPerSecond: number
  readonly syncCpu: CpuShares
  readonly failures: ReadonlyArray<string>
}

/** CPU used by each process, as a share of one core (the machine has two). */
export interface CpuShares {
  readonly simulator: number
  readonly loadGenerator: number
}

const PREFIX = "bench"
const CREATE_CHUNK = 1_000
const MB = 1024 * 1024

/**
 * The simulator at scale: a child process serving N accounts, each logged in over real HTTP and
 * holding its synccheck long poll, measured from this process (the load generator).
 */
export const runSimulatorScenario = async (
  options: SimulatorScenarioOptions,
  log: (line: string) => void = () => {},
): Promise<SimulatorFigures> => {
  const sim = await SimulatorProcess.launch({ syncHoldMs: options.syncHoldMs })
  // One connection per held poll, and room for logins and syncs beside them. Polls take pooled
  // connections that logins have freed: a fresh connection per poll, opened while logins kept the
  // simulator busy, overflowed its accept queue (Node's backlog of 511) and timed out connecting.
  const agent = new Agent({
    connections: options.accounts + options.loginConcurrency + options.syncConcurrency + 16,
    headersTimeout: options.syncHoldMs + 30_000,
    bodyTimeout: options.syncHoldMs + 30_000,
  })
  const stop = new AbortController()
  const loops = new PollLoops(stop.signal)
  const deadline = setTimeout(() => {
    stop.abort(new Error(`deadline of ${options.deadlineSeconds} s passed`))
    // Whatever is in flight fails at once, and the run ends through its usual path.
    void sim.stop()
  }, options.deadlineSeconds * 1000)
  const checkDeadline = () => {
    if (stop.signal.aborted) throw stop.signal.reason
  }
  try {
    log(`simulator pid ${sim.serverPid} at ${sim.url}`)
    const fleet = await createFleet(sim, options, checkDeadline)
    log(
      `created ${fleet.wxids.length} accounts in ${fleet.seconds.toFixed(1)} s; RSS ${fleet.rssMb.toFixed(0)} MB`,
    )

    const clients = fleet.wxids.map((wxid) => new WebClient(wxid, sim.url, agent))
    const login = await logInAll(sim, clients, loops, options.loginConcurrency, checkDeadline, log)

    const heldPolls = await sim.waitForHeldPolls(options.accounts, 60_000, checkDeadline)
    const rssLoggedIn = residentBytes(sim.serverPid) / MB
    log(
      `${heldPolls} polls held; RSS ${rssLoggedIn.toFixed(0)} MB; idle for ${options.idleSeconds} s`,
    )
    const idle = await watchIdle(sim, loops, options.idleSeconds, checkDeadline)

    log(`injecting ${options.samples} messages one at a time`)
    const latencyMs = await sampleLatency(sim, loops, fleet.wxids, options.samples, checkDeadline)

    log(`webwxsync for ${options.syncSeconds} s, ${options.syncConcurrency} at a time`)
    const meter = cpuMeters(sim.serverPid)
    const syncPerSecond = await syncThroughput(
      clients,
      options.syncSeconds,
      options.syncConcurrency,
    )
    const syncCpu = meter()
    checkDeadline()

    return {
      options,
      createSeconds: fleet.seconds,
      ...login,
      heldPolls,
      rssMb: { world: fleet.rssMb, loggedIn: rssLoggedIn, idle: idle.rssMb },
      idleCpu: idle.cpu,
      idlePollAnswers: idle.pollAnswers,
      latencyMs,
      syncPerSecond,
      syncCpu,
      failures: loops.failures,
    }
  } finally {
    clearTimeout(deadline)
    stop.abort()
    await sim.stop()
    await agent.destroy()
  }
}

/** Creates the accounts through the control API, a chunk per call. */
const createFleet = async (
  sim: SimulatorProcess,
  options: SimulatorScenarioOptions,
  checkDeadline: () => void,
): Promise<{ wxids: Array<string>; seconds: number; rssMb: number }> => {
  const started = performance.now()
  const wxids: Array<string> = []
  for (let start = 0; start < options.accounts; start += CREATE_CHUNK) {
    const created = await sim.control<{ accounts: Array<string> }>("POST", "/accounts", {
      count: Math.min(CREATE_CHUNK, options.accounts - start),
      prefix: PREFIX,
      start,
      friendsEach: options.friendsEach,
      groupsEach: options.groupsEach,
      home: "mixed",
    })
    wxids.push(...created.accounts)
    checkDeadline()
  }
  return {
    wxids,
    seconds: (performance.now() - started) / 1000,
    rssMb: residentBytes(sim.serverPid) / MB,
  }
}

/** Logs every client in, `concurrency` at a time, and starts each one's poll loop once it is in. */
const logInAll = async (
  sim: SimulatorProcess,
  clients: ReadonlyArray<WebClient>,
  loops: PollLoops,
  concurrency: number,
  checkDeadline: () => void,
  log: (line: string) => void,
): Promise<Pick<SimulatorFigures, "loginSeconds" | "loginsPerSecond" | "loginMs" | "loginCpu">> => {
  const phone = async (account: string, uuid: string) => {
    await sim.control("POST", `/phone/${account}/scan`, { uuid })
    await sim.control("POST", `/phone/${account}/confirm`, { uuid })
  }
  const times: Array<number> = []
  const meter = cpuMeters(sim.serverPid)
  const started = performance.now()
  await forEachConcurrently(clients, concurrency, async (client) => {
    checkDeadline()
    const begin = performance.now()
    await client.login(phone)
    times.push(performance.now() - begin)
    loops.start(client)
    if (times.length % 1_000 === 0) log(`${times.length} logged in`)
  })
  const loginSeconds = (performance.now() - started) / 1000
  const loginCpu = meter()
  times.sort((a, b) => a - b)
  return {
    loginSeconds,
    loginsPerSecond: clients.length / loginSeconds,
    loginMs: { p50: percentile(times, 0.5), p99: percentile(times, 0.99) },
    loginCpu,
  }
}

/** Watches the simulator while it only holds the polls (and answers the ones whose hold ran out). */
const watchIdle = async (
  sim: SimulatorProcess,
  loops: PollLoops,
  seconds: number,
  checkDeadline: () => void,
): Promise<{ cpu: CpuShares; rssMb: number; pollAnswers: number }> => {
  const meter = cpuMeters(sim.serverPid)
  const answersBefore = loops.answers
  const rss: Array<number> = []
  for (let second = 0; second < seconds; second++) {
    await sleep(1_000)
    checkDeadline()
    rss.push(residentBytes(sim.serverPid) / MB)
  }
  return { cpu: meter(), rssMb: median(rss), pollAnswers: loops.answers - answersBefore }
}

/** Starts measuring both processes' CPU; the function returned reads the shares since then. */
const cpuMeters = (simulatorPid: number): (() => CpuShares) => {
  const simulator = cpuMeter(simulatorPid)
  const loadGenerator = cpuMeter(process.pid)
  return () => ({ simulator: simulator(), loadGenerator: loadGenerator() })
}

/**
 * Injects messages one at a time (a friend says something to an account whose poll the server
 * holds) and times each from just before the control call to the poll's answer.
 */
const sampleLatency = async (
  sim: SimulatorProcess,
  loops: PollLoops,
  wxids: ReadonlyArray<string>,
  samples: number,
  checkDeadline: () => void,
): Promise<SimulatorFigures["latencyMs"]> => {
  const nextAccount = roundRobin(shuffle([...wxids]))
  const friendOf = new Map<string, string>()
  const times: Array<number> = []
  let lost = 0
  for (let sample = 0; sample < samples; sample++) {
    checkDeadline()
    const wxid = await nextHeld(loops, nextAccount, wxids.length)
    if (wxid === undefined) break
    let friend = friendOf.get(wxid)
    if (friend === undefined) {
      const { account } = await sim.control<{ account: { friendList: Array<string> } }>(
        "GET",
        `/accounts/${wxid}`,
      )
      friend = account.friendList.find((f) => f !== "filehelper" && f !== "weixin") ?? "filehelper"
      friendOf.set(wxid, friend)
    }
    const woke = loops.nextWake(wxid, 10_000)
    const injectedAt = performance.now()
    await sim.control("POST", "/say", {
      from: friend,
      to: wxid,
      spec: { kind: "text", text: `sample ${sample}` },
    })
    const at = await woke
    if (at === undefined) lost++
    else times.push(at - injectedAt)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), samples: times.length, lost }
}

/** The next account whose poll has been out long enough that the server surely holds it. */
const nextHeld = async (
  loops: PollLoops,
  nextAccount: () => string,
  accounts: number,
): Promise<string | undefined> => {
  for (let attempt = 0; attempt < 1_000; attempt++) {
    for (let tried = 0; tried < accounts; tried++) {
      const wxid = nextAccount()
      if (loops.isHeld(wxid, 20)) return wxid
    }
    await sleep(5)
  }
  return undefined
}

const roundRobin = <T>(items: ReadonlyArray<T>): (() => T) => {
  let index = 0
  return () => items[index++ % items.length]!
}

/** webwxsync answers per second, `concurrency` in flight, over random logged-in accounts. */
const syncThroughput = async (
  clients: ReadonlyArray<WebClient>,
  seconds: number,
  concurrency: number,
): Promise<number> => {
  let answers = 0
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await clients[Math.floor(Math.random() * clients.length)]!.sync()
        answers++
      }
    }),
  )
  return answers / ((performance.now() - started) / 1000)
}

const shuffle = <T>(items: Array<T>): Array<T> => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
