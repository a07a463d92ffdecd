import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { speak } from "@wxfleet/simulator"
import type { TestFleet } from "@wxfleet/worker/testing"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { displayWidth } from "../src/chat/width.js"
import { ACCOUNT, ALICE, BOT, startChatFleet } from "./chat/world.js"

/**
 * The real `wxfleet chat` process in an 80×24 tmux window, against a real fleet (nats-server,
 * simulator, supervisor) in this process: keys go in with send-keys, the screen is read back
 * with capture-pane.
 */

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "bin", "wxfleet.mjs")
/** A tmux server of our own, so nothing here touches the user's sessions. */
const SOCKET = `wxfleet-chat-test-${process.pid}`
const SESSION = "chat"
const scratch = mkdtempSync(join(tmpdir(), "wxfleet-chat-"))
const exitFile = join(scratch, "exit-code")
const stderrFile = join(scratch, "stderr")

const tmux = (...args: ReadonlyArray<string>): string =>
  execFileSync("tmux", ["-u", "-L", SOCKET, ...args], { encoding: "utf8", stdio: "pipe" })

const sessionAlive = (): boolean => {
  try {
    tmux("has-session", "-t", SESSION)
    return true
  } catch {
    return false
  }
}

const capture = (): string => {
  if (!sessionAlive())
    throw new Error(`wxfleet chat ended; its stderr:\n${readFileSync(stderrFile, "utf8")}`)
  const screen = tmux("capture-pane", "-p", "-t", SESSION)
  const lines = screen.replace(/\n$/, "").split("\n")
  expect(lines.length).toBeLessThanOrEqual(24)
  for (const line of lines)
    expect(displayWidth(line), `a line wider than 80 columns: ${line}`).toBeLessThanOrEqual(80)
  return screen
}

/** Polls the screen until `expected` shows up, then returns it. */
const waitForScreen = async (expected: string | RegExp, timeoutMs = 15_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const screen = capture()
    if (typeof expected === "string" ? screen.includes(expected) : expected.test(screen))
      return screen
    if (Date.now() > deadline)
      throw new Error(`the screen never showed ${String(expected)}; it shows:\n${screen}`)
    // A terminal has no event to await: look again shortly.
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const type = (text: string) => tmux("send-keys", "-t", SESSION, "-l", text)
const key = (name: string) => tmux("send-keys", "-t", SESSION, name)

let fleet: TestFleet

beforeAll(async () => {
  ;({ fleet } = await startChatFleet())
  // A clean environment: no CI variables (ink would draw only its last frame), a UTF-8 locale.
  const env = [
    `PATH=${process.env["PATH"] ?? ""}`,
    `HOME=${process.env["HOME"] ?? scratch}`,
    "TERM=xterm-256color",
    "LANG=C.UTF-8",
    `WXFLEET_NATS_URL=${fleet.nats.url}`,
  ]
  const command = `env -i ${env.map((e) => `'${e}'`).join(" ")} '${process.execPath}' '${BIN}' chat ${ACCOUNT} 2> '${stderrFile}'; echo $? > '${exitFile}'`
  tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", SESSION, command)
}, 60_000)

afterAll(async () => {
  try {
    tmux("kill-server")
  } catch {
    // Already gone with its last session.
  }
  await fleet?.close()
  rmSync(scratch, { recursive: true, force: true })
})

describe("wxfleet chat in a terminal", () => {
  it("searches, opens a chat, sends, receives, sends a file, revokes and quits", async () => {
    // The first screen waits on a node process starting beside a loaded test run, not on wxfleet.
    await waitForScreen("Bob from work", 45_000)
    await waitForScreen(`${ACCOUNT} (Helper Bot) · logged_in`)

    type("ali")
    await waitForScreen("/ali▏ 1 found")
    key("Enter")
    await waitForScreen(/│ Alice Liddell/)

    const hello = "hello from the terminal 你好"
    type(hello)
    await waitForScreen(`› ${hello}`)
    key("Enter")
    const [sent] = await fleet.waitForSent(BOT, (s) => s.to === ALICE && s.content === hello)
    expect(
      fleet
        .sent(BOT)
        .filter((s) => s.to === ALICE)
        .map((s) => s.content),
    ).toEqual([hello])
    await waitForScreen(`me: ${hello}`)

    speak(fleet.world, ALICE, BOT, { kind: "text", text: "hi back 你也好" })
    await waitForScreen("Alice Liddell: hi back 你也好")

    const report = join(scratch, "report.txt")
    writeFileSync(report, "quarterly numbers\n")
    type(`/file ${report}`)
    await waitForScreen("› /file")
    key("Enter")
    await fleet.waitForSent(BOT, (s) => s.to === ALICE && s.content.includes("report.txt"))
    const activity = () => fleet.world.account(BOT).activity
    expect(activity().some((a) => a.type === "uploaded" && a.fileName === "report.txt")).toBe(true)
    await waitForScreen(/me: \[file report\.txt\] *\n/)

    type("/revoke")
    await waitForScreen("› /revoke")
    key("Enter")
    await waitForScreen("me: [file report.txt] [revoked]")
    // The file went last, so it is what /revoke took back; the text goes with a second one.
    type("/revoke")
    await waitForScreen("› /revoke")
    key("Enter")
    await waitForScreen(`me: ${hello} [revoked]`)
    const revoked = activity().flatMap((a) => (a.type === "revoked" ? [a.msgId] : []))
    expect(revoked).toHaveLength(2)
    expect(revoked[1]).toBe(sent!.msgId)

    key("Escape")
    // Keys sent together with Escape would read as Alt-keys: wait until it has been taken.
    await waitForScreen("› Tab: back to the chat")
    type("王")
    await waitForScreen("/王▏ 1 found")
    key("Enter")
    await waitForScreen(/│ Bob from work/)

    key("C-c")
    const deadline = Date.now() + 15_000
    while (sessionAlive()) {
      if (Date.now() > deadline) throw new Error(`still running after Ctrl-C:\n${capture()}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(readFileSync(exitFile, "utf8").trim()).toBe("0")
  }, 90_000)
})
