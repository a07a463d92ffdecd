import { Command, Options } from "@effect/cli"
import type { FleetAdd } from "@wxfleet/contracts"
import { Fleet, HealthAddress } from "@wxfleet/supervisor"
import { join, resolve } from "node:path"
import { Console, Context, Effect, Layer, Option } from "effect"
import { styleFor } from "../format/Style.js"
import { ensureNats } from "../local/LocalNats.js"
import { autoReplyLayer, moderationLayer, supervisorLayer } from "../local/LocalFleet.js"
import { secretKey } from "../local/SecretKey.js"
import { patientSignals } from "../local/signals.js"
import { emptyUpConfig, readUpConfig } from "../local/UpConfig.js"
import { CliExit, ExitCode, usage } from "./ExitCode.js"
import { natsUrl, withProgress } from "./shared.js"

const config = Options.file("config", { exists: "yes" }).pipe(
  Options.withDescription("The fleet to run: accounts and workers (JSON or YAML; see the README)"),
  Options.optional,
)
export const dataDir = Options.directory("data-dir").pipe(
  Options.withDescription("Where local state lives: the nats-server store, secret.key"),
  Options.withDefault(".wxfleet"),
)

/** A part that could not start: NATS trouble is 3 (unreachable), anything else 1. */
export const startFailure = (what: string) => (error: { readonly _tag: string; readonly message: string }) =>
  new CliExit({
    code: ["NatsError", "NatsNotAnswering", "NatsServerMissing", "NatsServerFailed"].includes(error._tag) ? ExitCode.unreachable : ExitCode.failed,
    message: `${what}: ${error._tag}: ${error.message}`,
  })

/** Starts the accounts of the config that the fleet does not run yet (or runs with other options). */
const startConfigured = (fleet: Fleet, accounts: ReadonlyArray<FleetAdd>) =>
  Effect.gen(function* () {
    const running = new Map((yield* fleet.list).map((a) => [a.account, a]))
    for (const entry of accounts) {
      const now = running.get(entry.account)
      if (now === undefined || now.desktop !== (entry.desktop ?? false)) yield* fleet.add(entry)
    }
  })

/** `wxfleet up`: NATS (started when none answers), the supervisor and the configured workers. */
export const upCommand = Command.make("up", { config, dataDir }, (args) =>
  Effect.scoped(
    Effect.gen(function* () {
      yield* patientSignals
      const style = styleFor(process.stderr)
      const up = Option.isSome(args.config) ? yield* Effect.mapError(readUpConfig(args.config.value), usage) : emptyUpConfig
      const dir = resolve(args.dataDir)
      const url = yield* natsUrl
      const server = yield* ensureNats(url, join(dir, "nats")).pipe(Effect.mapError(startFailure("NATS")))
      const key = yield* secretKey(dir)
      const supervisor = yield* Layer.build(supervisorLayer({ natsUrl: url, secretKey: key })).pipe(
        withProgress("starting the supervisor…"),
        Effect.mapError(startFailure("supervisor")),
      )
      const fleet = Context.get(supervisor, Fleet)
      yield* startConfigured(fleet, up.accounts).pipe(Effect.mapError(startFailure("accounts")))
      const workers: Array<string> = []
      if (up.autoReply !== undefined) {
        yield* Layer.build(autoReplyLayer(url, up.autoReply)).pipe(Effect.mapError(startFailure("auto-reply")))
        workers.push(`auto-reply (${up.autoReply})`)
      }
      if (up.moderation !== undefined) {
        yield* Layer.build(moderationLayer(url, up.moderation)).pipe(Effect.mapError(startFailure("moderation")))
        workers.push(`moderation (${up.moderation})`)
      }
      const accounts = yield* fleet.list
      yield* Console.error(
        [
          style.good(`wxfleet is up`),
          `  NATS        ${url}${server === undefined ? "" : ` (nats-server pid ${server.pid}, store ${server.storeDir})`}`,
          `  supervisor  health http://127.0.0.1:${Context.get(supervisor, HealthAddress).port}/healthz`,
          `  workers     ${workers.length === 0 ? "none" : workers.join(", ")}`,
          `  accounts    ${accounts.length === 0 ? "none yet" : accounts.map((a) => `${a.account} (${a.state})`).join(", ")}`,
          style.dim(`In another terminal: wxfleet login <account> · wxfleet tail · wxfleet accounts list${url === "nats://127.0.0.1:4222" ? "" : ` (with WXFLEET_NATS_URL=${url})`}`),
          style.dim("Ctrl-C stops everything."),
        ].join("\n"),
      )
      yield* Effect.addFinalizer(() => Console.error("stopping: workers, supervisor, then NATS…"))
      return yield* Effect.never
    }),
  ).pipe(Effect.onInterrupt(() => Console.error("wxfleet: stopped"))),
).pipe(Command.withDescription("Run the fleet here: NATS (started when none answers), the supervisor and the workers of --config"))
