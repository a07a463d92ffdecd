import type { ContactEvent, MessageEvent, ModerationEvent, SessionEvent } from "@wxfleet/contracts"
import type { FleetEvent } from "../fleet/FleetClient.js"
import { plain, type Style } from "./Style.js"

type Message = MessageEvent["message"]

/** What the formatter knows about names: UserNames are opaque and change at each login. */
export interface Names {
  /** A contact or group as this account's session names it. */
  readonly contact: (account: string, userName: string) => string | undefined
  /** A member's name in a group (their group nickname, else their nickname). */
  readonly member: (account: string, room: string, userName: string) => string | undefined
  /** The account's own nickname, once it logged in. */
  readonly self: (account: string) => string | undefined
}

export const noNames: Names = { contact: () => undefined, member: () => undefined, self: () => undefined }

export interface FormatOptions {
  readonly style?: Style
  readonly names?: Names
}

const pad = (n: number): string => String(n).padStart(2, "0")

/** `HH:MM:SS` in local time; the text as given when it is not a date. */
export const clock = (iso: string): string => {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/** `@9ce5a1…`: enough of a UserName to tell it apart, when no name is known. */
export const shortUserName = (userName: string): string => {
  if (!userName.startsWith("@")) return userName
  const prefix = userName.startsWith("@@") ? 2 : 1
  return userName.length > prefix + 8 ? `${userName.slice(0, prefix + 6)}…` : userName
}

const sizeText = (bytes: number): string =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : bytes >= 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${bytes} B`

/** A message's content in one line: its text, or what kind of thing it is. */
export const messageSummary = (message: Message): string => {
  switch (message._tag) {
    case "Text":
      return message.text
    case "Image":
      return `[image ${message.width}×${message.height}${message.length > 0 ? `, ${sizeText(message.length)}` : ""}]`
    case "Voice":
      return `[voice ${Math.round(message.durationMs / 1000)} s]`
    case "Video":
      return `[video ${message.seconds} s]`
    case "Emoticon":
      return "[sticker]"
    case "Location":
      return `[location ${message.poiName || message.label}]`
    case "Card":
      return `[contact card: ${message.nickName}]`
    case "Link":
      return `[link ${message.title}${message.url ? ` ${message.url}` : ""}]`
    case "File":
      return `[file ${message.fileName}, ${sizeText(message.size)}]`
    case "Transfer":
      return `[transfer ${message.amount}${message.memo ? ` "${message.memo}"` : ""}]`
    case "RedPacket":
      return `[red packet${message.text ? `: ${message.text}` : ""}]`
    case "MiniProgram":
      return `[mini program ${message.title}${message.sourceName ? ` (${message.sourceName})` : ""}]`
    case "Quote":
      return `${message.text} [replying to ${message.quoted.displayName}: ${oneLine(message.quoted.content)}]`
    case "FriendRequest":
      return `[friend request from ${message.nickName}${message.greeting ? `: ${message.greeting}` : ""}]`
    case "SystemNotice":
      return `[notice] ${message.text}`
    case "Revoke":
      return `[revoked] ${message.replaceText}`
    case "StatusNotify":
      return `[phone status ${message.code}]`
    case "Unknown":
      return `[unknown MsgType ${message.msgType}${message.appMsgType ? `/${message.appMsgType}` : ""}: ${message.reason}]`
  }
}

const oneLine = (text: string): string => {
  const line = text.replace(/\s+/g, " ").trim()
  return line.length > 60 ? `${line.slice(0, 59)}…` : line
}

const sessionLine = (event: SessionEvent, style: Style): string => {
  const reason = event.reason === undefined ? "" : ` — ${event.reason.tag}: ${event.reason.message}`
  switch (event.state) {
    case "starting":
      return style.dim("starting")
    case "awaiting_scan":
      return `${style.warn("awaiting scan")}${event.qr === undefined ? "" : ` of QR ${event.qr.payload}`}`
    case "scanned":
      return `${style.warn("scanned")}, waiting for the phone to confirm`
    case "logged_in":
      return `${style.good("logged in")}${event.self === undefined ? "" : ` as ${style.bold(event.self.nickName)} (${shortUserName(event.self.userName)})`}${event.host === undefined ? "" : ` via ${event.host}`}`
    case "reconnecting":
      return `${style.warn("reconnecting")}${event.attempt === undefined ? "" : ` (attempt ${event.attempt})`}${event.host === undefined ? "" : ` to ${event.host}`}${reason}`
    case "logged_out":
      return `${style.bad("logged out")}${reason}`
    case "failed":
      return `${style.bad("failed")}${reason}`
  }
}

const messageLine = (event: MessageEvent, style: Style, names: Names): string => {
  const m = event.message
  const name = (userName: string) => names.contact(event.account, userName) ?? shortUserName(userName)
  const me = names.self(event.account) ?? "me"
  const sender = m.isSelf
    ? me
    : m.isGroup
      ? (names.member(event.account, m.chat, m.sender) ?? names.contact(event.account, m.sender) ?? shortUserName(m.sender))
      : name(m.sender)
  const chat = m.isGroup ? name(m.chat) : m.isSelf ? name(m.to) : me
  const text = messageSummary(m)
  return `${style.name(sender)} → ${style.bold(chat)}: ${m._tag === "Text" ? text : style.info(text)}`
}

const contactLine = (event: ContactEvent, style: Style): string => {
  const c = event.contact
  if (c === undefined) return `${style.dim(`contact ${event.change}:`)} ${shortUserName(event.userName)}`
  const members = c.members === undefined ? "" : `, ${c.members.length} members`
  return `${style.dim(`contact ${event.change}:`)} ${c.displayName || c.nickName || shortUserName(c.userName)} ${style.dim(`(${c.kind}${members})`)}`
}

const moderationLine = (event: ModerationEvent, style: Style): string => {
  const actions = event.actions
    .map((a) => (a.ok ? style.good(`${a.action} ✓`) : style.bad(`${a.action} ✗ ${a.error?.tag ?? ""}`.trimEnd())))
    .join(", ")
  return `${style.warn("moderation")} in ${style.bold(event.group)}: ${style.name(event.member.name)} ${event.violation.replace("_", " ")} (${event.detail})${actions ? ` → ${actions}` : ""}`
}

const timeOf = (event: FleetEvent): string | undefined => (event.kind === "undecodable" ? undefined : event.event.at)

/** One line for a person to read: time, account, then what happened. */
export const formatEvent = (event: FleetEvent, options: FormatOptions = {}): string => {
  const style = options.style ?? plain
  const names = options.names ?? noNames
  const at = timeOf(event)
  const head = `${style.dim(at === undefined ? "--:--:--" : clock(at))} ${style.account(event.account)} `
  switch (event.kind) {
    case "session":
      return head + sessionLine(event.event, style)
    case "message":
      return head + messageLine(event.event, style, names)
    case "contact":
      return head + contactLine(event.event, style)
    case "moderation":
      return head + moderationLine(event.event, style)
    case "undecodable":
      return head + style.bad(`cannot read ${event.subject}: ${event.reason}`)
  }
}

/** The event as one line of JSON, for scripts (`--json`). */
export const eventJson = (event: FleetEvent): string =>
  event.kind === "undecodable"
    ? JSON.stringify({ kind: event.kind, account: event.account, subject: event.subject, reason: event.reason })
    : JSON.stringify({ kind: event.kind, account: event.account, event: event.event })
