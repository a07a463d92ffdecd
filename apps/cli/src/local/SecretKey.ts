import { randomBytes } from "node:crypto"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { Config, Effect, Option, Redacted } from "effect"

/**
 * The key that seals session state at rest: `WXFLEET_SECRET_KEY`, else `<dataDir>/secret.key`,
 * made once (32 random bytes, hex, mode 0600) and reused, so a restart resumes every session.
 */
export const secretKey = (dataDir: string): Effect.Effect<Redacted.Redacted<string>> =>
  Effect.gen(function* () {
    const fromEnv = yield* Config.option(Config.redacted("WXFLEET_SECRET_KEY")).pipe(Effect.orDie)
    if (Option.isSome(fromEnv)) return fromEnv.value
    const file = join(dataDir, "secret.key")
    return yield* Effect.promise(async () => {
      const existing = await readFile(file, "utf8").catch(() => undefined)
      if (existing !== undefined && existing.trim() !== "") return Redacted.make(existing.trim())
      await mkdir(dataDir, { recursive: true })
      const key = randomBytes(32).toString("hex")
      await writeFile(file, `${key}\n`, { mode: 0o600 })
      return Redacted.make(key)
    })
  })
