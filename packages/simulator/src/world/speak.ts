import { newMsgId } from "./ids.js"
import {
  cardDraft,
  emoticonDraft,
  fileDraft,
  imageDraft,
  linkDraft,
  locationDraft,
  miniProgramDraft,
  quoteDraft,
  redPacketDraft,
  revokeDraft,
  systemDraft,
  textDraft,
  transferDraft,
  unknownAppDraft,
  videoDraft,
  voiceDraft,
  type Utterance,
  type View,
} from "./kinds.js"
import type { MessageDraft } from "./model.js"
import type { World } from "./World.js"

/** Every kind of message a friend (or a phone) can send, in the terms of the world. */
export type MessageSpec =
  | {
      kind: "text"
      text: string
      /** wxids @-mentioned (groups): "@<display name>\u2005" inserted before text. */
      mentions?: ReadonlyArray<string>
    }
  /** width/height: the picture's size; `ImgWidth`/`ImgHeight` report its thumbnail (fit to 120 px). */
  | { kind: "image"; bytes?: Uint8Array; width?: number; height?: number }
  | { kind: "voice"; durationMs?: number; bytes?: Uint8Array }
  | { kind: "video"; seconds?: number; bytes?: Uint8Array }
  /** store: a sticker from the sticker store (no content, `HasProductId` 1). */
  | { kind: "emoticon"; md5?: string; store?: boolean }
  | { kind: "location"; label: string; lat: number; lng: number; poiname?: string }
  | { kind: "card"; wxid: string }
  | { kind: "link"; title: string; url: string; description?: string; source?: string }
  /** size: the `FileSize` reported; without bytes, that many filler bytes are generated. */
  | { kind: "file"; name: string; bytes?: Uint8Array; size?: number }
  /** amount: yuan as written, e.g. "0.10". */
  | { kind: "transfer"; amount: string; memo?: string }
  | { kind: "redPacket"; variant?: "notice" | "appmsg" }
  | { kind: "miniProgram"; title: string; appId: string; pagePath?: string; sourceName?: string }
  /** quotedFrom: wxid of the quoted message's sender. */
  | { kind: "quote"; text: string; quotedMsgId: string; quotedFrom: string; quotedText: string }
  | { kind: "revoke"; msgId: string }
  | { kind: "system"; text: string }
  | { kind: "unknownApp"; appMsgType: number; title: string }

type Kind = MessageSpec["kind"]

/** One entry per kind, so a kind added to MessageSpec but not listed here fails to compile. */
const KINDS: { readonly [K in Kind]: null } = {
  text: null,
  image: null,
  voice: null,
  video: null,
  emoticon: null,
  location: null,
  card: null,
  link: null,
  file: null,
  transfer: null,
  redPacket: null,
  miniProgram: null,
  quote: null,
  revoke: null,
  system: null,
  unknownApp: null,
}

export const MESSAGE_KINDS: ReadonlyArray<Kind> = Object.keys(KINDS) as Array<Kind>

const draftOf = (spec: MessageSpec, u: Utterance, view: View): MessageDraft => {
  switch (spec.kind) {
    case "text":
      return textDraft(spec, u)
    case "image":
      return imageDraft(spec, u)
    case "voice":
      return voiceDraft(spec, u)
    case "video":
      return videoDraft(spec, u)
    case "emoticon":
      return emoticonDraft(spec, u)
    case "location":
      return locationDraft(spec, u)
    case "card":
      return cardDraft(spec, u)
    case "link":
      return linkDraft(spec, u)
    case "file":
      return fileDraft(spec, u)
    case "transfer":
      return transferDraft(spec, u)
    case "redPacket":
      return redPacketDraft(spec, u, view)
    case "miniProgram":
      return miniProgramDraft(spec, u)
    case "quote":
      return quoteDraft(spec, u)
    case "revoke":
      return revokeDraft(spec, u, view)
    case "system":
      return systemDraft(spec)
    case "unknownApp":
      return unknownAppDraft(spec, u)
  }
}

/** Server notices (MsgType 10000) come from the room itself: no `@sender:<br/>` prefix in groups. */
const isNotice = (spec: MessageSpec): boolean =>
  spec.kind === "system" || (spec.kind === "redPacket" && spec.variant !== "appmsg")

/** Kinds whose text on the speaker's own screen differs from what receivers read. */
const hasOwnView = (spec: MessageSpec): boolean =>
  spec.kind === "revoke" || (spec.kind === "redPacket" && spec.variant !== "appmsg")

/**
 * `from` says `spec` to `to` (a fleet account or a group roomId that `from` is a member of). When `from` is a fleet
 * account this is its phone speaking: its own web sessions receive the message too (From = self). Returns the MsgId.
 */
export function speak(
  world: World,
  from: string,
  to: string,
  spec: MessageSpec,
): { msgId: string } {
  world.person(from)
  const room = world.isRoom(to) ? world.group(to) : undefined
  if (room && !room.members.some((m) => m.wxid === from)) {
    throw new Error(`${from} is not a member of ${to}`)
  }
  if (!room && !world.accounts.has(to) && !world.accounts.has(from)) {
    throw new Error(`neither ${from} nor ${to} is a fleet account: nobody would receive this`)
  }
  if (!room) world.person(to)

  const msgId = newMsgId()
  const u: Utterance = { world, from, to, msgId, now: Math.floor(world.now() / 1000) }
  const theirs = draftOf(spec, u, "theirs")
  const own = hasOwnView(spec) && world.accounts.has(from) ? draftOf(spec, u, "own") : undefined

  if (room && isNotice(spec)) {
    for (const member of room.members) {
      const account = world.accounts.get(member.wxid)
      const draft = member.wxid === from ? (own ?? theirs) : theirs
      if (account) world.deliver(account, { msgId, from: to, to: member.wxid, draft })
    }
  } else if (own === undefined) {
    world.say(from, to, theirs, { msgId })
  } else {
    world.say(from, to, theirs, { msgId, echoToSender: false })
    const sender = world.accounts.get(from)
    if (sender && from !== to) world.deliver(sender, { msgId, from, to, draft: own })
  }
  return { msgId: msgId.toString() }
}
