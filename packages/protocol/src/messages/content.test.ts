import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { contentXml, field, splitGroupPrefix, unescapeText, xmlPath } from "./content.js"

const parsed = (wire: string) => {
  const xml = contentXml(wire)
  assert.isTrue(Either.isRight(xml), Either.isLeft(xml) ? xml.left : "")
  return Either.getOrUndefined(xml)
}

describe("splitGroupPrefix", () => {
  it("splits a session name or a bare wxid off, once", () => {
    assert.deepStrictEqual(splitGroupPrefix("@0ce0eee5a1:<br/>普通群聊消息"), {
      sender: "@0ce0eee5a1",
      body: "普通群聊消息",
    })
    assert.deepStrictEqual(splitGroupPrefix("wxid_a8d8-06:<br/>Place:<br/>/cgi-bin/x"), {
      sender: "wxid_a8d8-06",
      body: "Place:<br/>/cgi-bin/x",
    })
  })

  it("leaves contents without a prefix alone", () => {
    assert.deepStrictEqual(splitGroupPrefix("你好:<br/>x"), {
      sender: undefined,
      body: "你好:<br/>x",
    })
    assert.deepStrictEqual(splitGroupPrefix(""), { sender: undefined, body: "" })
  })

  it("reads any wxid-like word as a prefix, so it is only applied to messages from a room", () => {
    assert.deepStrictEqual(splitGroupPrefix("hello:<br/>"), { sender: "hello", body: "" })
  })
})

describe("unescapeText", () => {
  it("turns <br/> into newlines and decodes entities once", () => {
    assert.strictEqual(unescapeText("&lt;a&gt;<br/>bc"), "<a>\nbc")
    assert.strictEqual(unescapeText("&amp;lt; stays &amp;lt;"), "&lt; stays &lt;")
    assert.strictEqual(unescapeText("普通私聊消息[得意]\tend"), "普通私聊消息[得意]\tend")
  })

  it("turns emoji spans into characters, flags and keycaps included, and tolerates the missing >", () => {
    const wire =
      '<span class="emoji emoji1f604"></span><span class="emoji emoji1f1e81f1f3"></span>' +
      '<span class="emoji emoji2320e3"></span><span class="emoji emoji1f450"></span'
    assert.strictEqual(unescapeText(wire), "😄🇨🇳#⃣👐")
  })
})

describe("contentXml", () => {
  it("reads escaped XML laid out with <br/> and tabs", () => {
    const wire =
      '&lt;?xml version="1.0"?&gt;<br/>&lt;msg&gt;<br/>\t&lt;img md5="405eb70eed3635e4ae896838ec77979d" ' +
      'length="45956" /&gt;<br/>&lt;/msg&gt;<br/>'
    const img = xmlPath(parsed(wire), "msg", "img")
    assert.strictEqual(field(img, "md5"), "405eb70eed3635e4ae896838ec77979d")
    assert.strictEqual(field(img, "length"), "45956")
  })

  it("decodes the doubly escaped inner level once per layer", () => {
    const wire =
      "&lt;msg&gt;&lt;url&gt;http://t.cn/jdc?d=7Zvxc4&amp;amp;come=appmessage&lt;/url&gt;" +
      '&lt;a content="我是群聊&amp;quot;Wechaty&amp;quot;的" /&gt;' +
      "&lt;t&gt;&amp;amp;lt;b&amp;amp;gt;&lt;/t&gt;" +
      "&lt;c&gt;&lt;![CDATA[http://mp.weixin.qq.com/s?__biz=MzA&amp;mid=1]]&gt;&lt;/c&gt;&lt;/msg&gt;"
    const msg = xmlPath(parsed(wire), "msg")
    assert.strictEqual(field(msg, "url"), "http://t.cn/jdc?d=7Zvxc4&come=appmessage")
    assert.strictEqual(field(xmlPath(msg, "a"), "content"), '我是群聊"Wechaty"的')
    assert.strictEqual(field(msg, "t"), "&lt;b&gt;")
    assert.strictEqual(field(msg, "c"), "http://mp.weixin.qq.com/s?__biz=MzA&mid=1")
  })

  it("keeps a <br/> inside CDATA as a line break", () => {
    const wire =
      "&lt;msg&gt;&lt;des&gt;&lt;![CDATA[收款金额：￥0.01<br/>汇总：￥0.01]]&gt;&lt;/des&gt;&lt;/msg&gt;"
    assert.strictEqual(field(xmlPath(parsed(wire), "msg"), "des"), "收款金额：￥0.01\n汇总：￥0.01")
  })

  it("ignores the escaped <br/> a file's XML ends with", () => {
    const msg = xmlPath(
      parsed("&lt;msg&gt;&lt;title&gt;a.zip&lt;/title&gt;&lt;/msg&gt;&lt;br/&gt;<br/>"),
      "msg",
    )
    assert.strictEqual(field(msg, "title"), "a.zip")
  })

  it("reads XML that arrives unescaped without decoding its entities twice", () => {
    const msg = xmlPath(
      parsed('<msg><emoji md5 = "e6" cdnurl = "http://x/?a=1&amp;b=2" ></emoji></msg>'),
      "msg",
    )
    assert.strictEqual(field(xmlPath(msg, "emoji"), "cdnurl"), "http://x/?a=1&b=2")
  })

  it("refuses empty, malformed and hostile contents", () => {
    const bomb =
      '&lt;?xml version="1.0"?&gt;&lt;!DOCTYPE lolz [&lt;!ENTITY lol "lol"&gt;' +
      '&lt;!ENTITY lol2 "&amp;lol;&amp;lol;&amp;lol;&amp;lol;"&gt;]&gt;&lt;msg&gt;&amp;lol2;&lt;/msg&gt;'
    for (const wire of ["", "  <br/>", "plain text", "&lt;msg&gt;&lt;a&gt;&lt;/msg&gt;", bomb]) {
      assert.isTrue(Either.isLeft(contentXml(wire)), wire)
    }
  })
})
