import { describe, expect, it } from "vitest"
import {
  handleKey,
  initialState,
  lastRevocable,
  listEntries,
  reduce,
  senderName,
  type Action,
  type ChatState,
  type Intent,
  type KeyPress,
} from "../src/chat/model.js"
import { summarize } from "../src/chat/summary.js"
import { contact, message, text } from "./chat/fixtures.js"

const NOW = 1_795_500_000
const ALICE = "@alice"
const BOB = "@bob"
const ROOM = "@@hikers"
const CAROL = "@carol"

const contacts = [
  contact(ALICE, "Alice Liddell"),
  contact(BOB, "王小明", { remarkName: "Bob from work" }),
  contact(ROOM, "Weekend hikers 周末徒步", {
    members: [
      { userName: CAROL, nickName: "Carol", displayName: "Caz" },
      { userName: BOB, nickName: "王小明", displayName: "" },
    ],
  }),
  contact("filehelper", "文件传输助手", { kind: "special" }),
  contact("@news", "Daily News", { kind: "official" }),
]

const start = (): ChatState =>
  reduce(initialState("bot1", { cols: 80, rows: 24 }), { _tag: "ContactsLoaded", contacts })

const apply = (state: ChatState, ...actions: ReadonlyArray<Action>) => actions.reduce(reduce, state)

/** Types `keys` (strings are typed text, objects special keys); the intents they produced. */
const press = (state: ChatState, ...keys: ReadonlyArray<string | KeyPress>) => {
  const intents: Array<Intent> = []
  for (const key of keys) {
    const outcome = handleKey(state, typeof key === "string" ? { input: key } : key, NOW)
    state = outcome.state
    if (outcome.intent !== undefined) intents.push(outcome.intent)
  }
  return { state, intents }
}

const ENTER: KeyPress = { input: "", return: true }
const ESC: KeyPress = { input: "", escape: true, meta: true }
const DOWN: KeyPress = { input: "", downArrow: true }
const BACKSPACE: KeyPress = { input: "", delete: true }
const names = (state: ChatState) => listEntries(state).map((e) => e.name)

describe("the contact list", () => {
  it("lists people and groups by name, official and special accounts last", () => {
    expect(names(start())).toEqual([
      "Alice Liddell",
      "Bob from work",
      "Weekend hikers 周末徒步",
      "Daily News",
      "文件传输助手",
    ])
  })

  it("puts the chats with the newest messages first", () => {
    const state = apply(start(), {
      _tag: "MessageReceived",
      message: text(ROOM, "hi", { sender: CAROL }),
    })
    expect(names(state)[0]).toBe("Weekend hikers 周末徒步")
  })

  it("searches remark, nickname and display name, case-insensitively and in CJK", () => {
    expect(names(press(start(), "/", "A", "L", "I").state)).toEqual(["Alice Liddell"])
    expect(names(press(start(), "王").state)).toEqual(["Bob from work"])
    expect(names(press(start(), "b", "o", "b").state)).toEqual(["Bob from work"])
    expect(names(press(start(), "周末").state)).toEqual(["Weekend hikers 周末徒步"])
    expect(names(press(start(), "ｈｉｋｅ").state)).toEqual(["Weekend hikers 周末徒步"])
  })

  it("moves the cursor to the first match, and Esc or Backspace ends the search", () => {
    const searching = press(start(), "h", "i", "k").state
    expect(searching.selected).toBe(ROOM)
    expect(names(press(searching, ESC).state)).toHaveLength(5)
    expect(
      press(searching, BACKSPACE, BACKSPACE, BACKSPACE, BACKSPACE).state.search,
    ).toBeUndefined()
  })

  it("moves with the arrows and pages, within the list", () => {
    const state = start()
    expect(state.selected).toBe(ALICE)
    expect(press(state, DOWN, DOWN).state.selected).toBe(ROOM)
    expect(press(state, { input: "", pageDown: true }).state.selected).toBe("filehelper")
    expect(press(state, { input: "", upArrow: true }).state.selected).toBe(ALICE)
  })

  it("keeps the cursor on screen in a list longer than the pane", () => {
    const many = Array.from({ length: 50 }, (_, i) =>
      contact(`@p${i}`, `Person ${String(i).padStart(2, "0")}`),
    )
    let state = reduce(initialState("bot1", { cols: 80, rows: 24 }), {
      _tag: "ContactsLoaded",
      contacts: many,
    })
    state = press(state, ...Array<KeyPress>(30).fill(DOWN)).state
    expect(state.selected).toBe("@p30")
    expect(state.listOffset).toBe(30 - 20 + 1)
    state = press(state, { input: "", home: true }).state
    expect(state.listOffset).toBe(0)
  })
})

