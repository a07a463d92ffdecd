import type { World } from "../world/World.js"
import { MAX_EVENT_WAIT_MS, type EventFeed } from "./EventFeed.js"
import { intParam, listParam, type ControlRoute } from "./http.js"

/** What accounts did, and a long poll on everything that happens, for other processes to await. */
export const inspectRoutes = (world: World, feed: EventFeed): ReadonlyArray<ControlRoute> => [
  {
    method: "GET",
    pattern: "/accounts/:wxid/activity",
    handle: ({ params, query }) => {
      const account = world.account(params["wxid"]!)
      const since = intParam(query, "since", 0, 0, Number.MAX_SAFE_INTEGER)
      const limit = intParam(query, "limit", 1_000, 1, 100_000)
      const types = listParam(query, "type")
      const activity = []
      let index = since
      for (; index < account.activity.length && activity.length < limit; index++) {
        const entry = account.activity[index]!
        if (!types || types.has(entry.type)) activity.push({ index, ...entry })
      }
      // `next` is where to continue: the whole log was read up to it, matching or not.
      return { activity, next: index }
    },
  },
  {
    method: "GET",
    pattern: "/events",
    handle: async ({ query, closed }) => {
      const since = intParam(query, "since", 0, 0, Number.MAX_SAFE_INTEGER)
      const timeout = intParam(query, "timeout", 0, 0, MAX_EVENT_WAIT_MS)
      const limit = intParam(query, "limit", 1_000, 1, 10_000)
      const filter = {
        types: listParam(query, "types"),
        account: query.get("account") ?? undefined,
      }
      return { ...(await feed.wait(since, filter, limit, timeout, closed)) }
    },
  },
]
