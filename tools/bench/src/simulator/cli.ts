import { parseArgs } from "node:util"
import {
  DEFAULT_SIMULATOR_SCENARIO,
  runSimulatorScenario,
  type CpuShares,
  type SimulatorFigures,
  type SimulatorScenarioOptions,
} from "./scenario.js"

const USAGE = `Usage: npm run bench -- simulator [options]

Scenario "simulator": the simulator CLI as a child process with N accounts, each logged in over
real HTTP and holding its synccheck long poll; measures logins/s, the simulator's memory and CPU
while it holds the polls, inject → synccheck latency and webwxsync answers/s.

  --accounts N            accounts (default ${DEFAULT_SIMULATOR_SCENARIO.accounts})
  --friends-each N        friends per account (default ${DEFAULT_SIMULATOR_SCENARIO.friendsEach})
  --groups-each N         groups per account (default ${DEFAULT_SIMULATOR_SCENARIO.groupsEach})
  --login-concurrency N   logins in flight (default ${DEFAULT_SIMULATOR_SCENARIO.loginConcurrency})
  --samples N             messages injected for the latency figures (default ${DEFAULT_SIMULATOR_SCENARIO.samples})
  --idle-seconds N        how long to watch the idle simulator (default ${DEFAULT_SIMULATOR_SCENARIO.idleSeconds})
  --sync-seconds N        how long to measure webwxsync (default ${DEFAULT_SIMULATOR_SCENARIO.syncSeconds})
  --sync-concurrency N    webwxsync calls in flight (default ${DEFAULT_SIMULATOR_SCENARIO.syncConcurrency})
  --sync-hold-ms N        the simulator's synccheck hold (default ${DEFAULT_SIMULATOR_SCENARIO.syncHoldMs})
  --json                  print the figures as JSON instead of a table`

const fail = (message: string): never => {
  console.error(`bench: ${message}\n\n${USAGE}`)
  process.exit(2)
}

const text = { type: "string" } as const
export const runSimulatorCli = async (argv: ReadonlyArray<string>): Promise<void> => {
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
          accounts: text,
          "friends-each": text,
          "groups-each": text,
          "login-concurrency": text,
          samples: text,
          "idle-seconds": text,
          "sync-seconds": text,
          "sync-concurrency": text,
          "sync-hold-ms": text,
          json: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      })
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error))
    }
  })()
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  if (positionals.length > 0) fail(`unexpected arguments ${positionals.join(" ")}`)

  type NumberFlag =
    | "accounts"
    | "friends-each"
    | "groups-each"
    | "login-concurrency"
    | "samples"
    | "idle-seconds"
    | "sync-seconds"
    | "sync-concurrency"
    | "sync-hold-ms"

  const whole = (flag: NumberFlag, fallback: number, min = 0): number => {
    const raw = values[flag]
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min)
      fail(`--${flag} must be a whole number of at least ${min}`)
    return value
  }

  const defaults = DEFAULT_SIMULATOR_SCENARIO
  const options: SimulatorScenarioOptions = {
    ...defaults,
    accounts: whole("accounts", defaults.accounts, 1),
    friendsEach: whole("friends-each", defaults.friendsEach),
    groupsEach: whole("groups-each", defaults.groupsEach),
    loginConcurrency: whole("login-concurrency", defaults.loginConcurrency, 1),
    samples: whole("samples", defaults.samples),
    idleSeconds: whole("idle-seconds", defaults.idleSeconds),
    syncSeconds: whole("sync-seconds", defaults.syncSeconds),
    syncConcurrency: whole("sync-concurrency", defaults.syncConcurrency, 1),
    syncHoldMs: whole("sync-hold-ms", defaults.syncHoldMs, 1),
  }

  const figures = await runSimulatorScenario(options, (line) => console.error(`bench: ${line}`))
  console.log(values.json ? JSON.stringify(figures, null, 2) : table(figures))
  if (figures.failures.length > 0) process.exitCode = 1
}

function table(f: SimulatorFigures): string {
  const o = f.options
  const ms = (value: number) => `${value.toFixed(1)} ms`
  const cpu = (shares: CpuShares) =>
    `${percent(shares.simulator)} / ${percent(shares.loadGenerator)} of a core`
  const rows: Array<[string, string]> = [
    ["accounts × friends × groups", `${o.accounts} × ${o.friendsEach} × ${o.groupsEach}`],
    ["world creation (control API, 1,000 a call)", `${f.createSeconds.toFixed(1)} s`],
    [`logins/s (full flow, ${o.loginConcurrency} in flight)`, f.loginsPerSecond.toFixed(0)],
    ["login time p50 / p99", `${ms(f.loginMs.p50)} / ${ms(f.loginMs.p99)}`],
    ["CPU simulator / load generator, logging in", cpu(f.loginCpu)],
    ["synccheck polls held", String(f.heldPolls)],
    [
      "simulator RSS: world / logged in / holding",
      `${f.rssMb.world.toFixed(0)} / ${f.rssMb.loggedIn.toFixed(0)} / ${f.rssMb.idle.toFixed(0)} MB`,
    ],
    [`CPU simulator / load generator, holding polls (${o.idleSeconds} s)`, cpu(f.idleCpu)],
    [`synccheck answers meanwhile (hold ${o.syncHoldMs} ms)`, String(f.idlePollAnswers)],
    [
      `inject → selector 2 p50 / p99 (${f.latencyMs.samples} samples)`,
      `${ms(f.latencyMs.p50)} / ${ms(f.latencyMs.p99)}${f.latencyMs.lost > 0 ? ` (${f.latencyMs.lost} lost)` : ""}`,
    ],
    [`webwxsync answers/s (${o.syncConcurrency} in flight)`, f.syncPerSecond.toFixed(0)],
    ["CPU simulator / load generator, webwxsync", cpu(f.syncCpu)],
    [
      "failures",
      f.failures.length === 0 ? "0" : `${f.failures.length}: ${f.failures.slice(0, 3).join("; ")}`,
    ],
  ]
  const width = Math.max(...rows.map(([name]) => name.length))
  return [
    `| ${"figure".padEnd(width)} | value |`,
    `| ${"-".repeat(width)} | ----- |`,
    ...rows.map(([name, value]) => `| ${name.padEnd(width)} | ${value} |`),
  ].join("\n")
}

function percent(share: number): string {
  return `${(share * 100).toFixed(0)} %`
}
