import { assert, describe, it } from "vitest"
import { classifyHost, defaultWebpushHosts } from "./hosts.js"

describe("classifyHost", () => {
  it("tells login, API, file and webpush hosts apart and ties them to their home", () => {
    assert.deepStrictEqual(classifyHost("login.wx.qq.com"), { host: "login.wx.qq.com", kind: "login", home: undefined })
    assert.deepStrictEqual(classifyHost("wx2.qq.com"), { host: "wx2.qq.com", kind: "api", home: "wx2.qq.com" })
    assert.deepStrictEqual(classifyHost("file.wx8.qq.com"), { host: "file.wx8.qq.com", kind: "file", home: "wx8.qq.com" })
    assert.deepStrictEqual(classifyHost("webpush2.web.wechat.com"), {
      host: "webpush2.web.wechat.com",
      kind: "webpush",
      home: "web.wechat.com",
    })
    assert.strictEqual(classifyHost("webpush.weixin.qq.com")?.home, "wx.qq.com")
  })

  it("knows no other host", () => {
    assert.isUndefined(classifyHost("example.com"))
    assert.isUndefined(classifyHost("webpush.example.com"))
  })

  it("serves an account from its home's webpush hosts only", () => {
    assert.deepStrictEqual([...defaultWebpushHosts("wx2.qq.com")], ["webpush.wx2.qq.com", "webpush1.wx2.qq.com", "webpush2.wx2.qq.com"])
  })
})
