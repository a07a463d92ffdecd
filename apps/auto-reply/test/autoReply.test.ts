import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { speak } from "@wxfleet/simulator"
import { MARKER } from "@wxfleet/worker"
import { TestFleet } from "@wxfleet/worker/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { autoReply, configFile } from "./support.js"

const fleet = await TestFleet.start()
const world = fleet.world
world.addAccount({ wxid: "wxid_bot", nickName: "Helper Bot" })
world.addAccount({ wxid: "wxid_cool", nickName: "Cool Bot" })
world.addAccount({ wxid: "wxid_hook", nickName: "Hook Bot" })
for (const [wxid, nickName] of [
  ["wxid_ann", "Ann"],
  ["wxid_ben", "Ben"],
  ["wxid_cat", "Cat"],
] as const) {
  world.addPerson({ wxid, nickName })
  for (const bot of ["wxid_bot", "wxid_cool", "wxid_hook"]) world.befriend(bot, wxid)
}
world.addPerson({ wxid: "gh_news", nickName: "Daily News", verifyFlag: 24 })
world.befriend("wxid_bot", "gh_news")
world.befriend("wxid_bot", "wxid_cool")
const lobby = world.addGroup({
  topic: "Lobby",
  owner: "wxid_ann",
  members: ["wxid_bot", "wxid_ben"],
})

/** The webhook: answers 503 to the first request, then echoes; keeps what it was sent. */
const hookRequests: Array<{
  body: { account: string; message: { text: string; id: string } }
  key: string | undefined
}> = []
const hook = createServer(async (req: IncomingMessage, res) => {
  let body = ""
  for await (const chunk of req) body += String(chunk)
  hookRequests.push({
    body: JSON.parse(body),
    key: req.headers["idempotency-key"] as string | undefined,
  })
  if (hookRequests.length === 1) {
    res.writeHead(503).end()
    return
  }
  res
    .writeHead(200, { "content-type": "application/json" })
    .end(JSON.stringify({ text: `hook says: ${JSON.parse(body).message.text}` }))
})
await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve))
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/reply`

const file = await configFile(
  "auto-reply.yaml",
  `accounts:
  "*":
    groups: mentioned
    rules:
      - exact: hi
        reply: "Hello {sender}!"
      - regex: "^order (\\\\d+)$"
        reply: "Order {1} is on its way, {sender}"
      - keyword: [price, cost]
        reply: "Prices are pinned in {group}, {sender}"
    default: "Thanks {sender}, we will get back to you"
  cool:
    rules:
      - keyword: hi
        reply: "Hi {sender}"
    cooldown: 1 hour
  hook:
    webhook:
      url: ${hookUrl}
      timeout: 2 seconds
      retries: 2
`,
)

const texts = (wxid: string) => fleet.sent(wxid).map((s) => ({ to: s.to, content: s.content }))
const say = (from: string, to: string, text: string, mentions?: ReadonlyArray<string>) =>
  speak(
    world,
    from,
    to,
    mentions === undefined ? { kind: "text", text } : { kind: "text", text, mentions },
  )

beforeAll(async () => {
  await fleet.login("bot", "wxid_bot")
  await fleet.login("cool", "wxid_cool")
  await fleet.login("hook", "wxid_hook")
  await fleet.start(autoReply(fleet, file))
  // The contact list has rooms without members: a room change tells their names.
  world.contactChanged(lobby.roomId)
  await fleet.log.waitFor<{ contact?: { members?: Array<unknown> } }>(
    (s, d) => s === "wx.evt.bot.contact" && (d.contact?.members?.length ?? 0) > 0,
  )
}, 60_000)

afterAll(async () => {
  await fleet.close()
  hook.close()
})

describe("auto-reply", () => {
  it("answers private texts by exact, regex and default rules, with the sender's name", async () => {
    say("wxid_ann", "wxid_bot", "hi")
    say("wxid_ann", "wxid_bot", "order 42")
    say("wxid_ann", "wxid_bot", "anyone there?")
    const replies = await fleet.waitForSent("wxid_bot", (s) => s.to === "wxid_ann", 3)
    expect(replies.map((r) => r.content).sort()).toEqual(
      [
        `Hello Ann!${MARKER}`,
        `Order 42 is on its way, Ann${MARKER}`,
        `Thanks Ann, we will get back to you${MARKER}`,
      ].sort(),
    )
  })

  it("answers in a group only when mentioned, @-mentioning the sender, with the group's name", async () => {
    say("wxid_ben", "wxid_bot", "warm-up")
    await fleet.messageEvent("bot", "warm-up")
    say("wxid_ben", lobby.roomId, "hello all")
    say("wxid_ben", lobby.roomId, "what is the price?", ["wxid_bot"])
    const [reply] = await fleet.waitForSent("wxid_bot", (s) => s.to === lobby.roomId)
    expect(reply!.content).toBe(`@Ben\u2005Prices are pinned in Lobby, Ben${MARKER}`)
    await fleet.messageEvent("bot", "hello all")
    await fleet.drained("auto-reply")
    expect(texts("wxid_bot").filter((t) => t.to === lobby.roomId)).toHaveLength(1)
  })

  it("never answers its own messages, official accounts, other fleet accounts, or a bot's reply", async () => {
    const before = texts("wxid_bot").length
    const ignored = [
      "hi from my phone",
      "news flash",
      "hello from a twin",
      `a bot's answer${MARKER}`,
    ]
    say("wxid_bot", "wxid_ann", ignored[0]!)
    say("gh_news", "wxid_bot", ignored[1]!)
    say("wxid_cool", "wxid_bot", ignored[2]!)
    say("wxid_cat", "wxid_bot", ignored[3]!)
    for (const text of ignored) await fleet.messageEvent("bot", text)
    await fleet.drained("auto-reply")
    expect(texts("wxid_bot").slice(before)).toEqual([])
  })

  it("keeps a chat's cooldown: one reply per chat within it", async () => {
    say("wxid_ann", "wxid_cool", "hi there")
    say("wxid_ann", "wxid_cool", "hi again")
    say("wxid_ben", "wxid_cool", "hi Cool")
    await fleet.waitForSent("wxid_cool", () => true, 2)
    for (const text of ["hi there", "hi again", "hi Cool"]) await fleet.messageEvent("cool", text)
    await fleet.drained("auto-reply")
    const sent = texts("wxid_cool")
    expect(sent.filter((t) => t.to === "wxid_ann")).toHaveLength(1)
    expect(sent.filter((t) => t.to === "wxid_ben")).toEqual([
      { to: "wxid_ben", content: `Hi Ben${MARKER}` },
    ])
  })

  it("asks the webhook with the decoded message, retrying a failure, and sends back its text", async () => {
    say("wxid_cat", "wxid_hook", "what's the weather?")
    const [reply] = await fleet.waitForSent("wxid_hook", (s) => s.to === "wxid_cat")
    expect(reply!.content).toBe(`hook says: what's the weather?${MARKER}`)
    expect(hookRequests).toHaveLength(2)
    const [first, second] = hookRequests
    expect(second!.body.account).toBe("hook")
    expect(second!.body.message.text).toBe("what's the weather?")
    expect(second!.key).toBe(first!.key)
  })
})
