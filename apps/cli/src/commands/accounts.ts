import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { FleetClient } from "../fleet/FleetClient.js"
import { shortUserName } from "../format/formatEvent.js"
import { styleFor } from "../format/Style.js"
import { json, withFleet } from "./shared.js"

const account = Args.text({ name: "account" }).pipe(Args.withDescription("The account id: 1 to 64 of A-Z a-z 0-9 _ -"))

const list = Command.make("list", { json }, ({ json }) =>
  withFleet(
    Effect.gen(function* () {
      const accounts = yield* (yield* FleetClient).list()
      if (json) return yield* Console.log(JSON.stringify(accounts))
      if (accounts.length === 0) return yield* Console.log("no accounts (add one with `wxfleet accounts add <account>` or `wxfleet login <account>`)")
      const style = styleFor(process.stdout)
      const width = Math.max(7, ...accounts.map((a) => a.account.length))
      yield* Console.log(style.dim(`${"ACCOUNT".padEnd(width)}  ${"STATE".padEnd(13)}  WHO`))
      for (const a of accounts) {
        const state = a.state.padEnd(13)
        const painted = a.state === "logged_in" ? style.good(state) : a.state === "failed" || a.state === "logged_out" ? style.bad(state) : style.warn(state)
        const who = a.self === undefined ? "" : `${a.self.nickName} (${shortUserName(a.self.userName)})`
        yield* Console.log(`${style.account(a.account.padEnd(width))}  ${painted}  ${who}${a.desktop ? style.dim(" [desktop]") : ""}`)
      }
    }),
  ),
).pipe(Command.withDescription("List the fleet's accounts and their session states"))

const add = Command.make(
  "add",
  { desktop: Options.boolean("desktop").pipe(Options.withDescription("Log in as the desktop client (for accounts refused by web login, 1203)")), account },
  ({ account, desktop }) =>
    withFleet(
      Effect.gen(function* () {
        yield* (yield* FleetClient).add(account, desktop ? { desktop } : {})
        yield* Console.log(`added ${account}; log it in with \`wxfleet login ${account}\``)
      }),
    ),
).pipe(Command.withDescription("Add an account to the fleet (the supervisor starts it and keeps it across restarts)"))

const remove = Command.make("remove", { account }, ({ account }) =>
  withFleet(
    Effect.gen(function* () {
      yield* (yield* FleetClient).remove(account)
      yield* Console.log(`removed ${account}`)
    }),
  ),
).pipe(Command.withDescription("Stop an account and forget its stored session"))

/** `wxfleet accounts list|add|remove`: over `wx.fleet.*`. */
export const accountsCommand = Command.make("accounts").pipe(
  Command.withDescription("List, add and remove the fleet's accounts"),
  Command.withSubcommands([list, add, remove]),
)
