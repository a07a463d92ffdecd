import { Args, Command, Options } from "@effect/cli"
import { Console, Duration, Effect, Option, Stream } from "effect"
import { FleetClient, type FleetEvent } from "../fleet/FleetClient.js"
import { drawQr } from "../format/qr.js"
import { styleFor } from "../format/Style.js"
import { failed } from "./ExitCode.js"
import { withFleet, withProgress } from "./shared.js"

const account = Args.text({ name: "account" }).pipe(Args.withDescription("The account to log in (added to the fleet when it is not in it)"))
const timeout = Options.integer("timeout").pipe(
  Options.withDescription("Give up after this many seconds"),
  Options.withDefault(300),
)

type Outcome = { readonly _tag: "LoggedIn"; readonly who: string } | { readonly _tag: "Failed"; readonly reason: string }

/** `wxfleet login <account>`: the QR code in the terminal until the phone confirms it. */
export const loginCommand = Command.make("login", { timeout, account }, (args) =>
  withFleet(
    Effect.scoped(
      Effect.gen(function* () {
        const fleet = yield* FleetClient
        const style = styleFor(process.stdout)
        // Subscribed before anything starts the account, so its first QR code is not missed.
        const live = yield* fleet.subscribe({ account: args.account, kinds: ["session"] })
        const known = (yield* fleet.list().pipe(withProgress("asking the fleet for its accounts…"))).find((a) => a.account === args.account)
        if (known?.state === "logged_in") {
          yield* Console.log(`${args.account} is already logged in${known.self === undefined ? "" : ` as ${known.self.nickName} (${known.self.userName})`}`)
          return
        }
        // A failed session is final until the account is added again, which restarts it.
        const start = known === undefined || known.state === "failed"
        if (start) {
          yield* fleet.add(args.account)
          yield* Console.log(known === undefined ? `added ${args.account} to the fleet` : `restarting ${args.account}, whose session had failed`)
        }
        // An account already waiting shows the QR code it published before we subscribed.
        const last = start ? undefined : yield* fleet.lastEvent(args.account, "session")
        yield* Console.error(style.dim("waiting for the QR code…"))
        const shown = new Set<string>()
        const show = (event: FleetEvent): Effect.Effect<Option.Option<Outcome>> =>
          Effect.gen(function* () {
            if (event.kind !== "session") return Option.none()
            const e = event.event
            switch (e.state) {
              case "awaiting_scan": {
                if (e.qr === undefined || shown.has(e.qr.uuid)) return Option.none()
                const renewed = shown.size > 0
                shown.add(e.qr.uuid)
                yield* Console.log(
                  `\n${renewed ? "The QR code expired; here is a new one. " : ""}Scan this with the WeChat app of ${style.bold(args.account)} (Me → Scan), or open the link on the phone:\n` +
                    `${yield* drawQr(e.qr.payload)}\n${e.qr.payload}\n`,
                )
                yield* Console.log(style.dim("waiting for the QR scan…"))
                return Option.none()
              }
              case "scanned":
                yield* Console.log(style.warn("scanned — confirm the login on the phone…"))
                return Option.none()
              case "logged_in":
                return Option.some<Outcome>({ _tag: "LoggedIn", who: e.self === undefined ? "" : ` as ${e.self.nickName} (${e.self.userName})` })
              case "failed":
                return Option.some<Outcome>({ _tag: "Failed", reason: e.reason === undefined ? "LoginFailed: the session failed" : `${e.reason.tag}: ${e.reason.message}` })
              case "logged_out":
                yield* Console.log(style.warn(`logged out${e.reason === undefined ? "" : ` (${e.reason.tag})`}; the fleet logs in again…`))
                return Option.none()
              default:
                return Option.none()
            }
          })
        const events = (last === undefined ? live : Stream.concat(Stream.make(last), live)).pipe(
          Stream.mapEffect(show),
          Stream.filterMap((o) => o),
          Stream.runHead,
        )
        const outcome = yield* Effect.timeoutFail(events, {
          duration: Duration.seconds(args.timeout),
          onTimeout: () => failed(`LoginTimeout: ${args.account} was not logged in within ${args.timeout} s`),
        })
        if (Option.isNone(outcome)) return yield* Effect.fail(failed("LoginFailed: the event stream ended"))
        if (outcome.value._tag === "Failed") return yield* Effect.fail(failed(outcome.value.reason))
        yield* Console.log(style.good(`${args.account} is logged in${outcome.value.who}`))
      }),
    ),
  ),
).pipe(Command.withDescription("Log an account in: draws its QR code in the terminal and waits for the phone"))
