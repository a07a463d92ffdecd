import { forEachConcurrently, median, percentile } from "../stats.js"
import { withChildClient } from "./ChildSimulator.js"
import { LOGIN_STEPS, loginToFirstSync, type LoginStep } from "./client.js"

export interface LoginOptions {
  /** Timed logins, each of its own account. */
  readonly logins: number
  /** Logins in flight at once. */
  readonly concurrency: number
  /** Friends of each account (what webwxgetcontact lists, besides the special accounts). */
  readonly contacts: number
  /** Untimed logins first (other accounts), so the JIT has compiled the client. */
  readonly warmupLogins: number
}

export interface LoginFigures {
  readonly options: LoginOptions
  /** Where the simulator ran: a child process, so the client's CPU is measured alone. */
  readonly simulator: "child process"
  /** Contacts webwxgetcontact listed per login (median). */
  readonly contactsListed: number
  /** Messages the first webwxsync brought per login (median). */
  readonly firstSyncMessages: number
  readonly completed: number
  readonly wallSeconds: number
  readonly loginsPerSecond: number
  /** jslogin → first completed webwxsync, each login. */
  readonly latencyMs: {
    readonly p50: number
    readonly p90: number
    readonly p99: number
    readonly max: number
  }
  /** Median wall time of each step. */
  readonly stepMsP50: Readonly<Record<LoginStep, number>>
  /** This process's CPU time (user + system) over the timed logins, per login. */
  readonly clientCpuMsPerLogin: number
  /** The simulator process's CPU time over the timed logins, per login. */
  readonly simulatorCpuMsPerLogin: number
  readonly failures: ReadonlyArray<string>
}

/**
 * Login-to-first-sync against a simulator in its own process over real HTTP on 127.0.0.1: each
 * login runs the protocol client from jslogin to its first webwxsync, `concurrency` at a time.
 */
export const measureLogins = async (
  options: LoginOptions,
  progress: (line: string) => void = () => {},
): Promise<LoginFigures> =>
  withChildClient(async (sim, runtime) => {
    progress(
      `creating ${options.logins + options.warmupLogins} accounts with ${options.contacts} friends each`,
    )
    const accounts = await sim.populate(
      "wxid_login",
      options.logins + options.warmupLogins,
      options.contacts,
    )
    const warmupAccounts = accounts.slice(0, options.warmupLogins)
    const timedAccounts = accounts.slice(options.warmupLogins)
    const failures: Array<string> = []
    const loginOnce = (account: string) => runtime.runPromise(loginToFirstSync(account, sim.phone))

    progress(`warming up with ${warmupAccounts.length} logins`)
    await forEachConcurrently(warmupAccounts, options.concurrency, async (account) => {
      await loginOnce(account).catch((error: unknown) =>
        failures.push(`warm-up ${account}: ${String(error)}`),
      )
    })

    progress(`timing ${timedAccounts.length} logins, ${options.concurrency} in flight`)
    const latencies: Array<number> = []
    const steps = new Map<LoginStep, Array<number>>(LOGIN_STEPS.map((step) => [step, []]))
    const contacts: Array<number> = []
    const firstSyncMessages: Array<number> = []
    const simulatorCpuBefore = sim.cpuSeconds()
    const clientCpuBefore = process.cpuUsage()
    const started = performance.now()
    await forEachConcurrently(timedAccounts, options.concurrency, async (account) => {
      const loginStarted = performance.now()
      try {
        const first = await loginOnce(account)
        latencies.push(performance.now() - loginStarted)
        for (const step of LOGIN_STEPS) steps.get(step)!.push(first.stepMs[step])
        contacts.push(first.contacts)
        firstSyncMessages.push(first.messages)
      } catch (error) {
        failures.push(`${account}: ${String(error)}`)
      }
    })
    const wallSeconds = (performance.now() - started) / 1000
    const clientCpu = process.cpuUsage(clientCpuBefore)
    const simulatorCpuSeconds = sim.cpuSeconds() - simulatorCpuBefore

    const sorted = [...latencies].sort((a, b) => a - b)
    const completed = latencies.length
    return {
      options,
      simulator: "child process",
      contactsListed: median(contacts),
      firstSyncMessages: median(firstSyncMessages),
      completed,
      wallSeconds,
      loginsPerSecond: completed / wallSeconds,
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p90: percentile(sorted, 0.9),
        p99: percentile(sorted, 0.99),
        max: sorted.at(-1) ?? Number.NaN,
      },
      stepMsP50: Object.fromEntries(
        LOGIN_STEPS.map((step) => [step, median(steps.get(step)!)]),
      ) as Record<LoginStep, number>,
      clientCpuMsPerLogin: (clientCpu.user + clientCpu.system) / 1000 / Math.max(completed, 1),
      simulatorCpuMsPerLogin: (simulatorCpuSeconds * 1000) / Math.max(completed, 1),
      failures,
    }
  })
