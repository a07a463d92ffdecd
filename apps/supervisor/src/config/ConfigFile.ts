import { readFile } from "node:fs/promises"
import { FleetAdd } from "@wxfleet/contracts"
import { Data, Effect, Schema } from "effect"

/** The optional config file: `{ "accounts": [{ "account": "bot1", "desktop": false }] }`. */
export const ConfigFile = Schema.Struct({ accounts: Schema.optionalWith(Schema.Array(FleetAdd), { default: () => [] }) })
export type ConfigFile = typeof ConfigFile.Type

export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{ readonly file: string; readonly reason: string }> {
  override get message(): string {
    return `config file ${this.file}: ${this.reason}`
  }
}

/** Reads and validates the config file; the error names the file and the bad field. */
export const readConfigFile = (file: string): Effect.Effect<ConfigFile, ConfigFileError> =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) => new ConfigFileError({ file, reason: cause instanceof Error ? cause.message : String(cause) }),
  }).pipe(
    Effect.flatMap((text) =>
      Schema.decodeUnknown(Schema.parseJson(ConfigFile))(text).pipe(
        Effect.mapError((error) => new ConfigFileError({ file, reason: error.message })),
      ),
    ),
  )
