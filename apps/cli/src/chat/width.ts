/**
 * Terminal display width: CJK and emoji take two columns, combining marks none. Every line the
 * chat screen draws is cut and padded with these, so an 80-column layout never wraps.
 */

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** East Asian Wide and Fullwidth blocks, and emoji shown as pictures: two columns. */
const WIDE =
  /^[\p{Emoji_Presentation}\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE10-\uFE19\uFE30-\uFE6F\uFF00-\uFF60\uFFE0-\uFFE6\u{17000}-\u{18AFF}\u{1B000}-\u{1B2FF}\u{1F200}-\u{1F2FF}\u{20000}-\u{3FFFD}]/u

/** Marks, format characters and controls on their own: no column. */
const ZERO = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]/u

/** What a message may carry that would move the cursor or recolour the terminal. */
const CONTROLS = /(?!\n)\p{Cc}|[\u202A-\u202E\u2066-\u2069]/gu

/** The user-perceived characters of `text` (an emoji sequence or a letter with its accents is one). */
export const graphemes = (text: string): Array<string> =>
  Array.from(graphemeSegmenter.segment(text), (s) => s.segment)

/** Columns one grapheme takes. */
export const graphemeWidth = (grapheme: string): number =>
  ZERO.test(grapheme) ? 0 : WIDE.test(grapheme) ? 2 : 1

/** Columns `text` takes on one line (no newlines or controls: see `sanitize`). */
export const displayWidth = (text: string): number => {
  let width = 0
  for (const { segment } of graphemeSegmenter.segment(text)) width += graphemeWidth(segment)
  return width
}

/** Text from the network made safe to print: tabs become spaces, CR LF a newline, other controls go. */
export const sanitize = (text: string): string =>
  text.replace(/\r\n?/g, "\n").replace(/\t/g, "    ").replace(CONTROLS, "")

/** `sanitize`, and newlines shown as spaces: for one-line places (names, the list). */
export const oneLine = (text: string): string => sanitize(text).replace(/\n+/g, " ")

/** At most `width` columns of `text`, ending in `…` when it was cut. */
export const truncate = (text: string, width: number, ellipsis = "…"): string => {
  if (width <= 0) return ""
  if (displayWidth(text) <= width) return text
  const room = width - displayWidth(ellipsis)
  let out = ""
  let used = 0
  for (const g of graphemes(text)) {
    const w = graphemeWidth(g)
    if (used + w > room) break
    out += g
    used += w
  }
  return room < 0 ? "" : out + ellipsis
}

/** Exactly `width` columns: cut (with `…`) or padded with spaces. */
export const fit = (text: string, width: number): string => {
  const cut = truncate(text, width)
  return cut + " ".repeat(Math.max(0, width - displayWidth(cut)))
}

/**
 * Lines of at most `width` columns: newlines are kept, long lines break before a word that does
 * not fit, or anywhere in CJK text (which has no spaces) and in words longer than a line.
 */
export const wrap = (text: string, width: number): Array<string> => {
  if (width <= 0) return []
  const lines: Array<string> = []
  for (const paragraph of text.split("\n")) {
    let line: Array<string> = []
    let used = 0
    for (const g of graphemes(paragraph)) {
      const w = graphemeWidth(g)
      if (used + w > width) {
        const space = line.lastIndexOf(" ")
        // Only a word of narrow letters moves down whole: CJK text breaks between any two characters.
        const inWord =
          space > 0 &&
          g !== " " &&
          [g, ...line.slice(space + 1)].every((x) => graphemeWidth(x) === 1)
        if (inWord) {
          lines.push(line.slice(0, space).join(""))
          line = line.slice(space + 1)
        } else {
          lines.push(line.join(""))
          line = []
        }
        if (g === " " && line.length === 0) {
          used = 0
          continue
        }
        used = line.reduce((sum, x) => sum + graphemeWidth(x), 0)
      }
      line.push(g)
      used += w
    }
    lines.push(line.join(""))
  }
  return lines
}
