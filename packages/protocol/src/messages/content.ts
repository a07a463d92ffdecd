import { Either } from "effect"
import { emojiToUnicode } from "../text/emoji.js"
import { decodeEntities } from "../text/entities.js"
import { readable } from "../text/readable.js"
import { child, childText, parseXml, type XmlNode, type XmlValue } from "../wire/xml.js"

/** The official client's pattern (OFF:6187): the sender is a session `@` name or a bare wxid. */
const GROUP_PREFIX = /^(@[a-zA-Z0-9]+|[a-zA-Z0-9_-]+):<br\/>/

/** Splits `<sender>:<br/>` off a group message's Content; `sender` is undefined when there is none. */
export const splitGroupPrefix = (
  content: string,
): { readonly sender: string | undefined; readonly body: string } => {
  const match = GROUP_PREFIX.exec(content)
  return match
    ? { sender: match[1], body: content.slice(match[0].length) }
    : { sender: undefined, body: content }
}

/** `<br/>` is the server's newline. */
const newlines = (wire: string): string => wire.replace(/<br\/>/g, "\n")

/** Typed text (or a notice) as people read it: newlines, emoji spans, then entities decoded once. */
export const unescapeText = (wire: string): string => readable(newlines(wire))

/**
 * An XML-bearing Content (after its group prefix) parsed. The server escapes the XML once more, so one
 * entity decode gives the XML and the parser decodes the inner level (`&amp;amp;` → `&amp;` → `&`).
 */
export const contentXml = (wire: string): Either.Either<XmlNode, string> => {
  // Emoji spans go first: names in attributes carry them, and their quotes would end the attribute.
  const text = newlines(emojiToUnicode(wire)).trim()
  if (text === "") return Either.left("empty content")
  // Some senders' XML arrives unescaped; decoding it once more would break its own entities.
  const xml = text.startsWith("&lt;") ? decodeEntities(text) : text
  // A sender's own escaped `<br/>` (after a file's `</msg>`) is markup only after the decode.
  return parseXml(newlines(xml))
}

/** The element at the end of a path of child names. */
export const xmlPath = (
  node: XmlNode | undefined,
  ...names: ReadonlyArray<string>
): XmlNode | undefined => names.reduce((parent, name) => child(parent, name), node)

/** A child element's text or an attribute, without the layout whitespace around it. */
export const field = (node: XmlValue | undefined, name: string): string =>
  childText(node, name).trim()

/** A numeric field; 0 when absent or not a number. */
export const numberField = (node: XmlValue | undefined, name: string): number =>
  toNumber(field(node, name))

export const toNumber = (text: string): number => {
  const value = Number(text)
  return text.trim() !== "" && Number.isFinite(value) ? value : 0
}
