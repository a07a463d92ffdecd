import type { Simulator } from "../Simulator.js"
import type { World } from "../world/World.js"
import type { EventFeed } from "./EventFeed.js"
import { ControlError, decode, intParam, type ControlRoute } from "./http.js"
import { populate } from "./population.js"
import {
  AccountBody,
  AccountsBody,
  BulkAccountsBody,
  FriendBody,
  GroupBody,
  PersonBody,
  PersonsBody,
} from "./schemas.js"
import { accountDetail, accountSummary, pendingFlows } from "./views.js"

/** Health, and building the world: accounts (one, a list, or a bulk fleet), people, friendships, groups. */
export const worldRoutes = (sim: Simulator, feed: EventFeed): ReadonlyArray<ControlRoute> => {
  const { world } = sim
  const startedAt = Date.now()
  return [
    {
      method: "GET",
      pattern: "/health",
      handle: () => {
        let loggedIn = 0
        for (const account of world.accounts.values()) if (account.session) loggedIn++
        return {
          pid: process.pid,
          uptimeMs: Date.now() - startedAt,
          upstream: sim.upstream,
          accounts: world.accounts.size,
          loggedIn,
          persons: world.persons.size,
          groups: world.groups.size,
          pendingQr: pendingFlows(world).length,
          heldPolls: sim.faults.heldPolls,
          latestEvent: feed.latest,
        }
      },
    },
    {
      method: "POST",
      pattern: "/accounts",
      handle: async ({ body }) => {
        const input = await body()
        if (isRecord(input) && "count" in input) {
          const bulk = decode(BulkAccountsBody, input)
          return populate(world, bulk)
        }
        const specs =
          isRecord(input) && "accounts" in input
            ? decode(AccountsBody, input).accounts
            : [decode(AccountBody, input)]
        checkNewAccounts(world, specs)
        for (const { friends: _friends, ...spec } of specs) world.addAccount(spec)
        for (const spec of specs)
          for (const friend of spec.friends ?? []) world.befriend(spec.wxid, friend)
        return { accounts: specs.map((spec) => spec.wxid) }
      },
    },
    {
      method: "GET",
      pattern: "/accounts",
      handle: ({ query }) => {
        const offset = intParam(query, "offset", 0, 0, Number.MAX_SAFE_INTEGER)
        const limit = intParam(query, "limit", 1_000, 1, 100_000)
        const all = [...world.accounts.values()]
        return {
          total: all.length,
          offset,
          accounts: all.slice(offset, offset + limit).map(accountSummary),
        }
      },
    },
    {
      method: "GET",
      pattern: "/accounts/:wxid",
      handle: ({ params }) => ({ account: accountDetail(world.account(params["wxid"]!)) }),
    },
    {
      method: "POST",
      pattern: "/persons",
      handle: async ({ body }) => {
        const input = await body()
        const specs =
          isRecord(input) && "persons" in input
            ? decode(PersonsBody, input).persons
            : [decode(PersonBody, input)]
        const seen = new Set<string>()
        for (const { wxid } of specs) {
          if (world.persons.has(wxid) || seen.has(wxid))
            throw new ControlError(409, `person ${wxid} exists`)
          seen.add(wxid)
        }
        for (const spec of specs) world.addPerson(spec)
        return { persons: specs.map((spec) => spec.wxid) }
      },
    },
    {
      method: "POST",
      pattern: "/friends",
      handle: async ({ body }) => {
        const { account, wxid, remarkName } = decode(FriendBody, await body())
        world.befriend(account, wxid, remarkName === undefined ? {} : { remarkName })
        return {}
      },
    },
    {
      method: "POST",
      pattern: "/groups",
      handle: async ({ body }) => {
        const spec = decode(GroupBody, await body())
        if (spec.roomId !== undefined && world.groups.has(spec.roomId))
          throw new ControlError(409, `group ${spec.roomId} exists`)
        for (const member of [spec.owner, ...spec.members])
          world.person(typeof member === "string" ? member : member.wxid)
        return { roomId: world.addGroup(spec).roomId }
      },
    },
  ]
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Refuses the whole list before creating any, so a bad entry leaves the world unchanged. */
const checkNewAccounts = (
  world: World,
  specs: ReadonlyArray<{ wxid: string; friends?: ReadonlyArray<string> }>,
): void => {
  const seen = new Set<string>()
  for (const spec of specs) {
    if (world.accounts.has(spec.wxid) || seen.has(spec.wxid))
      throw new ControlError(409, `account ${spec.wxid} exists`)
    seen.add(spec.wxid)
  }
  for (const spec of specs) {
    for (const friend of spec.friends ?? []) {
      if (!world.persons.has(friend) && !seen.has(friend))
        throw new ControlError(404, `unknown person ${friend}`)
    }
  }
}
