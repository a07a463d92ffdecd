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
})
