import { describe, expect, it } from "vitest"
import {
  handleKey,
  initialState,
  reduce,
  type ChatState,
  type KeyPress,
} from "../src/chat/model.js"
import { rowText, screen } from "../src/chat/screen.js"
import { makeStore } from "../src/chat/store.js"
import { displayWidth } from "../src/chat/width.js"
import { contact, text } from "./chat/fixtures.js"

const ROOM = "@@hikers"
const time = () => "12:34"

const world = (cols: number, rows: number): ChatState => {
  let state = reduce(initialState("bot1", { cols, rows }), {
    _tag: "ContactsLoaded",
    contacts: [
      contact("@alice", "Alice Liddell"),
      contact("@bob", "王小明", { remarkName: "一个名字非常非常非常长的同事朋友" }),
      contact(ROOM, "Weekend hikers 周末徒步 and a very long group name", {
        members: [{ userName: "@carol", nickName: "Carol", displayName: "卡罗尔" }],
      }),
    ],
  })
  for (const [chat, body, sender] of [
    [
      "@alice",
      "hello there, a long line of text that will have to wrap across the conversation pane at least once",
      "@alice",
    ],
    [
      ROOM,
      "全角文字が混ざった長いメッセージ：折り返しても八十桁を超えないこと。👍👍👍 emoji too",
      "@carol",
    ],
    ["@bob", "line one\nline two\twith a tab and \u001b[31mescapes", "@bob"],
  ] as const)
    state = reduce(state, { _tag: "MessageReceived", message: text(chat, body, { sender }) })
  return state
}

const keys = (state: ChatState, ...presses: ReadonlyArray<KeyPress>) =>
  presses.reduce((s, key) => handleKey(s, key, 0).state, state)

describe("the screen", () => {
  it("draws every row exactly as wide as the terminal, one row short of its height", () => {
    for (const [cols, rows] of [
      [80, 24],
      [100, 30],
      [60, 15],
    ] as const) {
      const base = world(cols, rows)
      const states = [
        base,
        keys(base, { input: "周" }),
        keys(base, { input: "", return: true }),
        keys(base, { input: "", return: true }, { input: "很长的草稿".repeat(20) }),
        keys(base, { input: "", downArrow: true }, { input: "", return: true }),
        keys(base, { input: "", return: true }, { input: "/help" }, { input: "", return: true }),
      ]
      for (const state of states) {
        const drawn = screen(state, time).map(rowText)
        expect(drawn).toHaveLength(rows - 1)
        for (const line of drawn) expect(displayWidth(line), line).toBe(cols)
      }
    }
  })

  it("shows unread counts, group senders by their group name, and no control characters", () => {
    const state = keys(world(80, 24), { input: "周" }, { input: "", return: true })
    const drawn = screen(state, time).map(rowText).join("\n")
    expect(drawn).toContain("12:34 卡罗尔: 全角文字")
    expect(drawn).toMatch(/Alice Liddell +1 │/)
    expect(drawn).not.toContain("\u001b")
    const bob = screen(keys(world(80, 24), { input: "王" }, { input: "", return: true }), time)
      .map(rowText)
      .join("\n")
    expect(bob).toContain("line one")
    expect(bob).toContain("line two    with a tab and [31mescapes")
  })

  it("scrolls a conversation up to its first line and no further, and back down", () => {
    const intents: Array<string> = []
    const store = makeStore(
      world(80, 24),
      (intent) => intents.push(intent._tag),
      () => 0,
    )
    store.key({ input: "Alice" })
    store.key({ input: "", return: true })
    for (let i = 0; i < 40; i++)
      store.dispatch({ _tag: "MessageReceived", message: text("@alice", `message ${i}`) })
    for (let i = 0; i < 10; i++) store.key({ input: "", pageUp: true })
    // The first message takes 3 lines, the 40 others one each; the pane shows 20.
    expect(store.getState().scroll).toBe(23)
    expect(rowText(screen(store.getState(), time)[1]!)).toContain("hello there")
    store.key({ input: "", pageDown: true })
    expect(store.getState().scroll).toBe(4)
    store.key({ input: "", pageDown: true })
    expect(store.getState().scroll).toBe(0)
    expect(rowText(screen(store.getState(), time)[20]!)).toContain("message 39")
    store.key({ input: "c", ctrl: true })
    expect(intents).toEqual(["Quit"])
  })
})
