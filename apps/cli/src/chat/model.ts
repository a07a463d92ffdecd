import { basename } from "node:path"
import type { ContactEvent, ContactView, SessionStateName } from "@wxfleet/contracts"
import { draftText, edit, emptyDraft, parseSubmission, type Draft, type Edit } from "./composer.js"
import { summarize, type Message } from "./summary.js"
import { oneLine } from "./width.js"

/**
 * The chat client's state and everything that changes it, without a terminal: the contacts,
 * the conversations, unread counts, the search, the composer and what the keys do. The screen
 * (screen.ts) draws a state; the command (command.ts) carries out the intents keys produce.
 */

/** The NATS connection as the client sees it. */
export type NatsState = "connected" | "reconnecting" | "disconnected"

export type MessageStatus = "received" | "sending" | "sent" | "failed" | "revoking" | "revoked"

/** One line of a conversation: a message received, or one this client sent. */
export interface ChatMessage {
  /** Unique in its conversation: the MsgId, or `local-<n>` for a send not answered yet. */
  readonly key: string
  readonly msgId: string | undefined
  /** Our LocalID of a send: with `msgId`, what revoking it takes. */
  readonly localId: string | undefined
  /** Who spoke (a UserName); ignored when `self`. */
  readonly sender: string
  /** Sent by this account: here, or from its phone. */
  readonly self: boolean
  /** A server notice (someone joined, a message was recalled…): no sender shown. */
  readonly notice: boolean
  /** Unix seconds. */
  readonly at: number
  readonly text: string
  readonly status: MessageStatus
}

export type Focus = "list" | "chat"

export interface Viewport {
  readonly cols: number
  readonly rows: number
}

export interface Status {
  readonly kind: "error" | "info"
  readonly text: string
}

export interface ChatState {
  readonly account: string
  readonly session: SessionStateName | "unknown"
  readonly self: { readonly userName: string; readonly nickName: string } | undefined
  readonly nats: NatsState
  readonly contacts: ReadonlyMap<string, ContactView>
  /** Conversations by chat UserName, oldest message first. */
  readonly conversations: ReadonlyMap<string, ReadonlyArray<ChatMessage>>
  readonly unread: ReadonlyMap<string, number>
  /** When each chat last had a message (unix seconds): the list puts recent chats first. */
  readonly lastActivity: ReadonlyMap<string, number>
  readonly focus: Focus
  /** The conversation shown on the right. */
  readonly open: string | undefined
  /** The contact under the list's cursor (followed by name, so re-sorting does not move it). */
  readonly selected: string | undefined
  /** The search typed in the list; undefined when not searching. */
  readonly search: string | undefined
  /** First entry of the list on screen. */
  readonly listOffset: number
  /** Conversation lines scrolled up from the newest. */
  readonly scroll: number
  /** What is being typed, per chat. */
  readonly drafts: ReadonlyMap<string, Draft>
  readonly showHelp: boolean
  readonly status: Status | undefined
  readonly viewport: Viewport
  /** Numbers `local-<n>` keys of sends in flight. */
  readonly nextLocal: number
}

/** Most messages kept per conversation. */
export const MAX_MESSAGES = 500

export const initialState = (account: string, viewport: Viewport): ChatState => ({
  account,
  session: "unknown",
  self: undefined,
  nats: "connected",
  contacts: new Map(),
  conversations: new Map(),
  unread: new Map(),
  lastActivity: new Map(),
  focus: "list",
  open: undefined,
  selected: undefined,
  search: undefined,
  listOffset: 0,
  scroll: 0,
  drafts: new Map(),
  showHelp: false,
  status: undefined,
  viewport,
  nextLocal: 1,
})

