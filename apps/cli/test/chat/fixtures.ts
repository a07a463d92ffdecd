import type { ContactView } from "@wxfleet/contracts"
import { Messages } from "@wxfleet/protocol"
import { Schema } from "effect"
import type { Message } from "../../src/chat/summary.js"

const decodeMessage = Schema.decodeUnknownSync(Messages.Message)

let nextId = 1000

/** A decoded message of kind `tag` from `from` in `chat` (the envelope filled in, `raw` empty). */
export const message = (
  tag: Message["_tag"],
  fields: {
    readonly chat: string
    readonly sender?: string
    readonly isSelf?: boolean
    readonly id?: string
  } & Record<string, unknown>,
): Message => {
  const id = fields.id ?? String(nextId++)
  return decodeMessage({
    _tag: tag,
    id,
    newMsgId: id,
    from: fields.chat,
    to: "@self",
    sender: fields.sender ?? fields.chat,
    isGroup: fields.chat.startsWith("@@"),
    isSelf: false,
    createTime: 1_795_497_880,
    raw: {},
    ...fields,
  })
}

export const text = (
  chat: string,
  body: string,
  more: { readonly sender?: string; readonly isSelf?: boolean; readonly id?: string } = {},
) => message("Text", { chat, text: body, mentions: [], mentionsSelf: false, ...more })

export const contact = (
  userName: string,
  nickName: string,
  more: Partial<Omit<ContactView, "userName" | "nickName">> = {},
): ContactView => ({
  userName,
  kind: userName.startsWith("@@") ? "group" : "person",
  nickName,
  remarkName: "",
  displayName: more.remarkName || nickName,
  pinned: false,
  muted: false,
  ...more,
})
