import { parseRules } from "@wxfleet/worker"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { AutoReplyConfig } from "../src/index.js"
import { isQuiet } from "../src/QuietHours.js"
import { firstMatch, render, withoutMentions } from "../src/Replies.js"

const parse = (yaml: string) => parseRules(AutoReplyConfig, "auto-reply.yaml", yaml)
const problem = (yaml: string) =>
  Either.match(parse(yaml), { onLeft: (e) => e.message, onRight: () => "valid" })

describe("auto-reply rules", () => {
  it("refuses a bad config with a message naming the field", () => {
    expect(
      problem('accounts:\n  "*":\n    rules:\n      - regex: "(unclosed"\n        reply: x\n'),
    ).toMatch(/accounts\.\*\.rules\.0\.regex: invalid regular expression/)
    expect(
      problem(
        "accounts:\n  bot1:\n    rules:\n      - exact: hi\n        keyword: hi\n        reply: x\n",
      ),
    ).toMatch(/accounts\.bot1\.rules\.0: a rule needs exactly one of exact, keyword or regex/)
    expect(problem('accounts:\n  "*":\n    quietHours: { from: "25:00", to: "07:00" }\n')).toMatch(
      /accounts\.\*\.quietHours\.from: a time of day is HH:MM/,
    )
    expect(
      problem(
        'accounts:\n  "*":\n    quietHours: { from: "22:00", to: "07:00", timezone: Mars/Olympus }\n',
      ),
    ).toMatch(/accounts\.\*\.quietHours\.timezone: unknown time zone/)
    expect(problem('accounts:\n  "*":\n    groups: sometimes\n')).toMatch(/accounts\.\*\.groups/)
    expect(problem('accounts:\n  "*":\n    cooldown: a while\n')).toMatch(
      /accounts\.\*\.cooldown: "a while" is not a duration/,
    )
    expect(problem('accounts:\n  "*":\n    webhook: { url: "not a url" }\n')).toMatch(
      /accounts\.\*\.webhook\.url: "not a url" is not a URL/,
    )
  })

  it("fills defaults", () => {
    const config = Either.getOrThrow(parse('accounts:\n  "*":\n    default: hello\n'))
    expect(config.accounts["*"]).toMatchObject({
      private: true,
      groups: "mentioned",
      fleet: false,
      rules: [],
      default: "hello",
    })
  })

  it("matches exact, keyword and regex rules in order, ignoring case by default", () => {
    const { accounts } = Either.getOrThrow(
      parse(
        'accounts:\n  "*":\n    rules:\n      - exact: Hi\n        reply: a\n      - keyword: [price, cost]\n        reply: b\n      - regex: "^order (\\\\d+) for (\\\\w+)$"\n        reply: "c {2} {1}"\n      - exact: Case\n        ignoreCase: false\n        reply: d\n',
      ),
    )
    const rules = accounts["*"]!.rules
    expect(firstMatch(rules, "hi")?.template).toBe("a")
    expect(firstMatch(rules, "what does it COST?")?.template).toBe("b")
    const order = firstMatch(rules, "order 7 for Ann")!
    expect(render(order.template, { sender: "", group: "", captures: order.captures })).toBe(
      "c Ann 7",
    )
    expect(firstMatch(rules, "case")).toBeUndefined()
    expect(firstMatch(rules, "nothing")).toBeUndefined()
  })

  it("fills templates and reads the text without its mentions", () => {
    expect(
      render("Hi {sender} in {group}: {1} {3} {other}", {
        sender: "Ann",
        group: "Lobby",
        captures: ["x"],
      }),
    ).toBe("Hi Ann in Lobby: x {3} {other}")
    expect(withoutMentions("@Helper Bot\u2005hi", ["Helper Bot"])).toBe("hi")
    expect(withoutMentions("price? @Helper Bot", ["Helper Bot"])).toBe("price?")
  })

  it("tells quiet hours in their time zone, across midnight", () => {
    const quiet = { from: "22:00", to: "07:00", timezone: "Asia/Shanghai" }
    expect(isQuiet(quiet, new Date("2026-11-24T15:30:00Z"))).toBe(true) // 23:30 in Shanghai
    expect(isQuiet(quiet, new Date("2026-11-24T22:59:00Z"))).toBe(true) // 06:59
    expect(isQuiet(quiet, new Date("2026-11-24T23:00:00Z"))).toBe(false) // 07:00
    expect(
      isQuiet({ from: "09:00", to: "17:00", timezone: "UTC" }, new Date("2026-11-24T12:00:00Z")),
    ).toBe(true)
    expect(
      isQuiet({ from: "09:00", to: "17:00", timezone: "UTC" }, new Date("2026-11-24T17:00:00Z")),
    ).toBe(false)
  })
})
