import { Messages, Session, type WxSession } from "@wxfleet/protocol"
import { requestFriend, Simulator, speak, type MessageSpec, type World } from "@wxfleet/simulator"
import { Effect, Either, ManagedRuntime } from "effect"
import { clientLayer, loginToFirstSync } from "./client.js"
import { parseServerJson } from "@wxfleet/protocol"

/** Real webwxsync answers, as the simulator sent them, and what the client needs to decode them. */
export interface Corpus {
  readonly name: string
  /** Each answer's body, byte for byte. */
  readonly bodies: ReadonlyArray<string>
  /** Each answer's `AddMsgList`, parsed with the protocol's `parseServerJson`. */
  readonly batches: ReadonlyArray<ReadonlyArray<unknown>>
  readonly messages: number
  readonly context: Messages.DecodeContext
  /** How many entries decode to each `_tag`, to show what the corpus holds. */
  readonly tags: Readonly<Record<string, number>>
}

export interface CorpusOptions {
  /** Distinct text messages to capture. */
  readonly textMessages: number
  /** Distinct messages of every kind to capture. */
  readonly mixedMessages: number
}

const BOT = "wxid_bench_bot"
/** The names the bot goes by: its nickname and its display name in the groups. */
const BOT_NAMES = ["Bench Bot", "小助手"]
/** Entries per webwxsync answer: the simulator's batch size, as the real server sends at most. */
const BATCH_SIZE = 100

/** A small deterministic generator (mulberry32), so every run captures the same corpus. */
const randomSource = (seed: number) => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  return {
    next,
    chance: (p: number): boolean => next() < p,
    pick: <T>(items: ReadonlyArray<T>): T => items[Math.floor(next() * items.length)]!,
  }
}
type Random = ReturnType<typeof randomSource>

const PHRASES = [
  "好的",
  "明天见",
  "我到了，在门口",
  "今晚吃什么？",
  "收到，谢谢！",
  "会议改到下午三点",
  "哈哈哈哈哈",
  "这个价格可以再便宜点吗",
  "你看下群公告",
  "刚下班，路上堵车，大概七点到",
  "周末去爬山吗",
  "文件发你邮箱了",
  "ok",
  "see you tomorrow",
  "sounds good to me",
  "can you send me the file?",
  "on my way",
  "meeting moved to 3pm",
  "lol",
  "let me check and get back to you",
  "price: 3 < 5 & 7 > 2",
  "<b>not bold</b>",
  "https://example.com/item?id=42&ref=chat",
  "第一行\n第二行",
]
const EMOJI = ["😄", "👍", "🎉", "❤️", "😂", "🙏", "🔥", "🤔", "👌🏻", "🇨🇳", "🥳", "☕"]

/** A chat line as people type them: short, Chinese and English, often with emoji, sometimes long. */
const chatText = (random: Random): string => {
  const parts = random.chance(0.05) ? 8 : 1 + Math.floor(random.next() * 3)
  let text = Array.from({ length: parts }, () => random.pick(PHRASES)).join(
    random.pick(["，", " ", "。"]),
  )
  if (random.chance(0.4)) text += random.pick(EMOJI)
  if (random.chance(0.15)) text = `${random.pick(EMOJI)}${random.pick(EMOJI)} ${text}`
  return text
}

interface Cast {
  readonly friends: ReadonlyArray<string>
  readonly strangers: ReadonlyArray<string>
  readonly rooms: ReadonlyArray<{
    readonly roomId: string
    readonly members: ReadonlyArray<string>
  }>
}

/** The bot, friends with emoji in their names, strangers who ask to be friends, and three groups. */
const populate = (world: World): Cast => {
  world.addAccount({ wxid: BOT, nickName: BOT_NAMES[0]! })
  const friends = Array.from({ length: 40 }, (_, i) => {
    const wxid = `wxid_bench_friend${i}`
    const emoji = i % 3 === 0 ? '<span class="emoji emoji1f604"></span>' : ""
    world.addPerson({
      wxid,
      nickName: `${i % 2 === 0 ? "朋友" : "Friend "}${i}${emoji}`,
      sex: (i % 3) as 0 | 1 | 2,
    })
    world.befriend(BOT, wxid)
    return wxid
  })
  world.addPerson({ wxid: "gh_bench_news", nickName: "News Daily", verifyFlag: 24 })
  world.befriend(BOT, "gh_bench_news")
  const strangers = Array.from({ length: 5 }, (_, i) => {
    const wxid = `wxid_bench_stranger${i}`
    world.addPerson({ wxid, nickName: `陌生人${i}`, province: "广东", city: "深圳" })
    return wxid
  })
  const rooms = [12, 25, 40].map((size, g) => {
    const members = friends.slice(0, size)
    const { roomId } = world.addGroup({
      topic: `群聊 ${g}`,
      owner: BOT,
      members: [
        { wxid: BOT, displayName: BOT_NAMES[1]! },
        ...members.map((wxid, i) => (i % 4 === 0 ? { wxid, displayName: `群昵称${i}` } : wxid)),
      ],
    })
    return { roomId, members }
  })
  return { friends, strangers, rooms }
}

