import type { Command } from "@effect/cli"
import type * as NodeContext from "@effect/platform-node/NodeContext"
import { accountsCommand } from "./accounts.js"
import { demoCommand } from "./demo.js"
import { loginCommand } from "./login.js"
import { sendCommand } from "./send.js"
import { simCommand } from "./sim.js"
import { tailCommand } from "./tail.js"
import { upCommand } from "./up.js"

/**
 * A subcommand of `wxfleet`. Each provides what it needs itself (NATS, the fleet client…), so
 * it only asks the Node context of main.ts.
 */
// Names and parsed arguments differ per command and are invariant in Command, so they are left
// open as in @effect/cli's own withSubcommands: only the context is pinned down here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Subcommand = Command.Command<any, NodeContext.NodeContext, unknown, any>

/** Every subcommand but `chat` (see ../chat). */
export const commands: ReadonlyArray<Subcommand> = [
  upCommand,
  demoCommand,
  simCommand,
  accountsCommand,
  loginCommand,
  sendCommand,
  tailCommand,
]
