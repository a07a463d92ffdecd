import { parseArgs } from "node:util"
import { populate } from "./control/population.js"
import { buildDemoWorld, DEMO_ACCOUNTS, startChatter } from "./demo.js"
import { Simulator } from "./Simulator.js"
import type { Activity, SessionEndCode } from "./world/model.js"
import type { LoginFlow, World } from "./world/World.js"

const USAGE = `wxsim — a Web WeChat server for tests, demos and benchmarks

Usage: wxsim [options]

  --port N            port to listen on (default 7300; 0 picks a free one)
  --bind ADDRESS      address to bind (default 127.0.0.1)
  --sync-hold-ms N    how long synccheck holds a quiet request (default 25000, as the real server)
  --accounts N        create N fleet accounts (wxid_sim_0 …) sharing a pool of friends
  --friends-each N    friends of each bulk account (default 200)
  --groups-each N     groups of each bulk account (default 10)
  --demo              a small world (wxid_fleet1..3, friends, a group) whose friends chat
  --chat-every-ms N   how often a demo friend says something (default 4000)
  -h, --help          this text

The control API (JSON) is under <url>/__sim/; see the simulator's README.`

const OPTIONS = {
  port: { type: "string", default: "7300" },
  bind: { type: "string", default: "127.0.0.1" },
  "sync-hold-ms": { type: "string" },
  accounts: { type: "string" },
  "friends-each": { type: "string", default: "200" },
  "groups-each": { type: "string", default: "10" },
  demo: { type: "boolean", default: false },
  "chat-every-ms": { type: "string", default: "4000" },
  help: { type: "boolean", short: "h", default: false },
} as const

const fail = (message: string): never => {
  console.error(`wxsim: ${message}\n\n${USAGE}`)
  process.exit(2)
}

const integer = (name: string, raw: string, min: number, max: number): number => {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max)
    fail(`--${name} must be an integer from ${min} to ${max}`)
  return value
}

const parsed = (() => {
  try {
    return parseArgs({ options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error))
  }
})()
if (parsed.help) {
  console.log(USAGE)
  process.exit(0)
}

const syncHold = parsed["sync-hold-ms"]
const sim = await Simulator.start({
  port: integer("port", parsed.port, 0, 65_535),
  bindAddress: parsed.bind,
  ...(syncHold === undefined ? {} : { syncHoldMs: integer("sync-hold-ms", syncHold, 0, 600_000) }),
})
const control = `${sim.url}/__sim`

let stopChatter: (() => void) | undefined
if (parsed.accounts !== undefined) {
  const count = integer("accounts", parsed.accounts, 1, 100_000)
  const friendsEach = integer("friends-each", parsed["friends-each"], 0, 5_000)
  const groupsEach = integer("groups-each", parsed["groups-each"], 0, 500)
  const started = performance.now()
  const { accounts } = populate(sim.world, { count, friendsEach, groupsEach, home: "mixed" })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  console.log(
    `wxsim: created ${count} accounts (${accounts[0]} … ${accounts[accounts.length - 1]}), ${friendsEach} friends and ${groupsEach} groups each, in ${seconds} s`,
  )
}
if (parsed.demo) {
  const { roomId } = buildDemoWorld(sim.world)
  logWorldEvents(sim.world, control)
  stopChatter = startChatter(
    sim.world,
    roomId,
    integer("chat-every-ms", parsed["chat-every-ms"], 100, 3_600_000),
    (from, to, kind) => console.log(`wxsim: ${from} → ${to}: ${kind}`),
  )
  console.log(
    `wxsim: demo accounts ${DEMO_ACCOUNTS.join(", ")}; their friends chat once they are logged in`,
  )
}

console.log(`wxsim: listening on ${sim.url}`)
console.log(`WXFLEET_UPSTREAM=${sim.upstream}`)
console.log(`control: ${control}/health`)

let stopping = false
const shutdown = (signal: NodeJS.Signals): void => {
  // Ctrl-C may arrive twice: from the terminal and passed on by the launcher.
  if (stopping) return
  stopping = true
  stopChatter?.()
  // Held long polls keep timers alive, so leave explicitly once the server has closed.
  void sim.close().then(() => {
    console.log(`wxsim: stopped on ${signal}`)
    process.exit(0)
  })
}
process.on("SIGINT", shutdown)
process.on("SIGTERM", shutdown)

/** In the demo, tell the person at the terminal what happens and how to play the phone. */
function logWorldEvents(world: World, controlUrl: string): void {
  world.events.on("qr", (flow: LoginFlow) => {
    if (flow.push)
      return console.log(
        `wxsim: push login ${flow.uuid} for ${flow.account ?? "?"} (confirmed by the phone)`,
      )
    console.log(
      `wxsim: QR ${flow.uuid} is waiting. Scan and confirm it as an account's phone:\n` +
        `  curl -s -XPOST ${controlUrl}/phone/wxid_fleet1/scan -d '{"uuid":"${flow.uuid}"}'\n` +
        `  curl -s -XPOST ${controlUrl}/phone/wxid_fleet1/confirm -d '{"uuid":"${flow.uuid}"}'`,
    )
  })
  world.events.on("session", (account: string) => console.log(`wxsim: ${account} logged in`))
  world.events.on("sessionEnded", (account: string, code: SessionEndCode) =>
    console.log(`wxsim: ${account} logged out (${code})`),
  )
  world.events.on("activity", (account: string, activity: Activity) => {
    if (activity.type === "sent")
      console.log(`wxsim: ${account} sent MsgType ${activity.msgType} via ${activity.endpoint}`)
  })
}
