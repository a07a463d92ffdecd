import { draftWindow } from "./composer.js"
import {
  HELP,
  chatName,
  draftOf,
  layout,
  listEntries,
  senderName,
  type ChatMessage,
  type ChatState,
  type ListEntry,
} from "./model.js"
import { displayWidth, fit, oneLine, sanitize, truncate, wrap } from "./width.js"

/** How a piece of a line looks (named as ink's `<Text>` props, so they pass straight through). */
export interface Style {
  readonly inverse?: boolean
  readonly bold?: boolean
  readonly dimColor?: boolean
  readonly color?: "red" | "green" | "cyan" | "yellow" | "magenta"
}

export interface Segment {
  readonly text: string
  readonly style: Style
}

/** One terminal line, exactly as wide as the screen. */
export type Row = ReadonlyArray<Segment>

const seg = (text: string, style: Style = {}): Segment => ({ text, style })

export const rowText = (row: Row): string => row.map((s) => s.text).join("")

/** `HH:MM` in local time. */
export const localTime = (unixSeconds: number): string => {
  const d = new Date(unixSeconds * 1000)
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`
}

/** Longest sender name shown before a message. */
const NAME_WIDTH = 16

const statusMark: Record<ChatMessage["status"], string> = {
  received: "",
  sent: "",
  sending: " …",
  failed: " [not sent]",
  revoking: " [revoking…]",
  revoked: " [revoked]",
}

const statusStyle = (message: ChatMessage): Style =>
  message.status === "failed"
    ? { color: "red" }
    : message.status === "revoked" || message.status === "sending"
      ? { dimColor: true }
      : {}

/** A message as conversation lines: time, sender and text, continuation lines under the text. */
const messageRows = (
  state: ChatState,
  chat: string,
  message: ChatMessage,
  width: number,
  time: (unixSeconds: number) => string,
): Array<Row> => {
  const stamp = `${time(message.at)} `
  const indent = displayWidth(stamp)
  const room = Math.max(4, width - indent)
  const body = sanitize(message.text) + statusMark[message.status]
  if (message.notice)
    return wrap(`— ${body}`, room).map((line, i) => [
      seg(i === 0 ? stamp : " ".repeat(indent), { dimColor: true }),
      seg(line, { dimColor: true }),
    ])
  const isGroup = chat.startsWith("@@") || state.contacts.get(chat)?.kind === "group"
  const name = truncate(message.self ? "me" : senderName(state, chat, message.sender), NAME_WIDTH)
  const nameStyle: Style = message.self
    ? { color: "green" }
    : isGroup
      ? { color: "yellow" }
      : { color: "cyan" }
  const lines = wrap(`${name}: ${body}`, room)
  return lines.map((line, i) => {
    const lead = seg(i === 0 ? stamp : " ".repeat(indent), { dimColor: true })
    if (i === 0 && line.startsWith(`${name}:`))
      return [
        lead,
        seg(name, { ...nameStyle, bold: true }),
        seg(line.slice(name.length), statusStyle(message)),
      ]
    return [lead, seg(line, statusStyle(message))]
  })
}

const allMessageRows = (
  state: ChatState,
  chat: string,
  width: number,
  time: (s: number) => string,
): Array<Row> =>
  (state.conversations.get(chat) ?? []).flatMap((m) => messageRows(state, chat, m, width, time))

/** The state with its conversation scrolled no further up than its first line. */
export const clampScroll = (state: ChatState): ChatState => {
  if (state.scroll === 0 || state.open === undefined) return state
  const { chatWidth, bodyRows } = layout(state.viewport)
  const limit = Math.max(
    0,
    allMessageRows(state, state.open, chatWidth, localTime).length - bodyRows,
  )
  return state.scroll <= limit ? state : { ...state, scroll: limit }
}

/** The conversation pane's lines, newest at the bottom, `scroll` lines up from the end. */
const conversationRows = (
  state: ChatState,
  width: number,
  height: number,
  time: (s: number) => string,
): Array<Row> => {
  if (state.showHelp)
    return [
      [seg("Keys", { bold: true })],
      ...HELP.map(([keys, what]) => [seg(fit(keys, 15), { color: "cyan" }), seg(what)]),
      [seg("Esc closes this help", { dimColor: true })],
    ]
  const chat = state.open
  if (chat === undefined)
    return [
      [seg("Pick a chat on the left and press Enter.", { dimColor: true })],
      [seg("Type to search by name; /help in a chat lists the keys.", { dimColor: true })],
    ]
  const messages = state.conversations.get(chat) ?? []
  if (messages.length === 0)
    return [[seg("No messages yet: new ones show up here as they arrive.", { dimColor: true })]]
  const rows = allMessageRows(state, chat, width, time)
  const end = rows.length - Math.min(state.scroll, Math.max(0, rows.length - height))
  const visible = rows.slice(Math.max(0, end - height), end)
  return [...Array<Row>(Math.max(0, height - visible.length)).fill([]), ...visible]
}

const KIND_MARK: Record<ListEntry["kind"], string> = {
  person: " ",
  group: "#",
  official: "*",
  special: "*",
  unknown: "?",
}

const listRow = (state: ChatState, entry: ListEntry | undefined, width: number): Row => {
  if (entry === undefined) return [seg(" ".repeat(width))]
  const badge = entry.unread > 0 ? ` ${entry.unread > 99 ? "99+" : entry.unread} ` : ""
  const selected = entry.userName === state.selected
  const open = entry.userName === state.open
  const style: Style = selected
    ? state.focus === "list"
      ? { inverse: true }
      : { bold: true }
    : open
      ? { bold: true }
      : entry.kind === "official" || entry.kind === "special"
        ? { dimColor: true }
        : {}
  return [
    seg(fit(`${KIND_MARK[entry.kind]}${entry.name}`, width - displayWidth(badge)), style),
    seg(badge, { color: "yellow", bold: true, inverse: true }),
  ]
}

const hint = (state: ChatState): string =>
  state.focus === "list"
    ? state.search === undefined
      ? "type to search · ↑↓ PgUp PgDn move · Enter open · Ctrl-C quit"
      : "Enter open · Esc clear search · ↑↓ move"
    : "Enter send · Esc list · PgUp/PgDn scroll · /help"

/**
 * The whole screen: a title line, the list and the conversation side by side, the composer and
 * the status line; every row exactly `viewport.cols` wide, one row less than the terminal.
 */
export const screen = (
  state: ChatState,
  time: (unixSeconds: number) => string = localTime,
): ReadonlyArray<Row> => {
  const { cols, listWidth, chatWidth, bodyRows } = layout(state.viewport)
  const entries = listEntries(state)
  const bar: Style = { inverse: true }

  const listTitle =
    state.search === undefined
      ? ` Chats (${entries.length})`
      : ` /${oneLine(state.search)}▏ ${entries.length} found`
  const openContact = state.open === undefined ? undefined : state.contacts.get(state.open)
  const chatTitle =
    state.open === undefined
      ? " no chat open"
      : ` ${chatName(state, state.open)}` +
        (openContact?.members === undefined || openContact.members.length === 0
          ? ""
          : ` · ${openContact.members.length} members`) +
        (state.scroll > 0 ? " · scrolled up (PgDn)" : "")
  const rows: Array<Row> = [
    [
      seg(fit(listTitle, listWidth), bar),
      seg("│"),
      seg(fit(chatTitle, chatWidth), { ...bar, bold: true }),
    ],
  ]

  const conversation = conversationRows(state, chatWidth, bodyRows, time)
  for (let i = 0; i < bodyRows; i++) {
    const line = conversation[i] ?? []
    const used = line.reduce((sum, s) => sum + displayWidth(s.text), 0)
    const fitted =
      used <= chatWidth
        ? [...line, seg(" ".repeat(chatWidth - used))]
        : [seg(fit(rowText(line), chatWidth))]
    rows.push([...listRow(state, entries[state.listOffset + i], listWidth), seg("│"), ...fitted])
  }

  const prompt = "› "
  if (state.focus === "chat" && state.open !== undefined) {
    const room = cols - displayWidth(prompt)
    const { before, at, after } = draftWindow(draftOf(state, state.open), room)
    const used = displayWidth(before) + displayWidth(at) + displayWidth(after)
    rows.push([
      seg(prompt, { bold: true }),
      seg(before),
      seg(at, { inverse: true }),
      seg(after + " ".repeat(Math.max(0, room - used))),
    ])
  } else {
    rows.push([
      seg(fit(`${prompt}${state.open === undefined ? "" : "Tab: back to the chat"}`, cols), {
        dimColor: true,
      }),
    ])
  }

  const who =
    state.self === undefined ? state.account : `${state.account} (${oneLine(state.self.nickName)})`
  const connection = state.nats === "connected" ? state.session : `NATS ${state.nats}`
  const left = ` ${who} · ${connection} `
  const leftWidth = Math.min(displayWidth(left), Math.floor(cols / 2))
  const healthy = state.nats === "connected" && state.session === "logged_in"
  const message = state.status ?? { kind: "info" as const, text: hint(state) }
  rows.push([
    seg(fit(left, leftWidth), { inverse: true, color: healthy ? "green" : "red" }),
    seg(
      fit(` ${oneLine(message.text)}`, cols - leftWidth),
      message.kind === "error"
        ? { color: "red", bold: true }
        : { dimColor: state.status === undefined },
    ),
  ])
  return rows
}
