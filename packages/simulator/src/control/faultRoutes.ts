import type { Simulator } from "../Simulator.js"
import { classifyHost } from "../http/hosts.js"
import { ControlError, decode, type ControlRoute } from "./http.js"
import {
  DropLongPollsBody,
  LatencyBody,
  MalformedBody,
  RateLimitBody,
  RateLimitedAnswersBody,
} from "./schemas.js"

/** Host names must be ones the simulator serves, so a typo is refused instead of never matching. */
const knownHost = (host: string, allowAll = false): string => {
  if ((allowAll && host === "*") || classifyHost(host)) return host
  throw new ControlError(400, `unknown host ${host}`)
}

/** A fault that makes an account's next `count` answers of one kind 1205 (`{account, count}`). */
const rateLimitedAnswers = (pattern: string, set: (account: string, count: number) => void): ControlRoute => ({
  method: "POST",
  pattern,
  handle: async ({ body }) => {
    const { account, count } = decode(RateLimitedAnswersBody, await body())
    set(account, count)
    return {}
  },
})

/** Faults: hosts down, latency, 1205 rate limits, malformed answers, cut long polls. */
export const faultRoutes = (sim: Simulator): ReadonlyArray<ControlRoute> => {
  const { world, faults } = sim
  return [
    {
      method: "POST",
      pattern: "/faults/hosts/:host/down",
      handle: ({ params }) => {
        faults.hostDown(knownHost(params["host"]!))
        return {}
      },
    },
    {
      method: "POST",
      pattern: "/faults/hosts/:host/up",
      handle: ({ params }) => {
        faults.hostUp(knownHost(params["host"]!))
        return {}
      },
    },
    {
      method: "POST",
      pattern: "/faults/latency",
      handle: async ({ body }) => {
        const { host, ms } = decode(LatencyBody, await body())
        faults.setLatency(knownHost(host, true), ms)
        return {}
      },
    },
    {
      method: "POST",
      pattern: "/faults/rate-limit",
      handle: async ({ body }) => {
        const { account, after } = decode(RateLimitBody, await body())
        world.account(account).sendsBeforeRateLimit = after ?? undefined
        return {}
      },
    },
    rateLimitedAnswers("/faults/synccheck-rate-limit", (account, count) => world.rateLimitSyncchecks(account, count)),
    rateLimitedAnswers("/faults/sync-rate-limit", (account, count) => world.rateLimitSyncs(account, count)),
    {
      method: "POST",
      pattern: "/faults/malformed",
      handle: async ({ body }) => {
        const rule = decode(MalformedBody, await body())
        if (rule.host !== undefined) knownHost(rule.host)
        faults.malformNext(rule)
        return {}
      },
    },
    {
      method: "POST",
      pattern: "/faults/drop-long-polls",
      handle: async ({ body }) => {
        const filter = decode(DropLongPollsBody, await body())
        if (filter.host !== undefined) knownHost(filter.host)
        return { dropped: faults.dropLongPolls(filter) }
      },
    },
    {
      method: "POST",
      pattern: "/faults/clear",
      handle: () => {
        faults.clear()
        for (const account of world.accounts.values()) {
          account.sendsBeforeRateLimit = undefined
          account.rateLimitedSyncchecks = 0
          account.rateLimitedSyncs = 0
        }
        return {}
      },
    },
  ]
}
