/**
 * The server writes emoji in names and texts as `<span class="emoji emoji1f604"></span>`: the
 * lower-case hex of the code points, concatenated without separators. Sometimes the closing `>`
 * is missing (a server bug itchat works around), so it is optional here.
 */
const EMOJI_SPAN = /<span class="emoji emoji([0-9a-fA-F]+)"><\/span>?/g

/** The server sends cat faces for some smileys; itchat's table maps them back. */
const REMAP: ReadonlyMap<string, string> = new Map([
  ["1f63c", "1f601"],
  ["1f639", "1f602"],
  ["1f63a", "1f603"],
  ["1f4ab", "1f616"],
  ["1f64d", "1f614"],
  ["1f63b", "1f60d"],
  ["1f63d", "1f618"],
  ["1f64e", "1f621"],
  ["1f63f", "1f622"],
])

/** A keycap (`#`, `*`, a digit, then U+20E3) starts with a 2-hex code point. */
const KEYCAP = /^(?:23|2a|3[0-9])20e3/

/** Width of the next code point: 5 hex in the supplementary planes (1xxxx, tags e00xx), 2 for a keycap base, else 4. */
const nextWidth = (hex: string): number =>
  KEYCAP.test(hex)
    ? 2
    : hex.startsWith("1") || hex.startsWith("e00")
      ? Math.min(5, hex.length)
      : Math.min(4, hex.length)

/** Splits the concatenated hex back into code points; a short code is one code point (`a9`, `2764`, `1f604`). */
const codePoints = (hex: string): ReadonlyArray<number> => {
  if (hex.length <= 5) return [parseInt(hex, 16)]
  const points: Array<number> = []
  for (let rest = hex; rest.length > 0;) {
    const width = nextWidth(rest)
    points.push(parseInt(rest.slice(0, width), 16))
    rest = rest.slice(width)
  }
  return points
}

const isScalar = (point: number): boolean => point <= 0x10ffff && (point < 0xd800 || point > 0xdfff)

/** Replaces every emoji span with the emoji itself; a span that names no character is left as it was. */
export const emojiToUnicode = (text: string): string =>
  text.replace(EMOJI_SPAN, (span, code: string) => {
    const hex = code.toLowerCase()
    const points = codePoints(REMAP.get(hex) ?? hex)
    return points.every(isScalar) ? String.fromCodePoint(...points) : span
  })
