import { expect, layer } from "@effect/vitest"
import { Kvm } from "@nats-io/kv"
import { Effect, HashMap, Layer, Logger } from "effect"
import { afterAll } from "vitest"
import { SESSIONS_BUCKET } from "../src/state/SessionStore.js"
import { startInfrastructure, supervisorLayer } from "./support/harness.js"

const infra = await startInfrastructure()
const { sim, recorder } = infra
sim.world.addAccount({ wxid: "wxid_logged", nickName: "Logged", home: "wx2.qq.com" })
afterAll(() => infra.close())

/** Every line the supervisor logs, with its annotations. */
const lines: Array<{ message: string; annotations: Record<string, unknown> }> = []
const capture = Logger.replace(
  Logger.defaultLogger,
  Logger.make(({ message, annotations }) => {
    lines.push({ message: String(Array.isArray(message) ? message[0] : message), annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
  }),
)

// A stored record that does not open: the session says so in its log, and logs in afresh.
const kv = await new Kvm(recorder.connection).create(SESSIONS_BUCKET, { history: 1 })
await kv.put("logged", "not a sealed record")

layer(supervisorLayer(infra.nats, sim).pipe(Layer.provide(capture)), { timeout: 60_000, excludeTestServices: true })(
  "session logs",
  (it) => {
    it.effect("name the account they are about", () =>
      Effect.promise(async () => {
        await recorder.request("wx.fleet.add", { account: "logged" })
        await recorder.waitFor(
          (subject, data: { state?: string }) => subject === "wx.evt.logged.session" && data.state === "awaiting_scan",
        )
        const line = lines.find((l) => l.message.startsWith("stored session of logged not usable"))
        expect(line?.annotations).toMatchObject({ account: "logged" })
      }),
    )
  },
)
