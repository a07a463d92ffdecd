import type { NoticeEvent, Party } from "./Message.js"

/** How notices name this account. */
const SELF_NAMES: ReadonlySet<string> = new Set(["你", "You", "you"])

const party = (name: string): Party => ({ name: name.trim(), isSelf: SELF_NAMES.has(name.trim()) })

/** Several names inside one pair of quotes are joined by `、`. */
const parties = (names: string): ReadonlyArray<Party> => names.split("、").map(party)

const self = (name: string): Party => ({ name, isSelf: true })

type Reader = readonly [pattern: RegExp, read: (match: RegExpExecArray) => NoticeEvent]

const get = (match: RegExpExecArray, group: number): string => match[group] ?? ""

const joined = (
  inviter: Party,
  invitees: ReadonlyArray<Party>,
  viaQrCode = false,
): NoticeEvent => ({
  _tag: "Joined",
  inviter,
  invitees,
  viaQrCode,
})

const removed = (names: ReadonlyArray<Party>, by: Party): NoticeEvent => ({
  _tag: "Removed",
  removed: names,
  by,
})

const renamed = (topic: string, by: Party): NoticeEvent => ({ _tag: "Renamed", topic, by })

const friendAdded = (name: string, addedBy: "self" | "peer"): NoticeEvent => ({
  _tag: "FriendAdded",
  name,
  addedBy,
})

/**
 * The notice texts the server writes, zh and en, as captured by puppet-wechat's tests and what the
 * server says to the other parties. Trailing spaces (a stripped "undo" link) are trimmed before.
 */
const READERS: ReadonlyArray<Reader> = [
  [/^"(.+?)"邀请"(.+)"加入了群聊$/, (m) => joined(party(get(m, 1)), parties(get(m, 2)))],
  [/^你邀请"(.+)"加入了群聊$/, (m) => joined(self("你"), parties(get(m, 1)))],
  [/^"(.+?)"邀请你加入了群聊$/, (m) => joined(party(get(m, 1)), [self("你")])],
  [
    /^"(.+?)"邀请你和"(.+)"加入了群聊$/,
    (m) => joined(party(get(m, 1)), [self("你"), ...parties(get(m, 2))]),
  ],
  [
    /^(.+?) invited (.+?) to the group chat\.?$/,
    (m) => joined(party(get(m, 1)), parties(get(m, 2))),
  ],
  [/^"(.+?)"通过扫描你分享的二维码加入群聊$/, (m) => joined(self("你"), [party(get(m, 1))], true)],
  [
    /^"(.+?)"通过扫描"(.+?)"分享的二维码加入群聊$/,
    (m) => joined(party(get(m, 2)), [party(get(m, 1))], true),
  ],
  [
    /^"(.+?)" joined group chat via the QR code you shared\.?$/,
    (m) => joined(self("you"), [party(get(m, 1))], true),
  ],
  [
    /^"(.+?)" joined the group chat via the QR Code shared by "(.+?)"\.?$/,
    (m) => joined(party(get(m, 2)), [party(get(m, 1))], true),
  ],
  [/^你将"(.+)"移出了群聊$/, (m) => removed(parties(get(m, 1)), self("你"))],
  [/^你被"(.+)"移出群聊$/, (m) => removed([self("你")], party(get(m, 1)))],
  [/^You removed "(.+)" from the group chat\.?$/, (m) => removed(parties(get(m, 1)), self("You"))],
  [
    /^You were removed from the group chat by "(.+)"\.?$/,
    (m) => removed([self("You")], party(get(m, 1))),
  ],
  // The topic is in curly quotes in zh, straight ones in en.
  [/^"(.+?)"修改群名为“(.*)”$/, (m) => renamed(get(m, 2), party(get(m, 1)))],
  [/^你修改群名为“(.*)”$/, (m) => renamed(get(m, 1), self("你"))],
  [/^"?(.+?)"? changed the group name to "(.*)"\.?$/, (m) => renamed(get(m, 2), party(get(m, 1)))],
  [/^你已添加了(.+)，现在可以开始聊天了。$/, (m) => friendAdded(get(m, 1), "self")],
  [
    /^You have added (.+) as your WeChat contact\. Start chatting!$/,
    (m) => friendAdded(get(m, 1), "self"),
  ],
  [/^(.+)刚刚把你添加到通讯录，现在可以开始聊天了。$/, (m) => friendAdded(get(m, 1), "peer")],
  [
    /^(.+) just added you to his\/her contacts list\. Send a message to him\/her now!$/,
    (m) => friendAdded(get(m, 1), "peer"),
  ],
]

/** What a notice says happened, when it is one of the texts we know. */
export const noticeEvent = (text: string): NoticeEvent | undefined => {
  const trimmed = text.trim()
  for (const [pattern, read] of READERS) {
    const match = pattern.exec(trimmed)
    if (match) return read(match)
  }
  return undefined
}

/** The web cannot open red packets; the server says so, to the receiver and to the sender's phone. */
export const redPacketNotice = (text: string): "received" | "sent" | undefined =>
  text.startsWith("收到红包") ? "received" : text.startsWith("发出红包") ? "sent" : undefined
