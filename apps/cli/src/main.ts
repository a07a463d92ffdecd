import { Command } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import { chatCommand } from "./chat/command.js"
import { teardown, withExitCode } from "./commands/ExitCode.js"
import { commands } from "./commands/index.js"

/** `wxfleet`: the operator's command. Every subcommand has `--help`. */
const wxfleet = Command.make("wxfleet").pipe(
  Command.withDescription("Operate a fleet of Web WeChat accounts over NATS"),
  Command.withSubcommands([chatCommand, ...commands]),
)

const run = Command.run(wxfleet, { name: "wxfleet", version: "0.1.0" })

// No traces are exported from the CLI (nor from the fleet `up` runs in it): the tracer stays off.
NodeRuntime.runMain(withExitCode(run(process.argv)).pipe(Effect.provide(NodeContext.layer), Effect.withTracerEnabled(false)), {
  disableErrorReporting: true,
  teardown,
})
