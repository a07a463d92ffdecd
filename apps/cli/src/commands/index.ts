import type { Command } from "@effect/cli"
import type { NodeContext } from "@effect/platform-node"

/**
 * A subcommand of `wxfleet`. Each provides what it needs itself (NATS, the fleet client…), so
 * it only asks the Node context of main.ts.
 */
export type Subcommand = Command.Command<string, NodeContext.NodeContext, unknown, unknown>

/** Every subcommand but `chat` (see ../chat). */
export const commands: ReadonlyArray<Subcommand> = []
