import type { MessageEvent } from "@wxfleet/contracts"
import {
  Commands,
  Directory,
  sectionFor,
  workerLayer,
  WorkerServicesLive,
  type Delivery,
} from "@wxfleet/worker"
import { Clock, Effect, Layer, Option, SubscriptionRef } from "effect"
import type { Section } from "./AutoReplyConfig.js"
import { AutoReplyRules } from "./AutoReplyRules.js"
import { Cooldowns } from "./Cooldowns.js"
import { isQuiet } from "./QuietHours.js"
import { firstMatch, render, withoutMentions, type Answer } from "./Replies.js"
import { Webhook } from "./Webhook.js"

/** The durable consumer's name (contract): every copy of auto-reply shares it. */
export const APP = "auto-reply"

type Text = Extract<MessageEvent["message"], { readonly _tag: "Text" }>

/** Whether this section answers this text at all, before looking at what it says. */
const addressed = (section: Section, message: Text): boolean =>
  message.isGroup
    ? section.groups === "all" || (section.groups === "mentioned" && message.mentionsSelf)
    : section.private

/** Where the reply comes from: a rule, else the webhook, else the default reply. */
type Source = { readonly _tag: "Answer"; readonly answer: Answer } | { readonly _tag: "Webhook" }

const sourceOf = (section: Section, text: string): Source | undefined => {
  const answer = firstMatch(section.rules, text)
  if (answer !== undefined) return { _tag: "Answer", answer }
  if (section.webhook !== undefined) return { _tag: "Webhook" }
  if (section.default !== undefined)
    return { _tag: "Answer", answer: { template: section.default, captures: [] } }
  return undefined
}

// Untraced: the caller's `Worker.handle` span covers it, without a stack trace per message.
const handle = Effect.fnUntraced(function* (event: MessageEvent, delivery: Delivery) {
  const { account, message } = event
  if (message._tag !== "Text") return
  const section = sectionFor(
    (yield* SubscriptionRef.get(yield* AutoReplyRules)).current.accounts,
    account,
  )
  if (section === undefined || !addressed(section, message)) return
  if (
    section.quietHours !== undefined &&
    isQuiet(section.quietHours, new Date(yield* Clock.currentTimeMillis))
  )
    return
  const source = sourceOf(section, withoutMentions(message.text, message.mentions))
  if (source === undefined) return
  if (section.cooldown !== undefined) {
    const cooldowns = yield* Cooldowns
    if (!(yield* cooldowns.claim(account, message.chat, message.id, section.cooldown))) return
  }

  const directory = yield* Directory
  const sender = yield* directory.names(
    account,
    message.sender,
    message.isGroup ? message.chat : undefined,
  )
  const senderName = Option.match(sender, { onNone: () => "", onSome: (names) => names.display })
  const groupName = message.isGroup
    ? Option.match(yield* directory.contact(account, message.chat), {
        onNone: () => "",
        onSome: (group) => group.displayName,
      })
    : ""
  const text =
    source._tag === "Answer"
      ? render(source.answer.template, {
          sender: senderName,
          group: groupName,
          captures: source.answer.captures,
        })
      : section.webhook !== undefined
        ? ((yield* (yield* Webhook).ask(section.webhook, event)) ?? section.default)
        : undefined
  if (text === undefined) return

  // In a group the reply @-mentions the sender, as a person answering there would.
  const mention = message.isGroup && senderName !== ""
  yield* (yield* Commands).sendText(
    account,
    mention
      ? { to: message.chat, text: `@${senderName}\u2005${text}`, mentions: [message.sender] }
      : { to: message.chat, text },
    delivery.key("reply"),
  )
})

const guard = (account: string) =>
  Effect.map(Effect.flatMap(AutoReplyRules, SubscriptionRef.get), (rules) => ({
    admitFleet: sectionFor(rules.current.accounts, account)?.fleet ?? false,
  }))

/**
 * auto-reply: answers text messages in private chats and groups by its rules, its webhook or
 * its default reply, within cooldowns and outside quiet hours. It needs NATS, the worker config,
 * an HTTP client (for the webhook) and a file system (for its rules).
 */
export const AutoReplyLive = (configFile: string) =>
  workerLayer({ guard, handle }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(AutoReplyRules.layer(configFile), Cooldowns.Default, Webhook.Default),
    ),
    Layer.provideMerge(WorkerServicesLive),
  )
