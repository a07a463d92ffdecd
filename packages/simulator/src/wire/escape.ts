/** How the server escapes text it puts into `Content`: `&`, `<`, `>` as entities, newlines as `<br/>`. */
export const escapeContent = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\n/g, "<br/>")

/** XML-bearing contents are escaped as above after their own XML escaping, so `&amp;` becomes `&amp;amp;`. */
export const escapeXmlText = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** The wire form of an emoji in names and text: lower-case hex code points, no separators. */
export const emojiSpan = (emoji: string): string =>
  `<span class="emoji emoji${Array.from(emoji)
    .map((c) => c.codePointAt(0)!.toString(16))
    .filter((hex) => hex !== "fe0f")
    .join("")}"></span>`

/** Replaces every emoji of `text` with its wire span, as the server does for names and messages. */
export const withEmojiSpans = (text: string): string =>
  text.replace(/\p{Extended_Pictographic}(\u200d\p{Extended_Pictographic})*\ufe0f?|\p{Regional_Indicator}{2}/gu, (m) =>
    emojiSpan(m),
  )
