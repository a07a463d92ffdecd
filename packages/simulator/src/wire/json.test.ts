import { assert, describe, it } from "vitest"
import { writeWireJson } from "./json.js"

describe("writeWireJson", () => {
  it("writes bigints bare, so a uint64 above 2^53 keeps every digit", () => {
    assert.strictEqual(writeWireJson({ NewMsgId: 6599448710267926107n }), `{"NewMsgId":6599448710267926107}`)
  })

  it("puts a newline before the comma that follows a nested object or array, as the server does", () => {
    assert.strictEqual(
      writeWireJson({ BaseResponse: { Ret: 0 }, List: [{ a: 1 }, { b: 2 }], Count: 2 }),
      `{"BaseResponse":{"Ret":0}\n,"List":[{"a":1}\n,{"b":2}]\n,"Count":2}`,
    )
  })

  it("keeps raw UTF-8 and skips undefined keys", () => {
    assert.strictEqual(writeWireJson({ NickName: "文件传输助手", Gone: undefined, Ok: true }), `{"NickName":"文件传输助手","Ok":true}`)
  })

  it("writes what JSON.stringify writes, but for the newlines before commas", () => {
    const value = {
      Str: "quote \" backslash \\ newline \n tab \t \u0001 emoji 😀",
      Num: -12.5e-3,
      NaN: Number.NaN,
      Inf: Number.POSITIVE_INFINITY,
      Nil: null,
      Arr: [1, undefined, null, "x", [true, false], { deep: [{}] }],
      Empty: { list: [], object: {} },
      "key \"quoted\"": 1,
    }
    assert.strictEqual(writeWireJson(value).replaceAll("\n,", ","), JSON.stringify(value))
  })
})
