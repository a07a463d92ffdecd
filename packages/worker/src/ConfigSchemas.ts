import { Duration as D, Option, ParseResult, Schema } from "effect"

/** `"30 seconds"`, `"500 millis"`, `"2 minutes"`: an Effect duration as text. */
export const Duration = Schema.transformOrFail(Schema.String, Schema.DurationFromSelf, {
  strict: true,
  decode: (text, _, ast) =>
    Option.match(D.decodeUnknown(text.trim()), {
      onNone: () =>
        ParseResult.fail(
          new ParseResult.Type(ast, text, `"${text}" is not a duration such as "30 seconds"`),
        ),
      onSome: ParseResult.succeed,
    }),
  encode: (duration) => ParseResult.succeed(D.format(duration)),
})

/** A regular expression's source, checked to compile. */
export const Pattern = Schema.String.pipe(
  Schema.filter((source) => {
    try {
      new RegExp(source, "u")
      return true
    } catch (error) {
      return `invalid regular expression: ${error instanceof Error ? error.message : String(error)}`
    }
  }),
)

/** Sections by account id, or `"*"` for every account without its own. */
export const ByAccount = <A, I, R>(section: Schema.Schema<A, I, R>) =>
  Schema.Record({ key: Schema.String, value: section })