/**
 * One text: 45 % a friend in private, 45 % a group member (half of them @-mentioning one or two
 * members, the bot among them now and then), 10 % the bot's own phone (its sessions receive those too).
 */
const sayText = (world: World, cast: Cast, random: Random): void => {
  const roll = random.next()
  if (roll < 0.45) {
    speak(world, random.pick(cast.friends), BOT, { kind: "text", text: chatText(random) })
  } else if (roll < 0.9) {
    const room = random.pick(cast.rooms)
    const mentions = random.chance(0.5)
      ? Array.from({ length: random.chance(0.7) ? 1 : 2 }, () =>
          random.chance(0.3) ? BOT : random.pick(room.members),
        )
      : []
    const spec: MessageSpec = { kind: "text", text: chatText(random), mentions }
    speak(world, random.pick(room.members), room.roomId, spec)
  } else {
    const to = random.chance(0.5) ? random.pick(cast.friends) : random.pick(cast.rooms).roomId
    speak(world, BOT, to, { kind: "text", text: chatText(random) })
  }
}

/** Every kind the client decodes: what friends can say, friend requests and the phone's StatusNotify. */
const MIXED_KINDS = [
  "text",
  "image",
  "voice",
  "video",
  "emoticon",
  "location",
  "card",
  "link",
  "file",
  "transfer",
  "redPacket",
  "miniProgram",
  "quote",
  "revoke",
  "system",
  "unknownApp",
  "friendRequest",
  "statusNotify",
] as const satisfies ReadonlyArray<MessageSpec["kind"] | "friendRequest" | "statusNotify">

type SpokenKind = Exclude<(typeof MIXED_KINDS)[number], "friendRequest" | "statusNotify">

/** A realistic spec of each kind a friend (or group member) can say. */
const specOf = (
  kind: SpokenKind,
  cast: Cast,
  random: Random,
  previous: { msgId: string; from: string; text: string },
): MessageSpec => {
  switch (kind) {
    case "text":
      return { kind, text: chatText(random) }
    case "image":
      return { kind, width: random.pick([800, 1080, 1920]), height: random.pick([600, 1440, 1080]) }
    case "voice":
      return { kind, durationMs: 1_000 + Math.floor(random.next() * 30_000) }
    case "video":
      return { kind, seconds: 3 + Math.floor(random.next() * 60) }
    case "emoticon":
      return random.chance(0.5) ? { kind, store: true } : { kind }
    case "location":
      return {
        kind,
        label: "上海市浦东新区世纪大道100号",
        lat: 31.2345,
        lng: 121.5067,
        poiname: "上海环球金融中心",
      }
    case "card":
      return { kind, wxid: random.chance(0.2) ? "gh_bench_news" : random.pick(cast.friends) }
    case "link":
      return {
        kind,
        title: "如何在一周内学会做饭 🍳",
        url: "https://mp.weixin.qq.com/s?__biz=MzA3&mid=2650&idx=1&sn=abc#rd",
        description: "从煮饭开始 & 一步一步来",
        source: "美食公众号",
      }
    case "file":
      return {
        kind,
        name: random.pick(["季度报告.final.pdf", "photos.zip", "notes.txt"]),
        size: 2_048 + Math.floor(random.next() * 20_000),
      }
    case "transfer":
      return { kind, amount: random.pick(["0.10", "88.00", "1200.50"]), memo: "房租 & 水电" }
    case "redPacket":
      return random.chance(0.5) ? { kind } : { kind, variant: "appmsg" }
    case "miniProgram":
      return {
        kind,
        title: "拼单买水果",
        appId: "wx1234567890abcdef",
        pagePath: "pages/index?id=7",
        sourceName: "水果店",
      }
    case "quote":
      return {
        kind,
        text: "同意 👍",
        quotedMsgId: previous.msgId,
        quotedFrom: previous.from,
        quotedText: previous.text,
      }
    case "revoke":
      return { kind, msgId: previous.msgId }
    case "system":
      return { kind, text: "你已添加了朋友，现在可以开始聊天了。" }
    case "unknownApp":
      return { kind, appMsgType: 51, title: "Channels" }
  }
}

/** Says the `index`-th message of the mixed corpus, alternating private chats and groups. */
const sayMixed = async (
  world: World,
  cast: Cast,
  random: Random,
  index: number,
  statusNotify: () => Promise<void>,
  previous: { msgId: string; from: string; text: string },
): Promise<void> => {
  const kind = MIXED_KINDS[index % MIXED_KINDS.length]!
  if (kind === "friendRequest") {
    requestFriend(world, random.pick(cast.strangers), BOT, {
      greeting: `我是${random.pick(["小王", "Lily", "张三"])}，想加你好友 😊`,
    })
    return
  }
  if (kind === "statusNotify") return statusNotify()
  const inGroup = Math.floor(index / MIXED_KINDS.length) % 2 === 1
  const room = random.pick(cast.rooms)
  const from = inGroup ? random.pick(room.members) : random.pick(cast.friends)
  // A revoke or a quote names an earlier message of the same speaker; a fresh text gives one.
  if (kind === "revoke" || kind === "quote") {
    const text = chatText(random)
    const said = speak(world, from, inGroup ? room.roomId : BOT, { kind: "text", text })
    Object.assign(previous, { msgId: said.msgId, from, text })
  }
  speak(world, from, inGroup ? room.roomId : BOT, specOf(kind, cast, random, previous))
}

