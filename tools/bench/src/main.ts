/**
 * `npm run bench -- <scenario> [options]`: runs one benchmark scenario and prints its figures.
 * Each scenario parses its own options (`--help`).
 */
const scenarios: Record<string, () => Promise<(argv: ReadonlyArray<string>) => Promise<void>>> = {
  simulator: async () => (await import("./simulator/cli.js")).runSimulatorCli,
  protocol: async () => (await import("./protocol/scenario.js")).runProtocolScenario,
  "auto-reply": async () => (await import("./autoreply/scenario.js")).runAutoReplyScenario,
  supervisor: async () => (await import("./supervisor/scenario.js")).runSupervisorScenario,
  peer: async () => (await import("./peer/scenario.js")).runPeerScenario,
  http: async () => (await import("./http/scenario.js")).runHttpScenario,
}

const [name, ...rest] = process.argv.slice(2)
const load = name === undefined ? undefined : scenarios[name]
if (!load) {
  console.error(`Usage: npm run bench -- <scenario> [options]\nScenarios: ${Object.keys(scenarios).join(", ")}`)
  process.exit(2)
}
await (await load())(rest)
