/**
 * The wechat4u side of the `peer` benchmark, run as its own process by `Wechat4uProcess`: on
 * `start` it runs N wechat4u bots as wechat4u's README shows (`new Wechat()`, `bot.start()`),
 * each answering every text a friend sends with the same text, the way an echo bot would.
 */
import { createRequire } from "node:module"
import { redirectAxios, type AxiosModule } from "./redirect.js"
import type { BotCommand, BotReport } from "./Wechat4uProcess.js"

/** What the benchmark uses of a wechat4u bot (the package has no types). */
interface Wechat4uBot {
  readonly CONF: { readonly MSGTYPE_TEXT: number }
  on(event: "uuid", listener: (uuid: string) => void): void
  on(event: "login" | "logout", listener: () => void): void
  on(event: "error", listener: (error: { message?: string; tips?: string }) => void): void
  on(event: "message", listener: (message: Wechat4uMessage) => void): void
  start(): Promise<void>
  sendMsg(text: string, to: string): Promise<unknown>
}

interface Wechat4uMessage {
  readonly MsgType: number
  readonly FromUserName: string
  /** The text, with `&lt;`, `&gt;` and `<br/>` turned back and emoji spans into characters. */
  readonly Content: string
  readonly isSendBySelf: boolean
}

const upstream = process.env["WXFLEET_UPSTREAM"]
if (upstream === undefined) throw new Error("WXFLEET_UPSTREAM is not set")

const require = createRequire(import.meta.url)
const wechat4uMain = require.resolve("wechat4u")
// The axios module wechat4u itself loads, before wechat4u makes any instance of it.
redirectAxios(createRequire(wechat4uMain)("axios") as AxiosModule, upstream)
const Wechat = require(wechat4uMain) as new () => Wechat4uBot

const report = (message: BotReport): void => {
  process.send?.(message)
}

const reason = (error: { message?: string; tips?: string }): string =>
  [error.tips, error.message].filter((part) => part !== undefined).join(": ")

const startBot = (index: number): void => {
  const bot = new Wechat()
  bot.on("uuid", (uuid) => report({ type: "uuid", bot: index, uuid }))
  bot.on("login", () => report({ type: "login", bot: index }))
  bot.on("logout", () => report({ type: "logout", bot: index }))
  bot.on("error", (error) => report({ type: "error", bot: index, message: reason(error) }))
  bot.on("message", (message) => {
    if (message.MsgType !== bot.CONF.MSGTYPE_TEXT || message.isSendBySelf) return
    // Private chats only: a group's text starts with its speaker's name.
    if (message.FromUserName.startsWith("@@")) return
    bot
      .sendMsg(message.Content, message.FromUserName)
      .catch((error: { message?: string; tips?: string }) =>
        report({ type: "echoFailed", bot: index, message: reason(error) }),
      )
  })
  void bot.start()
}

process.on("message", (command: BotCommand) => {
  for (let index = 0; index < command.count; index++) startBot(index)
})
process.on("disconnect", () => process.exit(0))
report({ type: "ready" })
