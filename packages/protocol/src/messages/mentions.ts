/** Clients end an @-mention with U+2005 (FOUR-PER-EM SPACE); the last one may end the text instead. */
const MENTION_END = "\u2005"

/** A mention closing the text: after a space or at the start, so "a@b.com" is not one. */
const TRAILING_MENTION = /(?:^|\s)@([^@\s]+)$/u

/** The names @-mentioned in a group text, in order, as written. */
export const findMentions = (text: string): ReadonlyArray<string> => {
  const names: Array<string> = []
  let start = 0
  for (let end = text.indexOf(MENTION_END); end !== -1; end = text.indexOf(MENTION_END, start)) {
    // The name is what follows the last `@` before the space (names rarely hold an `@`, text often does).
    const at = text.lastIndexOf("@", end)
    if (at >= start && at + 1 < end) names.push(text.slice(at + 1, end))
    start = end + 1
  }
  const trailing = TRAILING_MENTION.exec(text.slice(start))?.[1]
  if (trailing !== undefined) names.push(trailing)
  return names
}

/**
 * Whether the text mentions one of `selfNames` (nickname, group display names). A name with spaces
 * that ends the text is matched whole, which `findMentions` cannot do without knowing it.
 */
export const mentionsAnyOf = (
  text: string,
  mentions: ReadonlyArray<string>,
  selfNames: ReadonlyArray<string>,
): boolean =>
  selfNames.some((name) => name !== "" && (mentions.includes(name) || text.endsWith(`@${name}`)))
