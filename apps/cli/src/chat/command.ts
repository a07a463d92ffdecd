import { Command } from "@effect/cli"
import { Console } from "effect"

/** `wxfleet chat <account>`: the terminal chat client. */
export const chatCommand = Command.make("chat", {}, () => Console.log("not yet")).pipe(
  Command.withDescription("The terminal chat client of one account"),
)
