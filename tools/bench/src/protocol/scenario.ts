import { parseArgs } from "node:util"
import { captureCorpora } from "./corpus.js"
import { measureDecoding, type DecodingFigures, type Rates } from "./decoding.js"
import { LOGIN_STEPS } from "./client.js"
import { measureAllocations, type AllocationFigures } from "./allocations.js"
import { measureHeldPolls, type HeldPollFigures } from "./heldPolls.js"
import { measureLogins, type LoginFigures } from "./logins.js"

/** Issue 3: at least this many text messages decoded per second on one core. */
export const TEXT_DECODE_TARGET = 100_000

export interface ProtocolScenarioOptions {
  /** Messages each decoding round goes through, per corpus; 0 skips the decoding figures. */
  readonly messages: number
  /** Timed rounds of each decoding measure (one untimed round comes first). */
  readonly rounds: number
  /** Timed logins; 0 skips the login figures. */
  readonly logins: number
  /** Logins in flight at once. */
  readonly concurrency: number
  /** Friends of each account that logs in. */
  readonly contacts: number
  /** Sessions whose held sync loops are weighed; 0 skips that figure. */
  readonly held: number
  /** Sends and webwxsync calls whose allocations are counted; 0 skips that figure. */
  readonly alloc: number
  /** Where the held-poll measure writes its heap profile of what a round keeps, if set. */
  readonly heldProfile?: string | undefined
}

export const DEFAULT_PROTOCOL_SCENARIO: ProtocolScenarioOptions = {
  messages: 20_000,
  rounds: 5,
  logins: 200,
  concurrency: 4,
  contacts: 200,
  held: 1_000,
  alloc: 2_000,
}

/** Distinct messages captured from the simulator per corpus; rounds cycle over them. */
const UNIQUE_TEXT_MESSAGES = 2_000
const UNIQUE_MIXED_MESSAGES = 1_800
/** Untimed logins before the timed ones, on accounts of their own. */
const WARMUP_LOGINS = 10

const USAGE = `Usage: npm run bench -- protocol [options]

Scenario "protocol": the protocol client (@wxfleet/protocol).
  1. Decoding: messages/s of Messages.decodeBatch over real webwxsync answers captured from an
     in-process simulator (text messages; every kind mixed), alone, with the JSON parse of the
     answer, and along the client's whole webwxsync path (HTTP answered from memory). One thread.
  2. Login to first sync: jslogin → phone scan + confirm → login poll → webwxnewloginpage →
     webwxinit → webwxstatusnotify → webwxgetcontact → webwxsync, over HTTP on 127.0.0.1 against
     the simulator in a child process (so this process's CPU time is the client's alone).
  3. Held polls: the heap a logged-in session's sync loop adds while it holds its synccheck,
     per session, over the same child simulator.
  4. Allocations: bytes the client allocates per send and per webwxsync, garbage included.

  --messages N      messages per decoding round and corpus (default ${DEFAULT_PROTOCOL_SCENARIO.messages}; 0 skips decoding)
  --rounds N        timed decoding rounds (default ${DEFAULT_PROTOCOL_SCENARIO.rounds})
  --logins N        timed logins (default ${DEFAULT_PROTOCOL_SCENARIO.logins}; 0 skips logins)
  --concurrency N   logins in flight (default ${DEFAULT_PROTOCOL_SCENARIO.concurrency})
  --contacts N      friends of each account that logs in (default ${DEFAULT_PROTOCOL_SCENARIO.contacts})
  --held N          sessions whose sync loops hold their polls, weighed (default ${DEFAULT_PROTOCOL_SCENARIO.held}; 0 skips)
  --held-profile F  write the sampled heap profile of what a round keeps to F (open in DevTools)
  --alloc N         sends and webwxsync calls whose allocations are counted (default ${DEFAULT_PROTOCOL_SCENARIO.alloc}; 0 skips)
  --json            print the figures as JSON instead of tables`

/** A flag the scenario cannot run with; the message says which and why. */
export class UsageError extends Error {}

