import { describe, expect, it } from "@effect/vitest"
import { emojiToUnicode } from "../src/text/emoji.js"
import { decodeEntities } from "../src/text/entities.js"

const span = (code: string) => `<span class="emoji emoji${code}"></span>`

describe("emojiToUnicode", () => {
  it("turns single code points of 2, 4 and 5 hex digits into the emoji", () => {
    expect(emojiToUnicode(`吃圡死月不會碼代碼${span("1f31b")}`)).toBe("吃圡死月不會碼代碼🌛")
    expect(emojiToUnicode(`I ${span("2764")} you ${span("a9")}`)).toBe("I ❤ you ©")
  })

  it("splits multi-code-point spans: flags (5+5) and keycaps (2+4)", () => {
    expect(emojiToUnicode(span("1f1e81f1f3"))).toBe("🇨🇳")
    expect(emojiToUnicode(span("2320e3"))).toBe("#\u20e3")
    expect(emojiToUnicode(span("3120e3"))).toBe("1\u20e3")
  })

  it("splits ZWJ sequences as the server concatenates them", () => {
    expect(emojiToUnicode(span("1f468200d1f469200d1f467"))).toBe("👨\u200d👩\u200d👧")
  })

  it("maps the cat faces the server sends back to the smileys (itchat's table)", () => {
    expect(emojiToUnicode(span("1f639"))).toBe("😂")
    expect(emojiToUnicode(span("1f63c"))).toBe("😁")
    expect(emojiToUnicode(span("1f64d"))).toBe("😔")
    expect(emojiToUnicode(span("1f604"))).toBe("😄")
  })

  it("tolerates the server bug that drops the closing `>`", () => {
    expect(emojiToUnicode(`a<span class="emoji emoji1f450"></span b`)).toBe("a👐 b")
    expect(emojiToUnicode(`${span("1f604")}<span class="emoji emoji1f604"></span`)).toBe("😄😄")
  })

  it("leaves other markup and a span naming no character untouched", () => {
    expect(emojiToUnicode(`<span class="x">hi</span>`)).toBe(`<span class="x">hi</span>`)
    expect(emojiToUnicode(span("d800"))).toBe(span("d800"))
  })
})

describe("decodeEntities", () => {
  it("decodes named, decimal and hex entities", () => {
    expect(decodeEntities("Tom &amp; Jerry &lt;3 &quot;x&quot; &#39;y&#39; &#x1F604; &nbsp;")).toBe(
      `Tom & Jerry <3 "x" 'y' 😄 \u00a0`,
    )
  })

  it("decodes exactly once (double escaping keeps one level)", () => {
    expect(decodeEntities("a&amp;amp;b &amp;lt;msg&amp;gt;")).toBe("a&amp;b &lt;msg&gt;")
  })

  it("keeps unknown entities, bare ampersands and invalid code points as written", () => {
    expect(decodeEntities("R&D &bogus; &#0; &#xD800; &constructor;")).toBe("R&D &bogus; &#0; &#xD800; &constructor;")
  })
})