/** Where the screen's parts go in a terminal of this size. */
export const layout = ({ cols, rows }: Viewport) => {
  const listWidth = Math.max(12, Math.min(30, Math.floor(cols * 0.3)))
  return {
    cols,
    listWidth,
    /** Columns of the conversation, right of the list and its separator. */
    chatWidth: Math.max(10, cols - listWidth - 1),
    /**
     * Rows of the list and the conversation: all but the title, composer and status lines, and
     * the last row, which the renderer leaves for its cursor so the screen never scrolls.
     */
    bodyRows: Math.max(3, rows - 4),
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the state

/** What a contact is called here: the remark given to it, else its own name. */
export const contactName = (contact: ContactView): string =>
  oneLine(contact.remarkName || contact.displayName || contact.nickName || contact.userName)

/** The name of a chat, or its UserName when it is no contact (a stranger, a group not saved). */
export const chatName = (state: ChatState, chat: string): string => {
  const contact = state.contacts.get(chat)
  return contact === undefined ? chat : contactName(contact)
}

/** Who spoke in `chat`: the group member's name, else the contact's, else the raw UserName. */
export const senderName = (state: ChatState, chat: string, sender: string): string => {
  const member = state.contacts.get(chat)?.members?.find((m) => m.userName === sender)
  if (member !== undefined) {
    const name = member.displayName || member.nickName
    if (name.length > 0) return oneLine(name)
  }
  return chatName(state, sender)
}

export interface ListEntry {
  readonly userName: string
  readonly name: string
  readonly kind: ContactView["kind"] | "unknown"
  readonly pinned: boolean
  readonly muted: boolean
  readonly unread: number
}

/** Case- and width-insensitive form for matching (fullwidth Ｌatin matches latin; CJK as is). */
const fold = (text: string): string => text.normalize("NFKC").toLocaleLowerCase()

const matches = (contact: ContactView | undefined, userName: string, query: string): boolean => {
  if (query.length === 0) return true
  const q = fold(query)
  const names =
    contact === undefined ? [userName] : [contact.displayName, contact.remarkName, contact.nickName]
  return names.some((name) => fold(name).includes(q))
}

/** Official accounts and helpers (filehelper, newsapp…) go after people and groups. */
const rank = (kind: ListEntry["kind"]): number =>
  kind === "official" || kind === "special" ? 1 : 0

/**
 * The list as shown: friends, groups and chats with strangers, filtered by the search; pinned
 * first, then the most recently active, then by name; official and special accounts last.
 */
export const listEntries = (state: ChatState): ReadonlyArray<ListEntry> => {
  const entries: Array<ListEntry & { readonly active: number }> = []
  const add = (userName: string, contact: ContactView | undefined) => {
    if (!matches(contact, userName, state.search ?? "")) return
    entries.push({
      userName,
      name: contact === undefined ? userName : contactName(contact),
      kind: contact?.kind ?? "unknown",
      pinned: contact?.pinned ?? false,
      muted: contact?.muted ?? false,
      unread: state.unread.get(userName) ?? 0,
      active: state.lastActivity.get(userName) ?? 0,
    })
  }
  for (const [userName, contact] of state.contacts) add(userName, contact)
  for (const userName of state.conversations.keys())
    if (!state.contacts.has(userName)) add(userName, undefined)
  entries.sort(
    (a, b) =>
      rank(a.kind) - rank(b.kind) ||
      Number(b.pinned) - Number(a.pinned) ||
      b.active - a.active ||
      a.name.localeCompare(b.name),
  )
  return entries.map(({ active: _active, ...entry }) => entry)
}

/** The last message this client sent in `chat` that can still be revoked. */
export const lastRevocable = (state: ChatState, chat: string): ChatMessage | undefined =>
  (state.conversations.get(chat) ?? []).findLast(
    (m) => m.self && m.status === "sent" && m.msgId !== undefined && m.localId !== undefined,
  )

export const draftOf = (state: ChatState, chat: string | undefined): Draft =>
  (chat === undefined ? undefined : state.drafts.get(chat)) ?? emptyDraft

// ---------------------------------------------------------------------------------------------
// What happens: events from the fleet and answers to our commands

export type Action =
  | { readonly _tag: "Resized"; readonly viewport: Viewport }
  | { readonly _tag: "ContactsLoaded"; readonly contacts: ReadonlyArray<ContactView> }
  | { readonly _tag: "ContactChanged"; readonly event: ContactEvent }
  | {
      readonly _tag: "SessionChanged"
      readonly state: SessionStateName
      readonly self: ChatState["self"]
    }
  | { readonly _tag: "NatsChanged"; readonly nats: NatsState }
  | { readonly _tag: "MessageReceived"; readonly message: Message }
  | {
      readonly _tag: "Sent"
      readonly chat: string
      readonly key: string
      readonly msgId: string
      readonly localId: string
    }
  | {
      readonly _tag: "SendFailed"
      readonly chat: string
      readonly key: string
      readonly error: string
    }
  | { readonly _tag: "Revoked"; readonly chat: string; readonly key: string }
  | {
      readonly _tag: "RevokeFailed"
      readonly chat: string
      readonly key: string
      readonly error: string
    }
  | { readonly _tag: "Failed"; readonly error: string }
  | { readonly _tag: "Info"; readonly text: string }

const withEntry = <K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> =>
  new Map(map).set(key, value)

const withoutEntry = <K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> => {
  const copy = new Map(map)
  copy.delete(key)
  return copy
}

const updateMessage = (
  state: ChatState,
  chat: string,
  key: string,
  f: (message: ChatMessage) => ChatMessage,
): ChatState => {
  const messages = state.conversations.get(chat)
  if (messages === undefined) return state
  return {
    ...state,
    conversations: withEntry(
      state.conversations,
      chat,
      messages.map((m) => (m.key === key ? f(m) : m)),
    ),
  }
}

const append = (state: ChatState, chat: string, message: ChatMessage): ChatState => {
  const messages = state.conversations.get(chat) ?? []
  return {
    ...state,
    conversations: withEntry(
      state.conversations,
      chat,
      [...messages, message].slice(-MAX_MESSAGES),
    ),
    lastActivity: withEntry(
      state.lastActivity,
      chat,
      Math.max(message.at, state.lastActivity.get(chat) ?? 0),
    ),
  }
}

/** A send to filehelper comes back as an event, maybe before the send's reply: keep our line. */
const dropEcho = (state: ChatState, chat: string, msgId: string): ChatState => {
  const messages = state.conversations.get(chat) ?? []
  const kept = messages.filter(
    (m) => m.msgId !== msgId || m.self === false || m.status !== "received",
  )
  return kept.length === messages.length
    ? state
    : { ...state, conversations: withEntry(state.conversations, chat, kept) }
}

const receive = (state: ChatState, message: Message): ChatState => {
  const chat = message.chat
  const messages = state.conversations.get(chat) ?? []
  if (message._tag === "Revoke") {
    const target =
      message.revokedMsgId === "0"
        ? messages.findLast((m) => m.self && m.status !== "revoked")
        : messages.find((m) => m.msgId === message.revokedMsgId)
    if (target !== undefined)
      return updateMessage(state, chat, target.key, (m) => ({ ...m, status: "revoked" }))
  }
  const text = summarize(message)
  // Each message once: a batch published again, or our own send echoed back, is not shown twice.
  if (text === undefined || messages.some((m) => m.msgId === message.id)) return state
  const notice = message._tag === "SystemNotice" || message._tag === "Revoke"
  const next = append(state, chat, {
    key: message.id,
    msgId: message.id,
    localId: undefined,
    sender: message.sender,
    self: message.isSelf,
    notice,
    at: message.createTime,
    text,
    status: "received",
  })
  const seen = message.isSelf || chat === state.open
  return seen
    ? next
    : { ...next, unread: withEntry(next.unread, chat, (next.unread.get(chat) ?? 0) + 1) }
}

/** Applies what happened outside the keyboard. */
export const reduce = (state: ChatState, action: Action): ChatState => {
  switch (action._tag) {
    case "Resized":
      return settle({ ...state, viewport: action.viewport })
    case "ContactsLoaded":
      return settle({ ...state, contacts: new Map(action.contacts.map((c) => [c.userName, c])) })
    case "ContactChanged": {
      const { contact, userName } = action.event
      return settle({
        ...state,
        contacts:
          contact === undefined
            ? withoutEntry(state.contacts, userName)
            : withEntry(state.contacts, userName, contact),
      })
    }
    case "SessionChanged":
      return { ...state, session: action.state, self: action.self ?? state.self }
    case "NatsChanged":
      return { ...state, nats: action.nats }
    case "MessageReceived":
      return settle(receive(state, action.message))
    case "Sent":
      return updateMessage(
        dropEcho(state, action.chat, action.msgId),
        action.chat,
        action.key,
        (m) => ({
          ...m,
          key: action.msgId,
          msgId: action.msgId,
          localId: action.localId,
          status: m.status === "sending" ? "sent" : m.status,
        }),
      )
    case "SendFailed":
      return {
        ...updateMessage(state, action.chat, action.key, (m) => ({ ...m, status: "failed" })),
        status: { kind: "error", text: `not sent: ${action.error}` },
      }
    case "Revoked":
      return {
        ...updateMessage(state, action.chat, action.key, (m) => ({ ...m, status: "revoked" })),
        status: { kind: "info", text: "revoked" },
      }
    case "RevokeFailed":
      return {
        ...updateMessage(state, action.chat, action.key, (m) => ({
          ...m,
          status: m.status === "revoking" ? "sent" : m.status,
        })),
        status: { kind: "error", text: `not revoked: ${action.error}` },
      }
    case "Failed":
      return { ...state, status: { kind: "error", text: action.error } }
    case "Info":
      return { ...state, status: { kind: "info", text: action.text } }
  }
}

/** Keeps the list's cursor on an entry that is shown, and on screen. */
const settle = (state: ChatState): ChatState => {
  const entries = listEntries(state)
  let index = entries.findIndex((e) => e.userName === state.selected)
  if (index < 0) index = 0
  const selected = entries[index]?.userName
  const rows = layout(state.viewport).bodyRows
  const maxOffset = Math.max(0, entries.length - rows)
  const listOffset = Math.min(
    maxOffset,
    Math.max(0, Math.min(state.listOffset, index), index - rows + 1),
  )
  return selected === state.selected && listOffset === state.listOffset
    ? state
    : { ...state, selected, listOffset }
}

// ---------------------------------------------------------------------------------------------
// The keyboard

/** A key as ink reports it: the text typed, and which special key it was. */
export type KeyPress = { readonly input: string } & Partial<
  Readonly<
    Record<
      | "upArrow"
      | "downArrow"
      | "leftArrow"
      | "rightArrow"
      | "pageUp"
      | "pageDown"
      | "home"
      | "end"
      | "return"
      | "escape"
      | "ctrl"
      | "meta"
      | "tab"
      | "backspace"
      | "delete",
      boolean
    >
  >
>

/** What a key asks the fleet (or the process) to do; its outcome comes back as an Action. */
export type Intent =
  | {
      readonly _tag: "SendText"
      readonly chat: string
      readonly key: string
      readonly text: string
    }
  | {
      readonly _tag: "SendMedia"
      readonly chat: string
      readonly key: string
      readonly kind: "image" | "file"
      readonly path: string
    }
  | {
      readonly _tag: "Revoke"
      readonly chat: string
      readonly key: string
      readonly msgId: string
      readonly localId: string
    }
  | { readonly _tag: "ReloadContacts" }
  | { readonly _tag: "Quit" }

export interface KeyOutcome {
  readonly state: ChatState
  readonly intent: Intent | undefined
}

/** Keys, shown by /help. */
export const HELP: ReadonlyArray<readonly [string, string]> = [
  ["type, or /", "search the list by name"],
  ["↑ ↓ PgUp PgDn", "move in the list, scroll a chat"],
  ["Enter", "open the chat; in a chat, send"],
  ["Esc", "clear the search; back to the list"],
  ["Tab", "between the list and the chat"],
  ["/image <path>", "send a picture (≤ 700 KiB)"],
  ["/file <path>", "send a file (≤ 700 KiB)"],
  ["/revoke", "take back your last message here"],
  ["//text", "send a text starting with /"],
  ["Ctrl-R", "read the contacts again"],
  ["Ctrl-C, /quit", "quit"],
]

const same = (state: ChatState): KeyOutcome => ({ state, intent: undefined })

const printable = (key: KeyPress): boolean =>
  key.input.length > 0 && key.ctrl !== true && key.meta !== true && !/^\p{Cc}/u.test(key.input)

/** Applies one key press; `now` (unix seconds) stamps what is sent. */
export const handleKey = (state: ChatState, key: KeyPress, now: number): KeyOutcome => {
  if (key.ctrl === true && key.input === "c") return { state, intent: { _tag: "Quit" } }
  if (key.ctrl === true && key.input === "r")
    return {
      state: { ...state, status: { kind: "info", text: "reloading contacts…" } },
      intent: { _tag: "ReloadContacts" },
    }
  return state.focus === "list" ? listKey(state, key) : chatKey(state, key, now)
}

const moveBy = (state: ChatState, delta: number): ChatState => {
  const entries = listEntries(state)
  if (entries.length === 0) return state
  const index = Math.max(
    0,
    entries.findIndex((e) => e.userName === state.selected),
  )
  const next = Math.max(0, Math.min(entries.length - 1, index + delta))
  return settle({ ...state, selected: entries[next]!.userName })
}

const openChat = (state: ChatState, chat: string): ChatState =>
  settle({
    ...state,
    focus: "chat",
    open: chat,
    selected: chat,
    search: undefined,
    scroll: 0,
    showHelp: false,
    status: state.status?.kind === "info" ? undefined : state.status,
    unread: withoutEntry(state.unread, chat),
  })

const searchFor = (state: ChatState, search: string | undefined): ChatState => {
  const searched = { ...state, search }
  const entries = listEntries(searched)
  // The cursor goes to the best match unless it is on a match already.
  const keep = entries.some((e) => e.userName === state.selected)
  return settle({
    ...searched,
    selected: keep ? state.selected : entries[0]?.userName,
    listOffset: 0,
  })
}

const listKey = (state: ChatState, key: KeyPress): KeyOutcome => {
  const page = layout(state.viewport).bodyRows
  if (key.upArrow === true) return same(moveBy(state, -1))
  if (key.downArrow === true) return same(moveBy(state, 1))
  if (key.pageUp === true) return same(moveBy(state, -page))
  if (key.pageDown === true) return same(moveBy(state, page))
  if (key.home === true) return same(moveBy(state, -Infinity))
  if (key.end === true) return same(moveBy(state, Infinity))
  if (key.return === true || key.input === "\n")
    return same(state.selected === undefined ? state : openChat(state, state.selected))
  if (key.escape === true)
    return same(state.search === undefined ? state : searchFor(state, undefined))
  if (key.tab === true) return same(state.open === undefined ? state : { ...state, focus: "chat" })
  if (key.backspace === true || key.delete === true) {
    if (state.search === undefined) return same(state)
    return same(
      searchFor(
        state,
        state.search.length === 0 ? undefined : Array.from(state.search).slice(0, -1).join(""),
      ),
    )
  }
  if (printable(key)) {
    const typed = oneLine(key.input)
    return same(
      searchFor(
        state,
        state.search === undefined ? typed.replace(/^\//, "") : state.search + typed,
      ),
    )
  }
  return same(state)
}

const editDraft = (state: ChatState, chat: string, e: Edit): ChatState => ({
  ...state,
  drafts: withEntry(state.drafts, chat, edit(draftOf(state, chat), e)),
})

const scrollBy = (state: ChatState, delta: number): ChatState => ({
  ...state,
  scroll: Math.max(0, state.scroll + delta),
})

const chatKey = (state: ChatState, key: KeyPress, now: number): KeyOutcome => {
  const chat = state.open
  if (chat === undefined) return same({ ...state, focus: "list" })
  const page = Math.max(1, layout(state.viewport).bodyRows - 1)
  if (key.escape === true)
    return same(
      state.showHelp
        ? { ...state, showHelp: false }
        : settle({ ...state, focus: "list", selected: chat }),
    )
  if (key.tab === true) return same(settle({ ...state, focus: "list", selected: chat }))
  if (key.return === true || key.input === "\n") return submit(state, chat, now)
  if (key.pageUp === true) return same(scrollBy(state, page))
  if (key.pageDown === true) return same(scrollBy(state, -page))
  if (key.upArrow === true) return same(scrollBy(state, 1))
  if (key.downArrow === true) return same(scrollBy(state, -1))
  const editing: Edit | undefined =
    key.leftArrow === true
      ? { _tag: "Left" }
      : key.rightArrow === true
        ? { _tag: "Right" }
        : key.home === true || (key.ctrl === true && key.input === "a")
          ? { _tag: "Home" }
          : key.end === true || (key.ctrl === true && key.input === "e")
            ? { _tag: "End" }
            : // Terminals send DEL for Backspace, which ink reports as `delete`.
              key.backspace === true || key.delete === true
              ? { _tag: "DeleteBack" }
              : key.ctrl === true && key.input === "d"
                ? { _tag: "DeleteForward" }
                : key.ctrl === true && key.input === "u"
                  ? { _tag: "Clear" }
                  : printable(key)
                    ? { _tag: "Insert", text: key.input }
                    : undefined
  return same(editing === undefined ? state : editDraft(state, chat, editing))
}

const submit = (state: ChatState, chat: string, now: number): KeyOutcome => {
  const submission = parseSubmission(draftText(draftOf(state, chat)))
  const cleared: ChatState = { ...state, drafts: withoutEntry(state.drafts, chat) }
  const outgoing = (text: string): ChatState =>
    append({ ...cleared, scroll: 0, nextLocal: state.nextLocal + 1 }, chat, {
      key: `local-${state.nextLocal}`,
      msgId: undefined,
      localId: undefined,
      sender: state.self?.userName ?? "",
      self: true,
      notice: false,
      at: now,
      text,
      status: "sending",
    })
  const key = `local-${state.nextLocal}`
  switch (submission._tag) {
    case "Nothing":
      return same(state)
    case "Invalid":
      return same({ ...state, status: { kind: "error", text: submission.reason } })
    case "Help":
      return same({ ...cleared, showHelp: true })
    case "Quit":
      return { state: cleared, intent: { _tag: "Quit" } }
    case "Text":
      return {
        state: settle(outgoing(submission.text)),
        intent: { _tag: "SendText", chat, key, text: submission.text },
      }
    case "Media":
      return {
        state: settle(outgoing(`[${submission.kind} ${basename(submission.path)}]`)),
        intent: { _tag: "SendMedia", chat, key, kind: submission.kind, path: submission.path },
      }
    case "Revoke": {
      const target = lastRevocable(state, chat)
      if (target === undefined)
        return same({
          ...cleared,
          status: { kind: "error", text: "nothing you sent here to revoke" },
        })
      return {
        state: updateMessage(cleared, chat, target.key, (m) => ({ ...m, status: "revoking" })),
        intent: {
          _tag: "Revoke",
          chat,
          key: target.key,
          msgId: target.msgId!,
          localId: target.localId!,
        },
      }
    }
  }
}
