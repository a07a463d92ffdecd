import { Args, Command } from "@effect/cli"
import { AccountId } from "@wxfleet/contracts"
import { Nats } from "@wxfleet/nats"
import { Console, Effect, Layer } from "effect"
import { FleetClient } from "../fleet/FleetClient.js"
import { runChat } from "./ChatClient.js"

const account = Args.text({ name: "account" }).pipe(
  Args.withSchema(AccountId),
  Args.withDescription("the account to chat as (its id in the fleet)"),
)

const ChatLive = FleetClient.Default.pipe(Layer.provideMerge(Nats.layerFromEnv("wxfleet-chat")))

/** `wxfleet chat <account>`: the terminal chat client. */
export const chatCommand = Command.make("chat", { account }, ({ account }) =>
  runChat(account).pipe(
    Effect.provide(ChatLive),
    Effect.catchTag("NatsError", (error) =>
      Effect.zipRight(
        Console.error(`wxfleet chat: cannot reach NATS (WXFLEET_NATS_URL): ${error.reason}`),
        Effect.sync(() => {
          process.exitCode = 1
        }),
      ),
    ),
  ),
).pipe(
  Command.withDescription(
    "The terminal chat client of one account: contacts, live conversations, send text, images and files, revoke",
  ),
)