describe("conversations", () => {
  it("counts unread messages of the chats not open, and opening one reads them", () => {
    let state = apply(
      start(),
      { _tag: "MessageReceived", message: text(ALICE, "one") },
      { _tag: "MessageReceived", message: text(ALICE, "two") },
      { _tag: "MessageReceived", message: text(BOB, "three") },
      { _tag: "MessageReceived", message: text(BOB, "mine, from my phone", { isSelf: true }) },
    )
    expect(state.unread.get(ALICE)).toBe(2)
    expect(state.unread.get(BOB)).toBe(1)
    state = press(state, "ali", ENTER).state
    expect(state.open).toBe(ALICE)
    expect(state.focus).toBe("chat")
    expect(state.unread.get(ALICE)).toBeUndefined()
    state = apply(state, { _tag: "MessageReceived", message: text(ALICE, "three") })
    expect(state.unread.get(ALICE)).toBeUndefined()
    expect(state.conversations.get(ALICE)?.map((m) => m.text)).toEqual(["one", "two", "three"])
  })

  it("shows each message once, even when an event is delivered again", () => {
    const hello = text(ALICE, "hello", { id: "42" })
    const state = apply(
      start(),
      { _tag: "MessageReceived", message: hello },
      { _tag: "MessageReceived", message: hello },
    )
    expect(state.conversations.get(ALICE)).toHaveLength(1)
  })

  it("names group senders by their group nickname, else their name, else their UserName", () => {
    const state = start()
    expect(senderName(state, ROOM, CAROL)).toBe("Caz")
    expect(senderName(state, ROOM, BOB)).toBe("王小明")
    expect(senderName(state, ROOM, "@stranger")).toBe("@stranger")
    expect(senderName(state, BOB, BOB)).toBe("Bob from work")
    const noMembers = apply(state, {
      _tag: "ContactsLoaded",
      contacts: [contact(ROOM, "Hikers", { members: [] }), contacts[0]!],
    })
    expect(senderName(noMembers, ROOM, ALICE)).toBe("Alice Liddell")
  })

  it("lists chats with strangers by their UserName", () => {
    const state = apply(start(), { _tag: "MessageReceived", message: text("@stranger", "hi") })
    expect(listEntries(state)[0]).toMatchObject({
      userName: "@stranger",
      kind: "unknown",
      unread: 1,
    })
  })

  it("marks a message revoked by its sender", () => {
    const state = apply(
      start(),
      { _tag: "MessageReceived", message: text(ALICE, "oops", { id: "7" }) },
      {
        _tag: "MessageReceived",
        message: message("Revoke", {
          chat: ALICE,
          revokedMsgId: "7",
          replaceText: '"Alice" recalled a message',
        }),
      },
    )
    expect(state.conversations.get(ALICE)?.map((m) => [m.text, m.status])).toEqual([
      ["oops", "revoked"],
    ])
  })

  it("summarizes every kind that is not text", () => {
    const chat = { chat: ALICE }
    expect(
      summarize(
        message("Image", { ...chat, width: 1, height: 1, hasThumb: true, md5: "", length: 10 }),
      ),
    ).toBe("[image]")
    expect(summarize(message("Voice", { ...chat, durationMs: 3_200 }))).toBe("[voice 3s]")
    expect(
      summarize(
        message("File", {
          ...chat,
          fileName: "name.pdf",
          size: 2048,
          mediaId: "",
          encryFileName: "",
          extension: "pdf",
        }),
      ),
    ).toBe("[file name.pdf 2 KB]")
    expect(summarize(message("Emoticon", { ...chat, md5: "", cdnUrl: "", isStore: true }))).toBe(
      "[sticker]",
    )
    expect(
      summarize(message("StatusNotify", { ...chat, code: 4, userNames: [], wxids: [] })),
    ).toBeUndefined()
    expect(
      summarize(message("Unknown", { ...chat, msgType: 9999, appMsgType: 0, reason: "?" })),
    ).toBe("[unsupported message type 9999]")
  })
})

