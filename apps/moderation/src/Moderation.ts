import {
  ModerationEvent,
  subjects,
  type MessageEvent,
  type ModerationAction,
} from "@wxfleet/contracts"
import { publishPersistent } from "@wxfleet/nats"
import {
  CommandFailed,
  Commands,
  Directory,
  sectionFor,
  WorkerConfig,
  workerLayer,
  WorkerServicesLive,
  type Delivery,
} from "@wxfleet/worker"
import { Duration, Effect, Layer, Option, Schema, SubscriptionRef } from "effect"
import { Activity } from "./Activity.js"
import { contentFinding, reasonOf, type Finding } from "./Content.js"
import type { GroupPolicy } from "./ModerationConfig.js"
import { ModerationRules } from "./ModerationRules.js"

/** The durable consumer's name (contract): every copy of moderation shares it. */
export const APP = "moderation"

type Message = MessageEvent["message"]

const encodeAudit = Schema.encodeSync(ModerationEvent)

/** The policy for a group: its own, else the one for every group (`"*"`). */
const policyFor = (
  groups: Readonly<Record<string, GroupPolicy>>,
  name: string,
): GroupPolicy | undefined => groups[name] ?? groups["*"]

/**
 * An action's outcome for the audit: a refusal that asking again cannot change (the account does
 * not own the group) is reported; anything else fails the handling, to be tried again.
 */
const outcome = <E>(action: ModerationAction["action"], effect: Effect.Effect<unknown, E>) =>
  effect.pipe(
    Effect.as<ModerationAction>({ action, ok: true }),
    Effect.catchIf(
      (error): error is E & CommandFailed => error instanceof CommandFailed && !error.transient,
      (error) => Effect.succeed<ModerationAction>({ action, ok: false, error: error.error }),
    ),
  )

const render = (template: string, values: Readonly<Record<string, string>>) =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole)

// Untraced: the caller's `Worker.handle` span covers it, without a stack trace per message.
const handle = Effect.fnUntraced(function* (event: MessageEvent, delivery: Delivery) {
  const { account, message } = event
  if (!message.isGroup) return
  const section = sectionFor(
    (yield* SubscriptionRef.get(yield* ModerationRules)).current.accounts,
    account,
  )
  if (section === undefined) return
  const directory = yield* Directory
  const group = yield* directory.contact(account, message.chat)
  const groupName = Option.match(group, { onNone: () => "", onSome: (g) => g.displayName })
  const policy = policyFor(section.groups, groupName)
  if (policy === undefined) return

  if (message._tag === "SystemNotice") return yield* welcome(event, policy, groupName, delivery)
  const names = yield* directory.names(account, message.sender, message.chat)
  const memberName = Option.match(names, { onNone: () => "", onSome: (n) => n.display })
  if (Option.isSome(names) && names.value.all.some((name) => policy.admins.includes(name))) return

  const finding =
    contentFinding(policy, message) ?? (yield* activityFinding(account, policy, message))
  if (finding === undefined) return
  yield* enforce(event, policy, finding, { groupName, memberName }, delivery)
})

/** Flooding, then spam across groups: both need what the member said before. */
const activityFinding = (account: string, policy: GroupPolicy, message: Message) =>
  Effect.gen(function* () {
    const activity = yield* Activity
    const seen = { id: message.id, chat: message.chat, at: message.createTime * 1_000 }
    if (policy.flood !== undefined) {
      const { messages, within, action } = policy.flood
      if (yield* activity.floods(account, seen, message.sender, messages, within)) {
        return {
          violation: "flood",
          detail: `more than ${messages} messages within ${Duration.format(within)}`,
          action,
        } satisfies Finding
      }
    }
    if (policy.spam !== undefined && message._tag === "Text") {
      const { groups, within, action } = policy.spam
      const spread = yield* activity.spread(account, seen, message.sender, message.text, within)
      if (spread >= groups)
        return {
          violation: "spam",
          detail: `the same text in ${spread} groups`,
          action,
        } satisfies Finding
    }
    return undefined
  })

