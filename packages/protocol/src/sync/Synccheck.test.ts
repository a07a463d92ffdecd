import { assert, describe, it } from "vitest"
import { formValue, synccheckUrl } from "./Synccheck.js"
import type { SessionData } from "../session/WxSession.js"

const viaSearchParams = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)

describe("formValue", () => {
  it("writes a value as URLSearchParams does", () => {
    for (const value of ["", "abc", "@crypt_3a1b_ff", "a+b/c=", "1_636|2_637", "a b", "!'()~*-._", "你好 👋", "\ud800x", "%41&=#?"])
      assert.strictEqual(formValue(value), viaSearchParams(value), value)
  })

  it("agrees with URLSearchParams on random strings", () => {
    const chars = ["a", "Z", "0", " ", "+", "@", "|", "%", "!", "'", "(", "~", "*", "&", "=", "é", "你", "\ud83d", "\udc4b", "_", "-", "."]
    let seed = 7
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    for (let i = 0; i < 5_000; i++) {
      let value = ""
      for (let j = random(10); j > 0; j--) value += chars[random(chars.length)]
      assert.strictEqual(formValue(value), viaSearchParams(value), JSON.stringify(value))
    }
  })
})

describe("synccheckUrl", () => {
  it("has the official client's parameters, in its order, encoded as a form", () => {
    const data = {
      skey: "@crypt_3a1b_ff",
      sid: "Ab+c/",
      uin: "123",
      syncKey: { Count: 2, List: [{ Key: 1, Val: 636 }, { Key: 2, Val: 637 }] },
    } as unknown as SessionData
    const url = new URL(synccheckUrl(data, "webpush.wx2.qq.com", 1_700_000_000_000))
    assert.strictEqual(url.origin + url.pathname, "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck")
    assert.deepEqual([...url.searchParams.keys()], ["r", "skey", "sid", "uin", "deviceid", "synckey", "_"])
    assert.strictEqual(url.searchParams.get("skey"), "@crypt_3a1b_ff")
    assert.strictEqual(url.searchParams.get("sid"), "Ab+c/")
    assert.strictEqual(url.searchParams.get("synckey"), "1_636|2_637")
    assert.strictEqual(url.searchParams.get("r"), "1700000000000")
    assert.match(url.searchParams.get("deviceid")!, /^e\d{15}$/)
    assert.include(url.search, "skey=%40crypt_3a1b_ff&sid=Ab%2Bc%2F&")
  })
})
