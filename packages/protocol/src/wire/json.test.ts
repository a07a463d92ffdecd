import { assert, describe, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { parseServerJson } from "./json.js"

/** What `parseServerJson` must give: each `"NewMsgId":<digits>` quoted in the text, then JSON.parse. */
const quotingFirst = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text.replace(/"NewMsgId"\s*:\s*(\d+)/g, `"NewMsgId":"$1"`)))
  } catch (error) {
    return Either.left(`invalid JSON: ${(error as Error).message}`)
  }
}

const assertSameAsQuotingFirst = (text: string) =>
  assert.deepStrictEqual(parseServerJson(text), quotingFirst(text), text)

const BIG = "1234567890123456789"

/** A webwxsync answer around the given AddMsgList entries (JSON text each). */
const answer = (entries: ReadonlyArray<string>, rest = `"ModContactList":[]`) =>
  `{"BaseResponse":{"Ret":0,"ErrMsg":""},"AddMsgCount":${entries.length},"AddMsgList":[${entries.join(",")}],${rest},"ContinueFlag":0}`

const text = (id: string, content = "hi") =>
  `{"MsgId":"${BIG}","FromUserName":"@a","Content":${JSON.stringify(content)},"NewMsgId":${id}}`

describe("parseServerJson", () => {
  it("keeps every digit of NewMsgId above 2^53, as a string", () => {
    const parsed = parseServerJson(answer([text(BIG), text("9007199254740993")]))
    assert(Either.isRight(parsed))
    const entries = (parsed.right as { AddMsgList: ReadonlyArray<{ NewMsgId: unknown }> }).AddMsgList
    assert.deepStrictEqual(
      entries.map((entry) => entry.NewMsgId),
      [BIG, "9007199254740993"],
    )
  })

  it("reads awkward answers as quoting first does", () => {
    const awkward = [
      answer([]),
      answer([text("0"), text("7"), text("-5"), text("-0")]),
      answer([text(" \n\t 42"), `{"NewMsgId" :\t${BIG} }`, `{"NewMsgId"\n:\n${BIG}}`]),
      answer([text(BIG, `say "NewMsgId":1 and \\"NewMsgId\\":2`)]),
      answer([`{"x\\"NewMsgId":${BIG}}`, text(BIG)]),
      answer([`{"New\\u004dsgId":${BIG}}`, text(BIG)]),
      answer([`{"New\\u004DsgId":5,"NewMsgId":${BIG}}`]),
      answer([`{"New\\u004dsgId":5}`, `{"NewMsgId":1,"NewMsgId":5}`]),
      answer([`{"NewMsgId":-0}`, `{"NewMsgId":0,"NewMsgId":5}`]),
      answer([`{"NewMsgId":-5}`, `{"NewMsgId":1,"NewMsgId":2}`]),
      answer([text("1.0"), text("2e0")]),
      answer([`{"NewMsgId":${BIG},"NewMsgId":${BIG}1}`]),
      answer([`{"NewMsgId":${BIG},"NewMsgId":-1}`, text("3")]),
      answer([`{"NewMsgId":${BIG},"RecommendInfo":{"NewMsgId":${BIG}}}`, text("1")]),
      answer([text(BIG)], `"ModContactList":[{"NewMsgId":${BIG}}]`),
      answer([text(BIG), `{"MsgId":"1"}`]),
      answer([text(BIG), `"not an entry"`, `[1]`, `null`]),
      answer([text(`${BIG}.5`), text(`${BIG}e3`), text(`${BIG}E-2`)]),
      answer([text("0123")]),
      answer([text(`\u00a0${BIG}`)]),
      `{"AddMsgList":[${text("1")}],"AddMsgList":[${text("2")}]}`,
      `{"a":{"NewMsgId":1},"b":{"NewMsgId":2},"a":{"NewMsgId":3}}`,
      `[${text(BIG)}]`,
      `{"NewMsgId":${BIG}}`,
      `"NewMsgId"`,
      `null`,
      `{"Ret":0,"msg":"\\u0041 \\u4e2d"}`,
    ]
    for (const body of awkward) assertSameAsQuotingFirst(body)
  })

  it("fails malformed JSON with the same reason as quoting first, whatever it holds", () => {
    const malformed = [
      "",
      "<html>502 Bad Gateway</html>",
      answer([text(BIG)]).slice(0, -1),
      answer([text(BIG)]).slice(0, 60),
      answer([text(BIG), text("12.")]),
      answer([text(`${BIG}x`)]),
      `{"NewMsgId":${BIG},}`,
    ]
    for (const body of malformed) {
      assert(Either.isLeft(parseServerJson(body)), body)
      assertSameAsQuotingFirst(body)
    }
  })

  it("reads generated answers as quoting first does", () => {
    const id = fc.oneof(
      fc.bigInt({ min: 0n, max: 10n ** 20n }).map(String),
      fc.integer({ min: -1000, max: 1000 }).map(String),
      fc.constantFrom("-0", "0.5", "1e3", "00", `${BIG}.0`, `\u00a0${BIG}`, ` ${BIG}`, `"${BIG}"`, "null"),
    )
    const entry = fc.oneof(
      { weight: 6, arbitrary: fc.tuple(id, fc.string()).map(([id, content]) => text(id, content)) },
      { weight: 1, arbitrary: id.map((id) => `{"RecommendInfo":{"NewMsgId":${id}},"NewMsgId":${id}}`) },
      { weight: 1, arbitrary: id.map((id) => `{"NewMsgId":${id},"NewMsgId":${id}}`) },
      { weight: 1, arbitrary: id.map((id) => `{"New\\u004dsgId":${id}}`) },
      { weight: 1, arbitrary: fc.constantFrom(`{}`, `[]`, `1`, `"NewMsgId"`, `{"x\\"NewMsgId":1}`) },
    )
    const body = fc
      .tuple(fc.array(entry, { maxLength: 6 }), fc.option(id), fc.nat({ max: 3 }))
      .map(([entries, extra, cut]) => {
        const full = answer(entries, extra === null ? `"SKey":""` : `"ModContactList":[{"NewMsgId":${extra}}]`)
        return cut === 0 ? full.slice(0, full.length - 5) : full
      })
    fc.assert(fc.property(body, assertSameAsQuotingFirst), { numRuns: 2_000 })
  })
})
