import { assert, describe, it } from "@effect/vitest"
import { MalformedResponse, redactSecrets, UnexpectedStatus } from "./Errors.js"

describe("secrets in errors", () => {
  it("masks the login XML's keys, JSON keys and query parameters", () => {
    const xml = "<error><ret>0</ret><skey>@crypt_1_2</skey><wxsid>ab/cd</wxsid><pass_ticket>x%2B</pass_ticket></error>"
    assert.strictEqual(
      redactSecrets(xml),
      "<error><ret>0</ret><skey>***</skey><wxsid>***</wxsid><pass_ticket>***</pass_ticket></error>",
    )
    assert.strictEqual(redactSecrets(`{"Sid":"s","Skey":"k","Uin":1}`), `{"Sid":"***","Skey":"***","Uin":1}`)
    assert.strictEqual(redactSecrets("/synccheck?skey=%40c&sid=a%2Fb&uin=1"), "/synccheck?skey=***&sid=***&uin=1")
  })

  it("keeps malformed bodies for diagnosis without their secrets", () => {
    const error = new MalformedResponse({ endpoint: "webwxnewloginpage", host: "wx.qq.com", reason: "x", raw: "<skey>@crypt_s</skey><broken" })
    assert.notInclude(error.raw, "@crypt_s")
    assert.notInclude(error.message, "@crypt_s")
    assert.notInclude(new UnexpectedStatus({ endpoint: "e", host: "h", status: 500, raw: "pass_ticket=abc" }).raw, "abc")
  })
})