/** Warns or removes, notifies the admins, and always publishes the audit event. */
const enforce = (
  event: MessageEvent,
  policy: GroupPolicy,
  finding: Finding,
  names: { readonly groupName: string; readonly memberName: string },
  delivery: Delivery,
) =>
  Effect.gen(function* () {
    const { account, message } = event
    const commands = yield* Commands
    const directory = yield* Directory
    const reason = reasonOf(finding)
    const actions: Array<ModerationAction> = []
    if (finding.action === "warn") {
      const warning = render(policy.warning, { reason })
      const mention = names.memberName !== ""
      actions.push(
        yield* outcome(
          "warn",
          commands.sendText(
            account,
            mention
              ? {
                  to: message.chat,
                  text: `@${names.memberName}\u2005${warning}`,
                  mentions: [message.sender],
                }
              : { to: message.chat, text: warning },
            delivery.key("warn"),
          ),
        ),
      )
    } else {
      actions.push(
        yield* outcome(
          "remove",
          commands.removeMembers(account, message.chat, [message.sender], delivery.key("remove")),
        ),
      )
    }
    const done = actions.map((a) =>
      a.ok ? `${a.action}: done` : `${a.action}: failed (${a.error?.tag}: ${a.error?.message})`,
    )
    const notice = `[moderation] ${names.groupName}: ${names.memberName || message.sender} — ${finding.detail}; ${done.join(", ")}`
    for (const target of policy.notify) {
      const contact =
        target === "filehelper"
          ? Option.some(target)
          : Option.map(yield* directory.findByName(account, target), (c) => c.userName)
      if (Option.isNone(contact)) {
        yield* Effect.logWarning(`cannot notify "${target}": no such contact of ${account}`)
        continue
      }
      actions.push(
        yield* outcome(
          "notify",
          commands.sendText(
            account,
            { to: contact.value, text: notice },
            delivery.key(`notify:${target}`),
          ),
        ),
      )
    }

    const config = yield* WorkerConfig
    const audit = encodeAudit({
      account: event.account,
      at: new Date().toISOString(),
      chat: message.chat,
      group: names.groupName,
      member: { userName: message.sender, name: names.memberName },
      messageId: message.id,
      violation: finding.violation,
      detail: finding.detail,
      actions,
    })
    yield* publishPersistent(
      subjects(config.prefix).event(account, "moderation"),
      JSON.stringify(audit),
      {
        msgId: `${account}.moderation.${message.id}`,
      },
    )
  })

/** Greets the members a group notice says joined, when the policy has a welcome. */
const welcome = (event: MessageEvent, policy: GroupPolicy, groupName: string, delivery: Delivery) =>
  Effect.gen(function* () {
    const { message } = event
    if (
      policy.welcome === undefined ||
      message._tag !== "SystemNotice" ||
      message.event?._tag !== "Joined"
    )
      return
    const joined = message.event.invitees.filter((p) => !p.isSelf).map((p) => p.name)
    if (joined.length === 0) return
    const text = render(policy.welcome, { members: joined.join(", "), group: groupName })
    yield* (yield* Commands).sendText(
      event.account,
      { to: message.chat, text },
      delivery.key("welcome"),
    )
  })

const guard = (account: string) =>
  Effect.map(Effect.flatMap(ModerationRules, SubscriptionRef.get), (rules) => ({
    admitFleet: sectionFor(rules.current.accounts, account)?.fleet ?? false,
  }))

/**
 * moderation: applies each group's policies to its messages (banned words and patterns, links,
 * cards, mini programs, flooding, spam across groups) and welcomes new members. It needs NATS,
 * the worker config and a file system (for its policies).
 */
export const ModerationLive = (configFile: string) =>
  workerLayer({ guard, handle }).pipe(
    Layer.provideMerge(Layer.mergeAll(ModerationRules.layer(configFile), Activity.Default)),
    Layer.provideMerge(WorkerServicesLive),
  )
