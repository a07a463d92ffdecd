import { assert, describe, it } from "@effect/vitest"
import { writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { readConfigFile } from "./ConfigFile.js"

const fileWith = async (text: string) => {
  const file = join(tmpdir(), `wxfleet-config-${process.pid}-${Math.random().toString(36).slice(2)}.json`)
  await writeFile(file, text)
  return file
}

describe("the config file", () => {
  it.effect("lists accounts and their options", () =>
    Effect.gen(function* () {
      const file = yield* Effect.promise(() => fileWith(`{"accounts":[{"account":"bot1"},{"account":"bot2","desktop":true}]}`))
      const config = yield* readConfigFile(file)
      assert.deepStrictEqual(
        config.accounts.map((a) => ({ account: String(a.account), desktop: a.desktop ?? false })),
        [
          { account: "bot1", desktop: false },
          { account: "bot2", desktop: true },
        ],
      )
    }),
  )

  it.effect("is refused with a message naming the file and the bad field", () =>
    Effect.gen(function* () {
      const file = yield* Effect.promise(() => fileWith(`{"accounts":[{"account":"bad.id"}]}`))
      const error = yield* Effect.flip(readConfigFile(file))
      assert.include(error.message, file)
      assert.include(error.message, "account")
      const missing = yield* Effect.flip(readConfigFile("/nonexistent/wxfleet.json"))
      assert.include(missing.message, "/nonexistent/wxfleet.json")
      const notJson = yield* Effect.flip(readConfigFile(yield* Effect.promise(() => fileWith("{accounts"))))
      assert.strictEqual(notJson._tag, "ConfigFileError")
    }),
  )
})
