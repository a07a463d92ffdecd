import * as NodeContext from "@effect/platform-node/NodeContext"
import { mkdtemp, rename, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Option, Schema, Stream, SubscriptionRef } from "effect"
import { describe, expect, it } from "vitest"
import { ConfigSchemas, parseRules, watchRules, type Rules } from "../src/index.js"

const Greeting = Schema.Struct({
  accounts: ConfigSchemas.ByAccount(
    Schema.Struct({
      greeting: Schema.String,
      pattern: Schema.optional(ConfigSchemas.Pattern),
      pause: Schema.optional(ConfigSchemas.Duration),
    }),
  ),
})

const problems = (file: string, text: string) =>
  Either.match(parseRules(Greeting, file, text), {
    onLeft: (e) => e.message,
    onRight: () => "valid",
  })

describe("rules files", () => {
  it("reads JSON and YAML by extension", () => {
    const yaml = parseRules(
      Greeting,
      "rules.yaml",
      'accounts:\n  "*":\n    greeting: hi\n    pause: 30 seconds\n',
    )
    expect(Either.getOrThrow(yaml).accounts["*"]?.greeting).toBe("hi")
    const json = parseRules(
      Greeting,
      "rules.json",
      JSON.stringify({ accounts: { bot1: { greeting: "hello" } } }),
    )
    expect(Either.getOrThrow(json).accounts["bot1"]?.greeting).toBe("hello")
  })

  it("refuses a bad file with a message naming each bad field", () => {
    expect(problems("r.json", JSON.stringify({ accounts: { bot1: { greeting: 3 } } }))).toMatch(
      /accounts\.bot1\.greeting: Expected string, actual 3/,
    )
    expect(
      problems("r.json", JSON.stringify({ accounts: { "*": { greeting: "hi", pattern: "(" } } })),
    ).toMatch(/accounts\.\*\.pattern: invalid regular expression/)
    expect(problems("r.yaml", 'accounts:\n  "*":\n    greeting: hi\n    pause: soon\n')).toMatch(
      /accounts\.\*\.pause: "soon" is not a duration/,
    )
    expect(problems("r.yaml", 'accounts:\n  "*":\n    greting: hi\n')).toMatch(
      /accounts\.\*\.greting: is unexpected/,
    )
    expect(problems("r.json", "{ nope")).toMatch(/r\.json: not valid JSON/)
  })

  it("reloads the rules when the file changes and keeps them on a bad edit", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "wxfleet-rules-")), "rules.json")
    const write = async (value: unknown) => {
      // As editors do: write a temporary file, then rename it over the old one.
      await writeFile(`${file}.tmp`, typeof value === "string" ? value : JSON.stringify(value))
      await rename(`${file}.tmp`, file)
    }
    await write({ accounts: { "*": { greeting: "one" } } })
    const program = Effect.gen(function* () {
      const rules = yield* watchRules(Greeting, file)
      const next = (when: (r: Rules<typeof Greeting.Type>) => boolean) =>
        rules.changes.pipe(
          Stream.filter(when),
          Stream.runHead,
          Effect.map(Option.getOrThrow),
          Effect.timeout("5 seconds"),
        )
      expect((yield* SubscriptionRef.get(rules)).current.accounts["*"]?.greeting).toBe("one")

      yield* Effect.promise(() => write({ accounts: { "*": { greeting: "two" } } }))
      const two = yield* next((r) => r.current.accounts["*"]?.greeting === "two")
      expect(Option.isNone(two.problem)).toBe(true)

      yield* Effect.promise(() => write({ accounts: { "*": { greeting: ["three"] } } }))
      const refused = yield* next((r) => Option.isSome(r.problem))
      expect(refused.current.accounts["*"]?.greeting).toBe("two")
      expect(Option.getOrThrow(refused.problem)).toMatch(/accounts\.\*\.greeting/)
    })
    await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(NodeContext.layer)))
  })

  it("fails at start on a bad file, so a worker never runs without rules", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "wxfleet-rules-")), "rules.yml")
    await writeFile(file, "accounts: []\n")
    const error = await Effect.runPromise(
      watchRules(Greeting, file).pipe(
        Effect.scoped,
        Effect.flip,
        Effect.provide(NodeContext.layer),
      ),
    )
    expect(error.message).toMatch(/rules\.yml: accounts: Expected/)
  })
})
