import type { MessageEvent, Violation } from "@wxfleet/contracts"
import type { Action, GroupPolicy } from "./ModerationConfig.js"

export interface Finding {
  readonly violation: Violation
  /** What matched, for people: the word, the link… */
  readonly detail: string
  readonly action: Action
}

type Message = MessageEvent["message"]

/** `http(s)://…`, `www.…`, or a bare `name.tld/…`. */
const LINK =
  /\bhttps?:\/\/\S+|\bwww\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|io|cn|co|me|xyz|top|info|ly|cc)(?:\/\S*)?/iu

const textOf = (message: Message): string | undefined =>
  message._tag === "Text" || message._tag === "Quote" ? message.text : undefined

/** What a message's content breaks, if anything: banned words, links, cards, mini programs. */
export const contentFinding = (policy: GroupPolicy, message: Message): Finding | undefined => {
  const text = textOf(message)
  const banned = policy.bannedWords
  if (text !== undefined && banned !== undefined) {
    const lower = text.toLocaleLowerCase()
    const word = banned.words.find((w) => lower.includes(w.toLocaleLowerCase()))
    if (word !== undefined)
      return { violation: "banned_word", detail: `banned word "${word}"`, action: banned.action }
    const pattern = banned.patterns.find((p) => new RegExp(p, "iu").test(text))
    if (pattern !== undefined)
      return {
        violation: "banned_word",
        detail: `banned pattern /${pattern}/`,
        action: banned.action,
      }
  }
  if (policy.links !== undefined) {
    const link =
      message._tag === "Link" ? message.url : text !== undefined ? LINK.exec(text)?.[0] : undefined
    if (link !== undefined)
      return { violation: "link", detail: `link ${link}`, action: policy.links.action }
  }
  if (policy.cards !== undefined && message._tag === "Card") {
    return {
      violation: "card",
      detail: `contact card of ${message.nickName}`,
      action: policy.cards.action,
    }
  }
  if (policy.miniPrograms !== undefined && message._tag === "MiniProgram") {
    return {
      violation: "mini_program",
      detail: `mini program ${message.title}`,
      action: policy.miniPrograms.action,
    }
  }
  return undefined
}

/** How people read a violation, in a warning or a notice. */
export const reasonOf = (finding: Finding): string => {
  switch (finding.violation) {
    case "banned_word":
      return "that word is not allowed here"
    case "link":
      return "links are not allowed here"
    case "card":
      return "contact cards are not allowed here"
    case "mini_program":
      return "mini programs are not allowed here"
    case "flood":
      return "too many messages"
    case "spam":
      return "the same message in several groups"
  }
}
