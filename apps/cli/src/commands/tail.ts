import { Args, Command, Options } from "@effect/cli"
import type { EventKind } from "@wxfleet/contracts"
import { Console, Effect, Option, Stream } from "effect"
import { ContactBook } from "../fleet/ContactBook.js"
import { FleetClient, type FleetEvent } from "../fleet/FleetClient.js"
import { eventJson, formatEvent } from "../format/formatEvent.js"
import { styleFor } from "../format/Style.js"
import { json, withFleet } from "./shared.js"

const KINDS = ["session", "message", "contact", "moderation"] as const satisfies ReadonlyArray<EventKind>

const account = Args.text({ name: "account" }).pipe(Args.withDescription("Only this account's events (default: every account)"), Args.optional)
const kind = Options.choice("kind", KINDS).pipe(
  Options.repeated,
  Options.withDescription("Only events of this kind; repeat for several (default: all)"),
)

/**
 * Prints every live event as one readable line (names looked up as they come), or as JSON. The
 * book learns from all events, also those not shown.
 */
export const printEvents = (
  events: Stream.Stream<FleetEvent>,
  options: { readonly json: boolean; readonly kinds?: ReadonlyArray<EventKind>; readonly write?: (line: string) => Effect.Effect<void> },
): Effect.Effect<void, never, FleetClient> => {
  const book = new ContactBook()
  const style = styleFor(process.stdout)
  const write = options.write ?? ((line: string) => Console.log(line))
  const shown = (e: FleetEvent) => options.kinds === undefined || options.kinds.length === 0 || e.kind === "undecodable" || options.kinds.includes(e.kind)
  return Stream.runForEach(events, (event) =>
    Effect.gen(function* () {
      book.observe(event)
      if (!shown(event)) return
      if (options.json) return yield* write(eventJson(event))
      if (event.kind === "message" && book.needs(event.account)) yield* book.load(event.account)
      yield* write(formatEvent(event, { style, names: book }))
    }),
  )
}

/** `wxfleet tail [account] [--json] [--kind …]`: the fleet's live events until Ctrl-C. */
export const tailCommand = Command.make("tail", { json, kind, account }, (args) =>
  withFleet(
    Effect.scoped(
      Effect.gen(function* () {
        const fleet = yield* FleetClient
        const events = yield* fleet.subscribe(Option.match(args.account, { onNone: () => ({}), onSome: (account) => ({ account }) }))
        if (!args.json) yield* Console.error(`following ${Option.getOrElse(args.account, () => "every account")}'s events (Ctrl-C stops)`)
        yield* printEvents(events, { json: args.json, kinds: args.kind })
      }),
    ),
  ),
).pipe(Command.withDescription("Follow the fleet's live events: sessions, messages, contacts, moderation"))
