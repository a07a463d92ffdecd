import { assert, describe, it } from "@effect/vitest"
import { findMentions, mentionsAnyOf } from "./mentions.js"

describe("findMentions", () => {
  it("reads names ended by U+2005, anywhere in the text", () => {
    assert.deepStrictEqual(findMentions("@小明\u2005@Bruce LEE\u2005晚上好"), ["小明", "Bruce LEE"])
    assert.deepStrictEqual(findMentions("你好@Alice😄\u2005, see mail a@b.com"), ["Alice😄"])
  })

  it("reads a last mention that ends the text", () => {
    assert.deepStrictEqual(findMentions("早 @SToneX"), ["SToneX"])
    assert.deepStrictEqual(findMentions("@SToneX"), ["SToneX"])
    assert.deepStrictEqual(findMentions("@小明\u2005@所有人"), ["小明", "所有人"])
  })

  it("does not take addresses or a lone @ for mentions", () => {
    assert.deepStrictEqual(findMentions("write to a@b.com"), [])
    assert.deepStrictEqual(findMentions("@\u2005 @ "), [])
    assert.deepStrictEqual(findMentions(""), [])
  })
})

describe("mentionsAnyOf", () => {
  it("matches a found mention or a known name with spaces that ends the text", () => {
    assert.isTrue(mentionsAnyOf("@SToneX\u2005hi", ["SToneX"], ["Bot", "SToneX"]))
    assert.isTrue(mentionsAnyOf("hi @Bruce LEE", ["Bruce"], ["Bruce LEE"]))
    assert.isFalse(mentionsAnyOf("@SToneXY\u2005hi", ["SToneXY"], ["SToneX"]))
    assert.isFalse(mentionsAnyOf("@\u2005", [], [""]))
  })
})
