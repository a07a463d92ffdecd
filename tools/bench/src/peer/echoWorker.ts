/**
 * The wxfleet side's echo bot, run as its own process by `EchoWorkerProcess`: every text a
 * friend sends an account (`wx.evt.<account>.message`) is sent back to the chat with
 * `wx.cmd.<account>.send_text`, keyed by the message id so that a repeated event is sent once.
 */
import { connect } from "@nats-io/transport-node"
import type { EchoReport } from "./EchoWorkerProcess.js"

/** The parts of a message event the worker reads. */
interface MessageEvent {
  readonly account: string
  readonly message: {
    readonly _tag: string
    readonly id: string
    readonly chat: string
    readonly isSelf: boolean
    readonly isGroup: boolean
    readonly text?: string
  }
}

interface Reply {
  readonly ok: boolean
  readonly error?: { readonly tag: string; readonly message: string }
}

const SEND_TIMEOUT_MS = 30_000

const report = (message: EchoReport): void => {
  process.send?.(message)
}

const url = process.env["WXFLEET_NATS_URL"]
if (url === undefined) throw new Error("WXFLEET_NATS_URL is not set")
const connection = await connect({ servers: url, name: "bench-echo" })

const echo = async (event: MessageEvent): Promise<void> => {
  const { account, message } = event
  if (message._tag !== "Text" || message.isSelf || message.isGroup || message.text === undefined)
    return
  const request = { to: message.chat, text: message.text, idempotencyKey: `echo-${message.id}` }
  try {
    const reply = (
      await connection.request(`wx.cmd.${account}.send_text`, JSON.stringify(request), {
        timeout: SEND_TIMEOUT_MS,
      })
    ).json<Reply>()
    if (!reply.ok)
      report({
        type: "echoFailed",
        account,
        message: `${reply.error?.tag}: ${reply.error?.message}`,
      })
  } catch (error) {
    report({
      type: "echoFailed",
      account,
      message: error instanceof Error ? error.message : String(error),
    })
  }
}

connection.subscribe("wx.evt.*.message", {
  callback: (error, msg) => {
    if (error === null) void echo(msg.json<MessageEvent>())
  },
})
await connection.flush()
const leave = () => void connection.drain().finally(() => process.exit(0))
process.on("SIGTERM", leave)
process.on("disconnect", leave)
report({ type: "ready" })
