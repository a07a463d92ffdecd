import { Command, Options } from "@effect/cli"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect, Option } from "effect"
import { CliExit, ExitCode } from "./ExitCode.js"

const port = Options.integer("port").pipe(Options.withDescription("Port to listen on (0 picks a free one)"), Options.withDefault(7300))
const demo = Options.boolean("demo").pipe(Options.withDescription("The demo world: wxid_fleet1..3, friends who chat, a group"))
const accounts = Options.integer("accounts").pipe(Options.withDescription("A bulk fleet of N accounts (wxid_sim_0 …) for benchmarks"), Options.optional)

/** The simulator's own launcher (packages/simulator/bin/wxsim.mjs), next to its sources. */
const wxsim = () => fileURLToPath(new URL("../bin/wxsim.mjs", import.meta.resolve("@wxfleet/simulator")))

/** `wxfleet sim`: the Web WeChat simulator alone, as `wxsim` runs it (it prints WXFLEET_UPSTREAM). */
export const simCommand = Command.make("sim", { port, demo, accounts }, (args) =>
  Effect.async<void, CliExit>((resume) => {
    const argv = [
      wxsim(),
      "--port",
      String(args.port),
      ...(args.demo ? ["--demo"] : []),
      ...Option.match(args.accounts, { onNone: () => [], onSome: (n) => ["--accounts", String(n)] }),
    ]
    // Same process group: Ctrl-C reaches the simulator, which stops by itself; SIGTERM is passed on.
    const child = spawn(process.execPath, argv, { stdio: "inherit" })
    const forward = () => child.kill("SIGTERM")
    process.on("SIGTERM", forward)
    process.on("SIGINT", () => undefined)
    child.once("exit", (code) => {
      process.off("SIGTERM", forward)
      resume(code === 0 || code === null ? Effect.void : Effect.fail(new CliExit({ code: code === 2 ? ExitCode.usage : ExitCode.failed, message: `the simulator exited with ${code}` })))
    })
  }),
).pipe(Command.withDescription("Run the Web WeChat simulator alone (a server for a supervisor's WXFLEET_UPSTREAM)"))
