import { describe, expect, it } from "vitest"
import { draftText, draftWindow, edit, emptyDraft, parseSubmission } from "../src/chat/composer.js"
import {
  displayWidth,
  fit,
  graphemes,
  oneLine,
  sanitize,
  truncate,
  wrap,
} from "../src/chat/width.js"

describe("displayWidth", () => {
  it("counts CJK, fullwidth forms and emoji as two columns, marks as none", () => {
    expect(displayWidth("abc")).toBe(3)
    expect(displayWidth("你好")).toBe(4)
    expect(displayWidth("한국어")).toBe(6)
    expect(displayWidth("ＡＢ")).toBe(4)
    expect(displayWidth("👍")).toBe(2)
    expect(displayWidth("👨‍👩‍👧")).toBe(2)
    expect(displayWidth("e\u0301")).toBe(1)
    expect(displayWidth("a\u200bb")).toBe(2)
    expect(displayWidth("")).toBe(0)
  })

  it("keeps emoji sequences and accented letters whole", () => {
    expect(graphemes("a👨‍👩‍👧e\u0301")).toEqual(["a", "👨‍👩‍👧", "e\u0301"])
  })
})

describe("truncate and fit", () => {
  it("cuts by columns with an ellipsis, never splitting a wide character", () => {
    expect(truncate("hello world", 8)).toBe("hello w…")
    expect(truncate("hello", 5)).toBe("hello")
    expect(truncate("你好世界", 6)).toBe("你好…")
    expect(truncate("你好世界", 5)).toBe("你好…")
    expect(truncate("abc", 0)).toBe("")
  })

  it("fits to exactly the width, padding what a wide character leaves", () => {
    for (const text of ["", "abc", "你好世界你好世界", "a你b好c", "👍👍👍👍"])
      for (const width of [1, 2, 5, 6, 7, 10])
        expect(displayWidth(fit(text, width)), `${text} in ${width}`).toBe(width)
    expect(fit("你好世界", 4)).toBe("你… ")
  })
})

describe("wrap", () => {
  it("breaks at spaces when it can and anywhere in CJK, each line within the width", () => {
    expect(wrap("the quick brown fox", 10)).toEqual(["the quick", "brown fox"])
    expect(wrap("你好世界你好", 5)).toEqual(["你好", "世界", "你好"])
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"])
    expect(wrap("one\ntwo", 10)).toEqual(["one", "two"])
    expect(wrap("名字: 全角文字全角文字", 8)).toEqual(["名字: 全", "角文字全", "角文字"])
    const mixed = "混合 mixed 文本 with 一些 English words 和中文字符在一起很长很长"
    for (const width of [3, 7, 12, 20])
      for (const line of wrap(mixed, width)) expect(displayWidth(line)).toBeLessThanOrEqual(width)
  })
})

describe("sanitize", () => {
  it("removes what would drive the terminal, keeps newlines", () => {
    expect(sanitize("a\u001b[2Jb\r\nc\td\u0007")).toBe("a[2Jb\nc    d")
    expect(oneLine("line one\nline two")).toBe("line one line two")
  })
})

describe("composer", () => {
  const typed = (text: string) => edit(emptyDraft, { _tag: "Insert", text })

  it("edits by grapheme: a CJK character or an emoji is one cursor step", () => {
    let draft = typed("你好👍")
    expect(draft.cursor).toBe(3)
    draft = edit(draft, { _tag: "Left" })
    draft = edit(draft, { _tag: "DeleteBack" })
    expect(draftText(draft)).toBe("你👍")
    draft = edit(edit(draft, { _tag: "Home" }), { _tag: "Insert", text: "a\nb" })
    expect(draftText(draft)).toBe("a b你👍")
    expect(draftText(edit(draft, { _tag: "Clear" }))).toBe("")
  })

  it("shows the part of a long line around the cursor within the width", () => {
    const draft = typed("一二三四五六七八九十")
    const { before, at, after } = draftWindow(draft, 9)
    expect(before).toBe("七八九十")
    expect(at).toBe(" ")
    expect(after).toBe("")
    const home = draftWindow(edit(draft, { _tag: "Home" }), 9)
    expect(home.before + home.at + home.after).toBe("一二三四")
    expect(home.at).toBe("一")
  })

  it("reads commands, and // as a text starting with /", () => {
    expect(parseSubmission("hello")).toEqual({ _tag: "Text", text: "hello" })
    expect(parseSubmission("//etc/hosts is a file")).toEqual({
      _tag: "Text",
      text: "/etc/hosts is a file",
    })
    expect(parseSubmission("/image ~/pics/cat 1.png")).toEqual({
      _tag: "Media",
      kind: "image",
      path: "~/pics/cat 1.png",
    })
    expect(parseSubmission("/file report.pdf")).toEqual({
      _tag: "Media",
      kind: "file",
      path: "report.pdf",
    })
    expect(parseSubmission("/revoke")).toEqual({ _tag: "Revoke" })
    expect(parseSubmission("/help")).toEqual({ _tag: "Help" })
    expect(parseSubmission("   ")).toEqual({ _tag: "Nothing" })
    expect(parseSubmission("/image")).toMatchObject({ _tag: "Invalid" })
    expect(parseSubmission("/frobnicate")).toMatchObject({ _tag: "Invalid" })
  })
})
