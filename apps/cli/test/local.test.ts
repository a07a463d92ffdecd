import { connect } from "@nats-io/transport-node"
import { freePort } from "@wxfleet/testing"
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { CliProcess } from "./cliProcess.js"

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "wxfleet-cli-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("wxfleet up", () => {
  it("starts nats-server in the data dir and the supervisor, and stops on SIGTERM with 0", async () => {
    const port = await freePort()
    const url = `nats://127.0.0.1:${port}`
    const config = join(dir, "up.json")
    await writeFile(config, JSON.stringify({ accounts: ["upbot"] }))
    const dataDir = join(dir, "up-data")
    const up = CliProcess.start(["up", "--config", config, "--data-dir", dataDir], { WXFLEET_NATS_URL: url, WXFLEET_HTTP_PORT: "0" })
    try {
      const out = await up.waitFor((o) => o.includes("wxfleet is up"), 60_000, "stderr")
      const pid = Number(/nats-server \(pid (\d+)/.exec(out)![1])
      expect((await stat(join(dataDir, "secret.key"))).mode & 0o777).toBe(0o600)
      const nc = await connect({ servers: url })
      const reply = (await nc.request("wx.fleet.list", "{}", { timeout: 10_000 })).json<{ accounts: Array<{ account: string }> }>()
      await nc.close()
      expect(reply.accounts.map((a) => a.account)).toEqual(["upbot"])
      up.terminate()
      expect(await up.exited).toBe(0)
      expect(alive(pid)).toBe(false)
    } finally {
      up.kill()
    }
  }, 90_000)

  it("refuses a config with a bad field, naming it", async () => {
    const config = join(dir, "bad.yaml")
    await writeFile(config, "accounts: [ok1]\nautoreply: rules.yaml\n")
    const { code, stderr } = await CliProcess.run(["up", "--config", config, "--data-dir", join(dir, "bad-data")], {
      WXFLEET_NATS_URL: `nats://127.0.0.1:${await freePort()}`,
    })
    expect(code).toBe(2)
    expect(stderr).toContain("autoreply")
  }, 60_000)
})

describe("wxfleet demo", () => {
  it("logs the demo accounts in by themselves, shows chat and auto-replies, and stops on Ctrl-C with 0", async () => {
    const demo = CliProcess.start(["demo", "--data-dir", join(dir, "demo-data"), "--chat-every-ms", "700"], { WXFLEET_NATS_URL: undefined })
    try {
      const out = await demo.waitFor(
        (o) => ["wxid_fleet1", "wxid_fleet2", "wxid_fleet3"].every((a) => o.includes(`${a} logged in as`)) && / → .+: /.test(o) && o.includes("replied through its web session"),
        60_000,
      )
      expect(out).toContain("awaiting scan of QR https://login.weixin.qq.com/l/")
      expect(out).toMatch(/WXFLEET_NATS_URL=nats:\/\/127\.0\.0\.1:\d+ npx wxfleet chat wxid_fleet1/)
      const pid = Number(/nats-server pid (\d+)/.exec(out)![1])
      expect(alive(pid)).toBe(true)
      demo.interrupt()
      expect(await demo.exited).toBe(0)
      expect(alive(pid)).toBe(false)
    } finally {
      demo.kill()
    }
  }, 90_000)
})
