import type { MessageEvent } from "@wxfleet/contracts"

/** A decoded message as message events carry it. */
export type Message = MessageEvent["message"]

const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000))

const sizeOf = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`

const joined = (...parts: ReadonlyArray<string>): string =>
  parts.filter((p) => p.length > 0).join(" ")

/**
 * What a conversation shows for a message: its text, or its kind in brackets with what matters
 * of it (`[image]`, `[file report.pdf 12 KB]`, `[voice 3s]`). Undefined for what is not shown
 * (the phone's status notifications).
 */
export const summarize = (message: Message): string | undefined => {
  switch (message._tag) {
    case "Text":
      return message.text
    case "Image":
      return "[image]"
    case "Voice":
      return `[voice ${seconds(message.durationMs)}s]`
    case "Video":
      return `[video ${Math.max(1, Math.round(message.seconds))}s]`
    case "Emoticon":
      return "[sticker]"
    case "Location":
      return `[location ${message.poiName || message.label}]`
    case "Card":
      return `[card ${message.nickName}]`
    case "Link":
      return `[link ${joined(message.title, message.url)}]`
    case "File":
      return `[file ${joined(message.fileName, message.size > 0 ? sizeOf(message.size) : "")}]`
    case "Transfer":
      return `[transfer ${joined(message.amount, message.memo)}]`
    case "RedPacket":
      return "[red packet]"
    case "MiniProgram":
      return `[mini program ${message.title}]`
    case "Quote":
      return `${message.text} [re ${message.quoted.displayName}: ${message.quoted.type === 1 ? message.quoted.content : "…"}]`
    case "FriendRequest":
      return `[friend request from ${joined(message.nickName, message.greeting && `"${message.greeting}"`)}]`
    case "SystemNotice":
      return message.text
    case "Revoke":
      return message.replaceText
    case "StatusNotify":
      return undefined
    case "Unknown":
      return `[unsupported message type ${message.msgType}${message.appMsgType > 0 ? `/${message.appMsgType}` : ""}]`
  }
}
