import { readFile } from "node:fs/promises"
import { dirname, resolve } from "node:path"
import { AccountId, type FleetAdd } from "@wxfleet/contracts"
import { parseRules } from "@wxfleet/worker"
import { Effect, Either, Schema } from "effect"

const AccountEntry = Schema.Union(
  AccountId,
  Schema.Struct({ account: AccountId, desktop: Schema.optional(Schema.Boolean) }),
)

/**
 * `wxfleet up --config FILE` (JSON, or YAML by extension): which accounts to run and which
 * workers to start with their rule files (paths relative to this file).
 */
export const UpConfig = Schema.Struct({
  /** Accounts to run: an id, or `{ account, desktop }`. Those added later are kept too. */
  accounts: Schema.optionalWith(Schema.Array(AccountEntry), { default: () => [] }),
  /** Runs an auto-reply worker with this rules file (see apps/auto-reply). */
  autoReply: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
  /** Runs a moderation worker with this policies file (see apps/moderation). */
  moderation: Schema.optional(Schema.String.pipe(Schema.minLength(1))),
})
export type UpConfig = typeof UpConfig.Type

export interface ResolvedUpConfig {
  readonly accounts: ReadonlyArray<FleetAdd>
  readonly autoReply: string | undefined
  readonly moderation: string | undefined
}

export const emptyUpConfig: ResolvedUpConfig = { accounts: [], autoReply: undefined, moderation: undefined }

/** Reads and validates the file; the error names the file and each bad field. */
export const readUpConfig = (file: string): Effect.Effect<ResolvedUpConfig, string> =>
  Effect.gen(function* () {
    const text = yield* Effect.tryPromise({
      try: () => readFile(file, "utf8"),
      catch: (e) => `cannot read config file ${file}: ${e instanceof Error ? e.message : String(e)}`,
    })
    const parsed = parseRules(UpConfig, file, text)
    if (Either.isLeft(parsed)) return yield* Effect.fail(parsed.left.message)
    const config = parsed.right
    const relative = (path: string | undefined) => (path === undefined ? undefined : resolve(dirname(file), path))
    return {
      accounts: config.accounts.map((entry) => (typeof entry === "string" ? { account: entry } : entry)),
      autoReply: relative(config.autoReply),
      moderation: relative(config.moderation),
    }
  })
