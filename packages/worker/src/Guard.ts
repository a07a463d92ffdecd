import type { MessageEvent } from "@wxfleet/contracts"
import { Contact } from "@wxfleet/protocol"
import { Effect, Option } from "effect"
import { Directory } from "./Directory.js"
import { FleetNames } from "./FleetNames.js"
import { hasMarker } from "./Marker.js"

/** Why a worker leaves a message alone. */
export type Ignored = "self" | "special" | "official" | "marked" | "fleet"

export interface GuardOptions {
  /** React to the fleet's other accounts too (by default their messages are left alone). */
  readonly admitFleet: boolean
}

const textOf = (message: MessageEvent["message"]): string | undefined =>
  message._tag === "Text" || message._tag === "Quote" ? message.text : undefined

/**
 * What no worker reacts to: the account's own messages, special accounts (filehelper, newsapp…),
 * official accounts, a worker's reply (it carries the marker; so two bots never loop), and
 * the fleet's other accounts unless configured.
 */
export class Guard extends Effect.Service<Guard>()("@wxfleet/worker/Guard", {
  effect: Effect.gen(function* () {
    const directory = yield* Directory
    const fleet = yield* FleetNames

    // Untraced: the caller's `Worker.handle` span covers it, without a stack trace per message.
    const check = Effect.fnUntraced(function* (event: MessageEvent, options: GuardOptions) {
      const { account, message } = event
      if (message.isSelf) return Option.some<Ignored>("self")
      if (
        Contact.SPECIAL_USER_NAMES.has(message.chat) ||
        Contact.SPECIAL_USER_NAMES.has(message.sender)
      ) {
        return Option.some<Ignored>("special")
      }
      const text = textOf(message)
      if (text !== undefined && hasMarker(text)) return Option.some<Ignored>("marked")
      const sender = yield* directory.contact(account, message.sender)
      if (
        Option.isSome(sender) &&
        (sender.value.kind === "official" || sender.value.kind === "special")
      ) {
        return Option.some<Ignored>(sender.value.kind)
      }
      if (!options.admitFleet) {
        const names = yield* directory.names(
          account,
          message.sender,
          message.isGroup ? message.chat : undefined,
        )
        if (Option.isSome(names) && fleet.isFleet(names.value.all))
          return Option.some<Ignored>("fleet")
      }
      return Option.none<Ignored>()
    })

    return { check } as const
  }),
}) {}
