import { assert, describe, it } from "vitest"
import { splitUrl } from "./SplitUrl.js"

const whatwg = (url: string) => {
  const parsed = new URL(url)
  return { href: parsed.href, host: parsed.host, pathAndQuery: parsed.pathname + parsed.search }
}

describe("splitUrl", () => {
  it("reads the client's own URLs as WHATWG does", () => {
    for (const url of [
      "https://webpush.wx2.qq.com/cgi-bin/mmwebwx-bin/synccheck?r=1700000000000&skey=%40crypt_3a1b_ff&sid=Ab%2Bc%2F&uin=123&deviceid=e123456789012345&synckey=1_1%7C2_2&_=1700000000000",
      "https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxsync?sid=abc&skey=@crypt_1&pass_ticket=a%2Bb",
      "https://login.wx.qq.com/jslogin?appid=wx782c26e4c19acffb&fun=new&lang=zh_CN&_=1",
      "https://file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxgetmedia?sender=@abc&mediaid=x|y",
    ]) assert.deepEqual(splitUrl(url), whatwg(url), url)
  })

  it("gives what WHATWG gives for URLs a parse would change", () => {
    for (const url of [
      "https://WX2.qq.com/cgi-bin/x",
      "https://wx2.qq.com:443/x",
      "https://wx2.qq.com:8443/x?y=1",
      "https://wx2.qq.com/a/./b/../c",
      "https://wx2.qq.com/a/%2e%2E/c",
      "https://wx2.qq.com/a b?c d",
      "https://wx2.qq.com/a?b'c",
      "https://wx2.qq.com/a?",
      "https://wx2.qq.com",
      "https://wx2.qq.com/a#frag",
      "https://1.2.3/x",
      "https://0x7f.1/x",
      "https://xn--fiqs8s.cn/x",
      "https://微信.cn/x?q=你好",
      "https://user:pw@wx2.qq.com/x",
      "https://wx2.qq.com/{x}`",
    ]) assert.deepEqual(splitUrl(url), whatwg(url), url)
  })

  it("agrees with WHATWG on random URLs built from the characters that matter", () => {
    const pieces = ["a", "Z", "0", ".", "/", "%", "2e", "%2E", "?", "|", "'", "`", " ", "@", ":", "#", "-", "_", "~", "{", "é"]
    let seed = 42
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    for (let i = 0; i < 5_000; i++) {
      let rest = ""
      for (let j = random(12); j > 0; j--) rest += pieces[random(pieces.length)]
      const url = `https://${["wx.qq.com", "a-b.c", "x1.y2", "q"][random(4)]}/${rest}`
      let expected: ReturnType<typeof whatwg> | undefined
      try {
        expected = whatwg(url)
      } catch {
        assert.throws(() => splitUrl(url), undefined, undefined, url)
        continue
      }
      assert.deepEqual(splitUrl(url), expected, url)
    }
  })
})
