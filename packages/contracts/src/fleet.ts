import { Schema } from "effect"
import { SessionStateName } from "./events.js"
import { AccountId } from "./subjects.js"

/** `<prefix>.fleet.add`: start running an account (kept in KV, so it survives restarts). */
export const FleetAdd = Schema.Struct({
  account: AccountId,
  /** Log in as the desktop client (`mod=desktop`): some accounts refused by web login pass. */
  desktop: Schema.optional(Schema.Boolean),
})
export type FleetAdd = typeof FleetAdd.Type

/** `<prefix>.fleet.remove`: stop an account and forget its session. */
export const FleetRemove = Schema.Struct({ account: AccountId })
export type FleetRemove = typeof FleetRemove.Type

export const FleetAccount = Schema.Struct({
  account: AccountId,
  state: SessionStateName,
  desktop: Schema.Boolean,
  self: Schema.optional(Schema.Struct({ userName: Schema.String, nickName: Schema.String })),
})
export type FleetAccount = typeof FleetAccount.Type

/** `<prefix>.fleet.list` answers every account and its state. */
export const FleetListReply = Schema.Struct({ ok: Schema.Literal(true), accounts: Schema.Array(FleetAccount) })
export type FleetListReply = typeof FleetListReply.Type
