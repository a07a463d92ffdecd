import { Either } from "effect"

/**
 * `NewMsgId` arrives as a bare integer above 2^53, which `JSON.parse` rounds: every
 * `"NewMsgId":<digits>` is read as if its digits were quoted, so every digit survives (as a
 * string, like `MsgId`).
 */
const BIG_ID = /"NewMsgId"\s*:\s*(\d+)/g

/** `.`, `E`, `e` */
const FRACTION_OR_EXPONENT = new Set([0x2e, 0x45, 0x65])
const DIGIT_4 = 0x34
const DIGIT_7 = 0x37

const parseWith = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (error) {
    return Either.left(`invalid JSON: ${(error as Error).message}`)
  }
}

/** The reference reading: quote each id's digits in a copy of the text, then parse the copy. */
const parseQuoting = (text: string): Either.Either<unknown, string> =>
  parseWith(text.replace(BIG_ID, `"NewMsgId":"$1"`))

/**
 * The digits of each `BIG_ID` match in the text, in order; undefined when one is followed by a
 * fraction or an exponent, which parses bare but not once the digits are quoted.
 */
const plainIds = (text: string): ReadonlyArray<string> | undefined => {
  const ids: Array<string> = []
  for (const match of text.matchAll(BIG_ID)) {
    if (FRACTION_OR_EXPONENT.has(text.charCodeAt(match.index + match[0].length))) return undefined
    ids.push(match[1]!)
  }
  return ids
}

/** Whether a `\u00XX` escape spells a letter: it could write a key "NewMsgId" that `BIG_ID` misses. */
const hasEscapedLetter = (text: string): boolean => {
  for (let at = text.indexOf("\\u00"); at >= 0; at = text.indexOf("\\u00", at + 1)) {
    const high = text.charCodeAt(at + 4)
    if (high >= DIGIT_4 && high <= DIGIT_7) return true
  }
  return false
}

/**
 * Puts the n ids' digits into `NewMsgId` of the first n `AddMsgList` entries of an answer parsed
 * as it came, when that is certainly what quoting them first gives: when each of these entries
 * holds a number that starts with a digit (not negative, not -0). Its key is then written
 * plainly (no escaped letters), so it is a `BIG_ID` match of its own; n entries take all n
 * matches, in order, and no match is left anywhere else (in a nested object, a repeated key).
 */
const restoreIds = (json: unknown, ids: ReadonlyArray<string>): boolean => {
  const entries = (json as { readonly AddMsgList?: unknown } | null)?.AddMsgList
  if (!Array.isArray(entries)) return false
  for (let i = 0; i < ids.length; i++) {
    const id = (entries[i] as { readonly NewMsgId?: unknown } | null)?.NewMsgId
    if (typeof id !== "number" || id < 0 || Object.is(id, -0)) return false
  }
  for (let i = 0; i < ids.length; i++) (entries[i] as { NewMsgId: string }).NewMsgId = ids[i]!
  return true
}

/**
 * Parses a server's JSON answer with every `NewMsgId` as a string of digits. A webwxsync answer
 * is parsed as it came and its ids put back, since copying a body of 64 KiB or more into a new
 * (quoted) string costs about as much as parsing it; anything unusual is read the reference way,
 * which also gives malformed JSON its error.
 */
export const parseServerJson = (text: string): Either.Either<unknown, string> => {
  const ids = plainIds(text)
  if (ids?.length === 0) return parseWith(text)
  if (ids === undefined || hasEscapedLetter(text)) return parseQuoting(text)
  const parsed = parseWith(text)
  return Either.isRight(parsed) && restoreIds(parsed.right, ids) ? parsed : parseQuoting(text)
}
