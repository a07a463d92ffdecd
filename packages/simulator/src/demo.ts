import { speak, type MessageSpec } from "./world/speak.js"
import type { World } from "./world/World.js"

/** The demo's fleet: three accounts on different home hosts. */
export const DEMO_ACCOUNTS = ["wxid_fleet1", "wxid_fleet2", "wxid_fleet3"] as const

const FRIENDS = ["wxid_alice", "wxid_bob", "wxid_carol"] as const

const LINES = [
  "早上好！",
  "Are we still on for Saturday?",
  "哈哈哈😂",
  "Can you send me the report?",
  "晚上一起吃饭吗？",
  "I'll be 10 minutes late",
  "收到，谢谢",
  "Did you see the news today?",
] as const

/** A small world to play with: three fleet accounts, three friends, an official account, a group. */
export const buildDemoWorld = (world: World): { readonly roomId: string } => {
  world.addAccount({ wxid: "wxid_fleet1", nickName: "Fleet One", home: "wx2.qq.com" })
  world.addAccount({ wxid: "wxid_fleet2", nickName: "Fleet Two", home: "wx.qq.com" })
  world.addAccount({ wxid: "wxid_fleet3", nickName: "Fleet Three", home: "web.wechat.com" })
  world.addPerson({ wxid: "wxid_alice", nickName: "Alice", sex: 2, province: "北京", city: "海淀" })
  world.addPerson({ wxid: "wxid_bob", nickName: "Bob", sex: 1 })
  world.addPerson({
    wxid: "wxid_carol",
    nickName: 'Carol<span class="emoji emoji1f340"></span>',
    sex: 2,
  })
  world.addPerson({ wxid: "gh_news", nickName: "News Daily", verifyFlag: 24 })
  for (const account of DEMO_ACCOUNTS) {
    for (const friend of [...FRIENDS, "gh_news"]) world.befriend(account, friend)
  }
  world.befriend("wxid_fleet1", "wxid_fleet2")
  const group = world.addGroup({
    topic: "Weekend hikers",
    owner: "wxid_alice",
    members: ["wxid_fleet1", "wxid_fleet2", "wxid_bob", { wxid: "wxid_carol", displayName: "Caz" }],
  })
  return { roomId: group.roomId }
}

/**
 * Friends chat with the fleet accounts that are logged in: every `intervalMs` one of them says
 * something to an account or in the group. Returns the function that stops them.
 */
export const startChatter = (
  world: World,
  roomId: string,
  intervalMs: number,
  onSaid: (from: string, to: string, kind: string) => void,
): (() => void) => {
  let turn = 0
  const timer = setInterval(() => {
    turn++
    const online = DEMO_ACCOUNTS.filter((wxid) => world.accounts.get(wxid)?.session !== undefined)
    if (online.length === 0) return
    const from = pick(FRIENDS)
    const members = new Set(world.group(roomId).members.map((m) => m.wxid))
    const inGroup = turn % 4 === 0 && online.some((wxid) => members.has(wxid))
    const to = inGroup ? roomId : pick(online)
    const spec: MessageSpec =
      turn % 7 === 0 ? { kind: "image" } : { kind: "text", text: pick(LINES) }
    speak(world, from, to, spec)
    onSaid(from, to, spec.kind)
  }, intervalMs)
  return () => clearInterval(timer)
}

const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(Math.random() * items.length)]!