/** A webwxsync call over HTTP, the body kept as it came: what the client parses. */
const rawSync = async (sim: Simulator, session: WxSession, syncKey: unknown): Promise<string> => {
  const data = Effect.runSync(session.data.get)
  const url =
    `${sim.url}/${data.home}/cgi-bin/mmwebwx-bin/webwxsync?sid=${encodeURIComponent(data.sid)}` +
    `&skey=${encodeURIComponent(data.skey)}&lang=zh_CN&pass_ticket=${data.passTicket}`
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json;charset=UTF-8",
      cookie: `wxsid=${data.sid}; wxuin=${data.uin}`,
    },
    body: JSON.stringify({
      BaseRequest: Effect.runSync(session.baseRequest()),
      SyncKey: syncKey,
      rr: ~Date.now(),
    }),
  })
  if (!response.ok) throw new Error(`webwxsync answered HTTP ${response.status}`)
  return response.text()
}

interface SyncAnswer {
  readonly BaseResponse?: { readonly Ret?: number }
  readonly AddMsgList?: ReadonlyArray<unknown>
  readonly ContinueFlag?: number
  readonly SyncKey?: { readonly Count: number }
}

const parseAnswer = (body: string): SyncAnswer =>
  Either.getOrThrowWith(
    parseServerJson(body),
    (reason) => new Error(`webwxsync: ${reason}`),
  ) as SyncAnswer

/**
 * Starts a simulator in this process, logs the bot in with the protocol client, has its friends
 * speak and captures the webwxsync answers that carry it all, batch by batch, as the server sent them.
 */
export const captureCorpora = async (
  options: CorpusOptions,
): Promise<{ text: Corpus; mixed: Corpus }> => {
  const sim = await Simulator.start({
    syncHoldMs: 1_000,
    loginPollHoldMs: 1_000,
    syncBatchSize: BATCH_SIZE,
  })
  const runtime = ManagedRuntime.make(clientLayer(sim.upstream))
  try {
    const cast = populate(sim.world)
    const phone = async (account: string, uuid: string) => {
      sim.world.scan(uuid, account)
      sim.world.confirm(uuid)
    }
    const first = await runtime.runPromise(loginToFirstSync(BOT, phone))
    const context: Messages.DecodeContext = {
      selfUserName: first.selfUserName,
      selfDisplayNames: BOT_NAMES,
    }
    let syncKey: unknown = runtime.runSync(first.session.data.get).syncKey

    /** Says `count` messages, `BATCH_SIZE` at a time, and keeps each webwxsync answer. */
    const capture = async (
      name: string,
      count: number,
      say: (index: number) => Promise<void> | void,
    ): Promise<Corpus> => {
      const bodies: Array<string> = []
      const batches: Array<ReadonlyArray<unknown>> = []
      for (let said = 0; said < count;) {
        const size = Math.min(BATCH_SIZE, count - said)
        for (let i = 0; i < size; i++) await say(said + i)
        said += size
        // Bounded: each call takes up to BATCH_SIZE entries and the log holds `size` of them.
        for (let call = 0; call < 4; call++) {
          const body = await rawSync(sim, first.session, syncKey)
          const answer = parseAnswer(body)
          if (answer.BaseResponse?.Ret !== 0)
            throw new Error(`webwxsync Ret ${answer.BaseResponse?.Ret}`)
          if ((answer.SyncKey?.Count ?? 0) > 0) syncKey = answer.SyncKey
          const entries = answer.AddMsgList ?? []
          if (entries.length > 0) {
            bodies.push(body)
            batches.push(entries)
          }
          if (answer.ContinueFlag === 0) break
        }
      }
      const messages = batches.reduce((sum, batch) => sum + batch.length, 0)
      const tags: Record<string, number> = {}
      for (const batch of batches)
        for (const message of Messages.decodeBatch(batch, context))
          tags[message._tag] = (tags[message._tag] ?? 0) + 1
      return { name, bodies, batches, messages, context, tags }
    }

    const textRandom = randomSource(3)
    const text = await capture("text", options.textMessages, () =>
      sayText(sim.world, cast, textRandom),
    )
    const mixedRandom = randomSource(7)
    const previous = { msgId: "", from: "", text: "" }
    const statusNotify = () => runtime.runPromise(Session.statusNotify(first.session, 3))
    const mixed = await capture("mixed", options.mixedMessages, (index) =>
      sayMixed(sim.world, cast, mixedRandom, index, statusNotify, previous),
    )
    return { text, mixed }
  } finally {
    await runtime.dispose()
    await sim.close()
  }
}