describe("the composer", () => {
  const inChat = () => press(start(), "ali", ENTER).state

  it("sends what was typed with Enter, shows it at once and keeps its ids when the send is answered", () => {
    const { state, intents } = press(inChat(), "hello ", "你好", ENTER)
    expect(intents).toEqual([{ _tag: "SendText", chat: ALICE, key: "local-1", text: "hello 你好" }])
    expect(state.conversations.get(ALICE)).toMatchObject([
      { text: "hello 你好", self: true, status: "sending" },
    ])
    expect(state.drafts.get(ALICE)).toBeUndefined()
    const sent = reduce(state, {
      _tag: "Sent",
      chat: ALICE,
      key: "local-1",
      msgId: "900",
      localId: "77",
    })
    expect(sent.conversations.get(ALICE)).toMatchObject([
      { status: "sent", msgId: "900", localId: "77" },
    ])
    expect(lastRevocable(sent, ALICE)?.msgId).toBe("900")
  })

  it("marks a send that failed and says why", () => {
    const { state } = press(inChat(), "hi", ENTER)
    const failed = reduce(state, {
      _tag: "SendFailed",
      chat: ALICE,
      key: "local-1",
      error: "RequestRejected: not a friend",
    })
    expect(failed.conversations.get(ALICE)?.[0]?.status).toBe("failed")
    expect(failed.status).toEqual({
      kind: "error",
      text: "not sent: RequestRejected: not a friend",
    })
    expect(lastRevocable(failed, ALICE)).toBeUndefined()
  })

  it("/revoke revokes the last message sent in this chat, then the one before", () => {
    let state = press(inChat(), "one", ENTER, "two", ENTER).state
    state = apply(
      state,
      { _tag: "Sent", chat: ALICE, key: "local-1", msgId: "901", localId: "1" },
      { _tag: "Sent", chat: ALICE, key: "local-2", msgId: "902", localId: "2" },
    )
    const first = press(state, "/revoke", ENTER)
    expect(first.intents).toEqual([
      { _tag: "Revoke", chat: ALICE, key: "902", msgId: "902", localId: "2" },
    ])
    state = reduce(first.state, { _tag: "Revoked", chat: ALICE, key: "902" })
    expect(press(state, "/revoke", ENTER).intents).toMatchObject([{ _tag: "Revoke", msgId: "901" }])
  })

  it("/revoke with nothing to revoke says so", () => {
    const { state, intents } = press(inChat(), "/revoke", ENTER)
    expect(intents).toEqual([])
    expect(state.status?.kind).toBe("error")
  })

  it("/image and /file send media; a wrong command says what is right and keeps the line", () => {
    const media = press(inChat(), "/image ~/cat.png", ENTER)
    expect(media.intents).toEqual([
      { _tag: "SendMedia", chat: ALICE, key: "local-1", kind: "image", path: "~/cat.png" },
    ])
    expect(media.state.conversations.get(ALICE)?.[0]?.text).toBe("[image cat.png]")
    const wrong = press(inChat(), "/imgae x", ENTER)
    expect(wrong.intents).toEqual([])
    expect(wrong.state.status?.text).toContain("unknown command /imgae")
    expect(wrong.state.drafts.get(ALICE)?.text.join("")).toBe("/imgae x")
  })

  it("/help shows the keys until Esc, a second Esc goes back to the list, Ctrl-C quits", () => {
    let state = press(inChat(), "/help", ENTER).state
    expect(state.showHelp).toBe(true)
    state = press(state, ESC).state
    expect([state.showHelp, state.focus]).toEqual([false, "chat"])
    state = press(state, ESC).state
    expect(state.focus).toBe("list")
    expect(state.selected).toBe(ALICE)
    expect(press(state, { input: "c", ctrl: true }).intents).toEqual([{ _tag: "Quit" }])
  })

  it("keeps a draft per chat", () => {
    let state = press(inChat(), "half-typed", ESC).state
    state = press(state, DOWN, ENTER, "other").state
    expect(state.open).toBe(BOB)
    state = press(state, ESC, { input: "", upArrow: true }, ENTER).state
    expect(state.drafts.get(ALICE)?.text.join("")).toBe("half-typed")
  })
})