/** Reads the scenario's flags; a leading `protocol` (the scenario's name) is allowed. */
export const parseProtocolFlags = (
  argv: ReadonlyArray<string>,
): ProtocolScenarioOptions & { readonly json: boolean; readonly help: boolean } => {
  const text = { type: "string" } as const
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          messages: text,
          rounds: text,
          logins: text,
          concurrency: text,
          contacts: text,
          held: text,
          alloc: text,
          "held-profile": text,
          json: { type: "boolean", default: false },
          help: { type: "boolean", short: "h", default: false },
        },
      })
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error))
    }
  })()
  const unexpected = positionals.filter((word, index) => !(index === 0 && word === "protocol"))
  if (unexpected.length > 0) throw new UsageError(`unexpected argument ${unexpected.join(" ")}`)

  const whole = (flag: Exclude<keyof ProtocolScenarioOptions, "heldProfile">, min: number, max: number): number => {
    const raw = values[flag]
    if (raw === undefined) return DEFAULT_PROTOCOL_SCENARIO[flag]
    const value = Number(raw)
    if (raw.trim() === "" || !Number.isInteger(value) || value < min || value > max)
      throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, not "${raw}"`)
    return value
  }
  return {
    messages: whole("messages", 0, 100_000_000),
    rounds: whole("rounds", 1, 1_000),
    logins: whole("logins", 0, 100_000),
    concurrency: whole("concurrency", 1, 1_000),
    contacts: whole("contacts", 0, 5_000),
    held: whole("held", 0, 5_000),
    alloc: whole("alloc", 0, 1_000_000),
    heldProfile: values["held-profile"],
    json: values.json,
    help: values.help,
  }
}

export interface ProtocolFigures {
  readonly options: ProtocolScenarioOptions
  readonly target: { readonly textMessagesPerSecond: number }
  /** The text corpus first, then the mixed one; empty when skipped. */
  readonly decoding: ReadonlyArray<DecodingFigures>
  readonly logins: LoginFigures | undefined
  readonly heldPolls: HeldPollFigures | undefined
  readonly allocations: AllocationFigures | undefined
  /** Anything that went wrong: lost messages, failed logins. */
  readonly failures: ReadonlyArray<string>
}

/** Runs what the options ask for and gathers the figures. */
export const runProtocolBenchmarks = async (
  options: ProtocolScenarioOptions,
  progress: (line: string) => void = () => {},
): Promise<ProtocolFigures> => {
  const failures: Array<string> = []
  const decoding: Array<DecodingFigures> = []
  if (options.messages > 0) {
    progress("capturing webwxsync answers from an in-process simulator")
    const corpora = await captureCorpora({
      textMessages: Math.min(options.messages, UNIQUE_TEXT_MESSAGES),
      mixedMessages: Math.min(options.messages, UNIQUE_MIXED_MESSAGES),
    })
    for (const corpus of [corpora.text, corpora.mixed]) {
      progress(
        `decoding the ${corpus.name} corpus: ${options.rounds} rounds of ${options.messages} messages, 3 measures`,
      )
      const figures = await measureDecoding(corpus, {
        messages: options.messages,
        rounds: options.rounds,
        warmupRounds: 1,
      })
      for (const [measure, decoded] of Object.entries(figures.decodedPerRound))
        if (decoded !== figures.messagesPerRound)
          failures.push(
            `${corpus.name} ${measure}: decoded ${decoded} of ${figures.messagesPerRound} messages`,
          )
      decoding.push(figures)
    }
  }
  let logins: LoginFigures | undefined
  if (options.logins > 0) {
    logins = await measureLogins(
      {
        logins: options.logins,
        concurrency: options.concurrency,
        contacts: options.contacts,
        warmupLogins: Math.min(WARMUP_LOGINS, options.logins),
      },
      progress,
    )
    failures.push(...logins.failures)
  }
  const heldPolls = options.held > 0 ? await measureHeldPolls(options.held, progress, options.heldProfile) : undefined
  const allocations = options.alloc > 0 ? await measureAllocations(options.alloc, progress) : undefined
  return {
    options,
    target: { textMessagesPerSecond: TEXT_DECODE_TARGET },
    decoding,
    logins,
    heldPolls,
    allocations,
    failures,
  }
}

const count = (value: number): string => Math.round(value).toLocaleString("en-US")
const ms = (value: number): string => `${value.toFixed(1)} ms`

const markdownTable = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
): string => {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  )
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join(
    "\n",
  )
}

/** The figures as readable tables (Markdown). */
export const formatProtocolFigures = (figures: ProtocolFigures): string => {
  const sections: Array<string> = []
  const target = figures.target.textMessagesPerSecond
  if (figures.decoding.length > 0) {
    const measures: ReadonlyArray<[string, (f: DecodingFigures) => Rates]> = [
      ["decodeBatch", (f) => f.decode],
      ["parseServerJson + decodeBatch", (f) => f.parseAndDecode],
      ["client webwxsync path + decodeBatch", (f) => f.clientPath],
    ]
    const rows = figures.decoding.flatMap((f) =>
      measures.map(([measure, rates]) => {
        const { wall, cpu } = rates(f)
        return [
          f.corpus,
          measure,
          count(wall.median),
          `${count(wall.min)} – ${count(wall.max)}`,
          count(cpu.median),
          `${(wall.median / target).toFixed(2)} / ${(cpu.median / target).toFixed(2)}`,
        ]
      }),
    )
    const corpora = figures.decoding
      .map(
        (f) =>
          `${f.corpus}: ${count(f.uniqueMessages)} distinct entries in ${f.answers} webwxsync answers ` +
          `(${count(f.meanAnswerBytes / 1024)} KiB each), ${count(f.messagesPerRound)} messages a round; ` +
          Object.entries(f.tags)
            .map(([tag, n]) => `${tag} ${n}`)
            .join(", "),
      )
      .join("\n")
    sections.push(
      `Decoding, one thread, messages/s (median of ${figures.options.rounds} rounds; target ${count(target)} text messages/s)\n\n` +
        markdownTable(
          [
            "corpus",
            "measure",
            "msg/s (wall)",
            "min – max (wall)",
            "msg/CPU-s",
            "× target (wall / CPU)",
          ],
          rows,
        ) +
        `\n\n${corpora}`,
    )
  }
  const l = figures.logins
  if (l) {
    const rows: Array<[string, string]> = [
      [
        "logins × friends each",
        `${l.completed} of ${l.options.logins} × ${l.options.contacts} (listed: ${count(l.contactsListed)})`,
      ],
      [`logins/s (${l.options.concurrency} in flight)`, l.loginsPerSecond.toFixed(1)],
      [
        "jslogin → first webwxsync p50 / p90 / p99 / max",
        [l.latencyMs.p50, l.latencyMs.p90, l.latencyMs.p99, l.latencyMs.max].map(ms).join(" / "),
      ],
      ["client CPU per login (this process)", ms(l.clientCpuMsPerLogin)],
      ["simulator CPU per login (child process)", ms(l.simulatorCpuMsPerLogin)],
      ...LOGIN_STEPS.map((step): [string, string] => [
        `  step p50: ${step}`,
        ms(l.stepMsP50[step]),
      ]),
      ["messages in the first webwxsync (median)", String(l.firstSyncMessages)],
    ]
    sections.push(
      `Login to first sync, simulator in a ${l.simulator}, HTTP on 127.0.0.1\n\n` +
        markdownTable(
          ["figure", "value"],
          rows.map(([name, value]) => [name, value]),
        ),
    )
  }
  const held = figures.heldPolls
  if (held !== undefined) {
    sections.push(
      `Held polls: ${count(held.sessions)} logged-in sessions, each sync loop holding its synccheck\n\n` +
        markdownTable(
          ["figure", "value"],
          [
            ["heap per held loop", `${count(held.heapBytesPerHeldLoop)} B`],
            ["kept alive by a round while the next poll is held", `${count(held.bytesKeptPerRound)} B`],
          ],
        ),
    )
  }
  const allocations = figures.allocations
  if (allocations !== undefined) {
    sections.push(
      `Allocations: ${count(allocations.calls)} calls each, one at a time, garbage included\n\n` +
        markdownTable(
          ["figure", "value"],
          [
            ["allocated per Send.sendText", `${count(allocations.bytesPerSend)} B`],
            ["allocated per webwxsync (nothing new)", `${count(allocations.bytesPerSync)} B`],
          ],
        ),
    )
  }
  sections.push(
    figures.failures.length === 0
      ? "failures: 0"
      : `failures: ${figures.failures.length}: ${figures.failures.slice(0, 5).join("; ")}`,
  )
  return sections.join("\n\n")
}

/** `npm run bench -- protocol [options]`: parses the flags, runs, prints; exits 2 on bad flags. */
export async function runProtocolScenario(argv: ReadonlyArray<string>): Promise<void> {
  let flags: ReturnType<typeof parseProtocolFlags>
  try {
    flags = parseProtocolFlags(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    console.error(`bench protocol: ${error.message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (flags.help) {
    console.log(USAGE)
    return
  }
  const { json, help: _help, ...options } = flags
  const figures = await runProtocolBenchmarks(options, (line) => console.error(`bench: ${line}`))
  console.log(json ? JSON.stringify(figures, null, 2) : formatProtocolFigures(figures))
  if (figures.failures.length > 0) process.exitCode = 1
}
