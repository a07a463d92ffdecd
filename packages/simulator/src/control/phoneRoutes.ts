import type { LoginFlowState, World } from "../world/World.js"
import { ControlError, decode, listParam, type ControlRoute } from "./http.js"
import { LogoutBody, ScanBody, UuidBody } from "./schemas.js"
import { flowView, pendingFlows } from "./views.js"

const FLOW_STATES: ReadonlySet<string> = new Set<LoginFlowState>([
  "waiting",
  "scanned",
  "confirmed",
  "cancelled",
  "expired",
])

/** Playing each account's phone: the QR codes on screen, scanning, confirming, cancelling, logging out. */
export const phoneRoutes = (world: World): ReadonlyArray<ControlRoute> => [
  {
    method: "GET",
    pattern: "/qr",
    handle: ({ query }) => {
      const states = listParam(query, "state")
      for (const state of states ?? [])
        if (!FLOW_STATES.has(state)) throw new ControlError(400, `unknown state ${state}`)
      const flows = states
        ? [...world.flows.keys()].flatMap((uuid) => {
            const flow = world.flow(uuid)
            return flow && states.has(flow.state) ? [flow] : []
          })
        : pendingFlows(world)
      return { flows: flows.map(flowView) }
    },
  },
  {
    method: "GET",
    pattern: "/qr/:uuid",
    handle: ({ params }) => ({ flow: flowView(knownFlow(world, params["uuid"]!)) }),
  },
  {
    method: "POST",
    pattern: "/qr/:uuid/expire",
    handle: ({ params }) => ({
      flow: flowView(world.expire(knownFlow(world, params["uuid"]!).uuid)),
    }),
  },
  {
    method: "POST",
    pattern: "/phone/:account/scan",
    handle: async ({ params, body }) => {
      const account = params["account"]!
      world.account(account)
      const { uuid } = decode(ScanBody, await body())
      return { flow: flowView(world.scan(uuid ?? newestWaitingQr(world), account)) }
    },
  },
  {
    method: "POST",
    pattern: "/phone/:account/confirm",
    handle: async ({ params, body }) => {
      const { uuid } = decode(UuidBody, await body())
      ownFlow(world, params["account"]!, uuid)
      return { flow: flowView(world.confirm(uuid)) }
    },
  },
  {
    method: "POST",
    pattern: "/phone/:account/cancel",
    handle: async ({ params, body }) => {
      const { uuid } = decode(UuidBody, await body())
      ownFlow(world, params["account"]!, uuid)
      return { flow: flowView(world.cancel(uuid)) }
    },
  },
  {
    method: "POST",
    pattern: "/phone/:account/logout",
    handle: async ({ params, body }) => {
      const account = world.account(params["account"]!)
      const { code = 1101 } = decode(LogoutBody, await body())
      const wasLoggedIn = account.session !== undefined
      world.logout(account.wxid, code)
      return { ended: wasLoggedIn, code }
    },
  },
]

const knownFlow = (world: World, uuid: string) => {
  const flow = world.flow(uuid)
  if (!flow) throw new ControlError(404, `unknown QR ${uuid}`)
  return flow
}

/** Only the phone that scanned a QR code can confirm or cancel it; an unscanned one any phone may cancel. */
const ownFlow = (world: World, account: string, uuid: string): void => {
  world.account(account)
  const flow = knownFlow(world, uuid)
  if (flow.account !== undefined && flow.account !== account) {
    throw new ControlError(409, `QR ${uuid} belongs to ${flow.account}, not ${account}`)
  }
}

/** For people at a terminal: `scan` without a uuid takes the QR code shown last. */
const newestWaitingQr = (world: World): string => {
  const waiting = pendingFlows(world).filter((flow) => flow.state === "waiting" && !flow.push)
  const newest = waiting[waiting.length - 1]
  if (!newest) throw new ControlError(409, "no QR code is waiting to be scanned")
  return newest.uuid
}
