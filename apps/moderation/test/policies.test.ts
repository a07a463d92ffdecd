import { MessageEvent } from "@wxfleet/contracts"
import { parseRules } from "@wxfleet/worker"
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { contentFinding, ModerationConfig } from "../src/index.js"

const parse = (yaml: string) => parseRules(ModerationConfig, "moderation.yaml", yaml)
const problem = (yaml: string) =>
  Either.match(parse(yaml), { onLeft: (e) => e.message, onRight: () => "valid" })

const policy = Either.getOrThrow(
  parse(`accounts:
  "*":
    groups:
      "*":
        bannedWords: { words: [Darn], patterns: ["free\\\\s+money"] }
        links: { action: remove }
        cards: {}
        miniPrograms: { action: remove }
`),
).accounts["*"]!.groups["*"]!

/** A group message as a worker receives it, decoded from its JSON. */
const message = (fields: Record<string, unknown>) =>
  Schema.decodeUnknownSync(MessageEvent)({
    account: "mod",
    at: "2026-11-24T06:00:00.000Z",
    message: {
      id: "1",
      newMsgId: "1",
      from: "@@room",
      to: "@me",
      chat: "@@room",
      sender: "@ben",
      isGroup: true,
      isSelf: false,
      createTime: 1_795_497_880,
      raw: { MsgId: "1", MsgType: 1 },
      ...fields,
    },
  }).message
const text = (value: string) =>
  message({ _tag: "Text", text: value, mentions: [], mentionsSelf: false })

describe("moderation policies", () => {
  it("refuses a bad config with a message naming the field", () => {
    expect(
      problem(
        'accounts:\n  "*":\n    groups:\n      "*":\n        flood: { messages: 0, within: 10 seconds }\n',
      ),
    ).toMatch(/accounts\.\*\.groups\.\*\.flood\.messages: Expected a positive number/)
    expect(
      problem('accounts:\n  "*":\n    groups:\n      Hikers:\n        links: { action: ban }\n'),
    ).toMatch(/accounts\.\*\.groups\.Hikers\.links\.action: Expected "warn", actual "ban"/)
    expect(
      problem(
        'accounts:\n  "*":\n    groups:\n      "*":\n        bannedWords: { patterns: ["["] }\n',
      ),
    ).toMatch(/accounts\.\*\.groups\.\*\.bannedWords\.patterns\.0: invalid regular expression/)
    expect(problem("accounts:\n  bot1: {}\n")).toMatch(/accounts\.bot1\.groups: is missing/)
  })

  it("finds banned words and patterns, links, cards and mini programs", () => {
    expect(contentFinding(policy, text("oh darn"))).toEqual({
      violation: "banned_word",
      detail: 'banned word "Darn"',
      action: "warn",
    })
    expect(contentFinding(policy, text("FREE   money here"))?.violation).toBe("banned_word")
    expect(contentFinding(policy, text("see https://example.com/x"))).toEqual({
      violation: "link",
      detail: "link https://example.com/x",
      action: "remove",
    })
    expect(contentFinding(policy, text("go to shop.example.cn/deal"))?.violation).toBe("link")
    expect(contentFinding(policy, text("a plain sentence. with dots"))).toBeUndefined()
    const card = message({
      _tag: "Card",
      userName: "@eve",
      nickName: "Eve",
      alias: "",
      isOfficial: false,
    })
    expect(contentFinding(policy, card)).toEqual({
      violation: "card",
      detail: "contact card of Eve",
      action: "warn",
    })
    const mini = message({
      _tag: "MiniProgram",
      title: "Game",
      appId: "wx1",
      pagePath: "",
      sourceName: "",
      sourceUserName: "",
    })
    expect(contentFinding(policy, mini)?.action).toBe("remove")
  })
})
