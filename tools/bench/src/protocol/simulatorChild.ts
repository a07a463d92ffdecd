/**
 * The simulator's process for the login benchmark (started by ChildSimulator, never by hand): a
 * Simulator on a free loopback port, its world built and its phones played on IPC requests.
 */
import { populate, Simulator, speak } from "@wxfleet/simulator"
import type { ChildMessage, ChildRequest } from "./ChildSimulator.js"

const send = process.send?.bind(process)
if (send === undefined) {
  console.error("simulatorChild: needs an IPC channel; ChildSimulator starts it")
  process.exit(2)
}
const reply = (message: ChildMessage): void => {
  send(message)
}

// A refused or lost confirmation shows within seconds instead of the real 25 s hold.
const sim = await Simulator.start({ loginPollHoldMs: 5_000, syncHoldMs: 5_000 })

const handle = (
  request: ChildRequest,
): Omit<Extract<ChildMessage, { type: "reply" }>, "id" | "type"> => {
  switch (request.type) {
    case "populate": {
      // Accounts, one pool of people shared by them all, and `friendsEach` befriended by each.
      const { accounts } = populate(sim.world, {
        prefix: request.prefix,
        count: request.count,
        friendsEach: request.friendsEach,
        groupsEach: 0,
      })
      return { accounts }
    }
    case "phone":
      sim.world.scan(request.uuid, request.account)
      sim.world.confirm(request.uuid)
      return {}
    case "say":
      for (const account of request.accounts) speak(sim.world, account, "filehelper", { kind: "text", text: request.text })
      return {}
  }
}

process.on("message", (request: ChildRequest) => {
  try {
    reply({ type: "reply", id: request.id, ...handle(request) })
  } catch (error) {
    reply({
      type: "reply",
      id: request.id,
      error: error instanceof Error ? error.message : String(error),
    })
  }
})

// The benchmark is done (or gone): close the server and leave.
process.on("disconnect", () => {
  setTimeout(() => process.exit(0), 2_000).unref()
  void sim.close().finally(() => process.exit(0))
})

reply({ type: "ready", upstream: sim.upstream })
