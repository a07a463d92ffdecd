import * as FileSystem from "@effect/platform/FileSystem"
import { basename, dirname, extname } from "node:path"
import {
  Data,
  Effect,
  Either,
  Option,
  ParseResult,
  Schema,
  Stream,
  SubscriptionRef,
  type Scope,
} from "effect"
import { parse as parseYaml } from "yaml"

/** A config file that cannot be read or does not validate; `problems` names each bad field. */
export class ConfigFileError extends Data.TaggedError("ConfigFileError")<{
  readonly file: string
  readonly problems: string
}> {
  override get message(): string {
    return `config file ${this.file}: ${this.problems}`
  }
}

export interface Rules<A> {
  /** The rules in force: the last version of the file that validated. */
  readonly current: A
  /** Why the file's latest edit was refused, while the rules before it stay in force. */
  readonly problem: Option.Option<string>
  /** How many versions of the file were loaded. */
  readonly version: number
}

const isYaml = (file: string): boolean => [".yaml", ".yml"].includes(extname(file).toLowerCase())

/** `accounts.bot1.rules.0.regex: …`, one line per bad field. */
const describe = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map(
      (issue) =>
        `${issue.path.length === 0 ? "(top level)" : issue.path.join(".")}: ${issue.message}`,
    )
    .join("; ")

/** Parses a JSON or YAML (by extension) config text and validates it, naming every bad field. */
export const parseRules = <A, I>(
  schema: Schema.Schema<A, I>,
  file: string,
  text: string,
): Either.Either<A, ConfigFileError> => {
  const fail = (problems: string) => Either.left(new ConfigFileError({ file, problems }))
  let value: unknown
  try {
    value = isYaml(file) ? parseYaml(text) : JSON.parse(text)
  } catch (error) {
    return fail(
      `not valid ${isYaml(file) ? "YAML" : "JSON"}: ${error instanceof Error ? error.message : String(error)}`,
    )
  }
  return Either.mapLeft(
    Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(value),
    (error) => new ConfigFileError({ file, problems: describe(error) }),
  )
}

const load = <A, I>(schema: Schema.Schema<A, I>, file: string) =>
  FileSystem.FileSystem.pipe(
    Effect.flatMap((fs) => fs.readFileString(file)),
    Effect.mapError((error) => new ConfigFileError({ file, problems: error.message })),
    Effect.flatMap((text) => parseRules(schema, file, text)),
  )

/**
 * The rules of a config file, reloaded whenever the file changes (editors that save by renaming
 * included: the directory is watched). A bad edit is logged and the rules before it stay in
 * force; a bad file at start fails, so a worker never runs without valid rules.
 */
export const watchRules = <A, I>(
  schema: Schema.Schema<A, I>,
  file: string,
): Effect.Effect<
  SubscriptionRef.SubscriptionRef<Rules<A>>,
  ConfigFileError,
  FileSystem.FileSystem | Scope.Scope
> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const rules = yield* SubscriptionRef.make<Rules<A>>({
      current: yield* load(schema, file),
      problem: Option.none(),
      version: 1,
    })
    const reload = load(schema, file).pipe(
      Effect.matchEffect({
        onSuccess: (current) =>
          SubscriptionRef.update(rules, (r) => ({
            current,
            problem: Option.none(),
            version: r.version + 1,
          })).pipe(Effect.zipRight(Effect.logInfo(`reloaded ${file}`))),
        onFailure: (error) =>
          SubscriptionRef.update(rules, (r) => ({
            ...r,
            problem: Option.some(error.problems),
          })).pipe(Effect.zipRight(Effect.logError(`kept the previous rules: ${error.message}`))),
      }),
    )
    yield* fs.watch(dirname(file)).pipe(
      Stream.filter((event) => basename(event.path) === basename(file)),
      // One save is often several events (truncate, write, rename): read the file once they settle.
      Stream.debounce("100 millis"),
      Stream.runForEach(() => reload),
      Effect.catchAll((error) =>
        Effect.logError(`stopped watching ${file}; restart to load edits`, error),
      ),
      Effect.forkScoped,
    )
    return rules
  })

/** The section for `account`, else the one for every account (`"*"`). */
export const sectionFor = <A>(
  sections: Readonly<Record<string, A>>,
  account: string,
): A | undefined => sections[account] ?? sections["*"]
