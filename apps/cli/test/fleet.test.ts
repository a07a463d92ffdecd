import { speak } from "@wxfleet/simulator"
import { NatsServer } from "@wxfleet/testing"
import { TestFleet } from "@wxfleet/worker/testing"
import jsQRModule from "jsqr"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CliProcess } from "./cliProcess.js"
import { decodeTerminalQr } from "./terminalQr.js"

// jsqr is CommonJS with a default export: interop gives the function or `{ default }`.
const jsQR = ((jsQRModule as { default?: unknown }).default ?? jsQRModule) as typeof jsQRModule.default

let fleet: TestFleet
let env: Record<string, string>

beforeAll(async () => {
  fleet = await TestFleet.start()
  env = { WXFLEET_NATS_URL: fleet.nats.url }
  fleet.world.addAccount({ wxid: "wxid_bot1", nickName: "Bot One" })
  fleet.world.addAccount({ wxid: "wxid_cli", nickName: "Cli Bot" })
  fleet.world.addPerson({ wxid: "wxid_alice", nickName: "Alice" })
  fleet.world.addPerson({ wxid: "wxid_bob", nickName: "Bob" })
  for (const friend of ["wxid_alice", "wxid_bob"]) fleet.world.befriend("wxid_bot1", friend)
  await fleet.login("bot1", "wxid_bot1")
}, 60_000)

afterAll(async () => {
  await fleet?.close()
})

describe("wxfleet login", () => {
  it("draws the QR code of the waiting login in the terminal and exits 0 once the phone confirms", async () => {
    const login = CliProcess.start(["login", "cli1"], env)
    try {
      const out = await login.waitFor((o) => o.includes("waiting for the QR scan"), 45_000)
      const flow = [...fleet.world.flows.values()].find((f) => f.state === "waiting" && !f.push)!
      const decoded = decodeTerminalQr(out, (data, width, height) => jsQR(data, width, height))
      expect(decoded).toBe(`https://login.weixin.qq.com/l/${flow.uuid}`)
      fleet.world.scan(flow.uuid, "wxid_cli")
      await login.waitFor((o) => o.includes("scanned"))
      fleet.world.confirm(flow.uuid)
      expect(await login.exited).toBe(0)
      expect(login.stdout).toContain("cli1 is logged in as Cli Bot")
    } finally {
      login.kill()
    }
  }, 90_000)
})

describe("wxfleet send", () => {
  it("sends a text to a friend named by display name", async () => {
    const { code, stdout } = await CliProcess.run(["send", "bot1", "Alice", "hello from the cli"], env)
    expect(code).toBe(0)
    expect(stdout).toMatch(/sent to Alice \(@[0-9a-f]+\): msgId \d+, localId \d+/)
    const [sent] = await fleet.waitForSent("wxid_bot1", (s) => s.content === "hello from the cli")
    const alice = (await fleet.userNames("bot1"))["Alice"]
    expect(sent!.to).toBe("wxid_alice")
    expect(alice).toBeDefined()
  }, 60_000)

  it("prints the reply as JSON with --json", async () => {
    const { code, stdout } = await CliProcess.run(["send", "--json", "bot1", "filehelper", "note to self"], env)
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, msgId: expect.any(String), localId: expect.any(String) })
  }, 60_000)

  it("exits 1 with the error tag for an account the fleet does not have", async () => {
    const { code, stderr } = await CliProcess.run(["send", "nobody", "filehelper", "hi"], env)
    expect(code).toBe(1)
    expect(stderr).toContain("UnknownAccount")
  }, 60_000)

  it("exits 3 when no supervisor answers on the NATS server", async () => {
    const lonely = await NatsServer.start()
    try {
      const { code, stderr } = await CliProcess.run(["send", "bot1", "filehelper", "hi"], { WXFLEET_NATS_URL: lonely.url })
      expect(code).toBe(3)
      expect(stderr).toContain("FleetUnreachable")
    } finally {
      await lonely.dispose()
    }
  }, 60_000)
})

describe("wxfleet tail", () => {
  it("prints a friend's message readably, and as JSON lines with --json", async () => {
    const tail = CliProcess.start(["tail", "bot1"], env)
    const json = CliProcess.start(["tail", "--json"], env)
    try {
      await tail.waitFor((o) => o.includes("following"), 45_000, "stderr")
      await waitUntilSubscribed(json)
      speak(fleet.world, "wxid_bob", "wxid_bot1", { kind: "text", text: "are you there?" })
      await tail.waitFor((o) => /bot1 Bob → me: are you there\?/.test(o))
      const lines = await json.waitFor((o) => o.includes("are you there?"))
      const event = JSON.parse(lines.trim().split("\n").find((l) => l.includes("are you there?"))!)
      expect(event).toMatchObject({ kind: "message", account: "bot1", event: { message: { _tag: "Text", text: "are you there?" } } })
    } finally {
      tail.kill()
      json.kill()
    }
  }, 90_000)
})

describe("wxfleet accounts", () => {
  it("adds, lists and removes an account", async () => {
    expect((await CliProcess.run(["accounts", "add", "extra1"], env)).code).toBe(0)
    const listed = await CliProcess.run(["accounts", "list", "--json"], env)
    expect(listed.code).toBe(0)
    const accounts = JSON.parse(listed.stdout) as Array<{ account: string; state: string }>
    expect(accounts.map((a) => a.account)).toContain("extra1")
    expect(accounts.find((a) => a.account === "bot1")?.state).toBe("logged_in")
    expect((await CliProcess.run(["accounts", "remove", "extra1"], env)).code).toBe(0)
    const after = JSON.parse((await CliProcess.run(["accounts", "list", "--json"], env)).stdout) as Array<{ account: string }>
    expect(after.map((a) => a.account)).not.toContain("extra1")
  }, 90_000)
})

/**
 * `tail --json` prints nothing before the first event: a session event published on purpose
 * (a harmless account being added) shows it is listening.
 */
async function waitUntilSubscribed(p: CliProcess): Promise<void> {
  for (let i = 0; ; i++) {
    await fleet.log.publish("wx.evt.probe.session", JSON.stringify({ account: "probe", state: "starting", at: new Date().toISOString() }))
    try {
      await p.waitFor((o) => o.includes('"probe"'), 1_000)
      return
    } catch (error) {
      if (i > 40) throw error
    }
  }
}
