import { describe, expect, it, layer } from "@effect/vitest"
import { NatsServer } from "@wxfleet/testing"
import { Effect, Layer, Schedule } from "effect"
import { afterAll } from "vitest"
import { ensureStream, keyValue, kvWriteThen, Nats, type NatsError, publishPersistent, request, serve } from "../src/index.js"

const server = await NatsServer.start()
afterAll(() => server.dispose())

const natsLayer = Nats.layer({ servers: server.url, name: "nats-test" })

layer(natsLayer, { timeout: 30_000 })("Nats", (it) => {
  it.effect("drops a repeated Nats-Msg-Id within the duplicate window", () =>
    Effect.gen(function* () {
      yield* ensureStream({ name: "DEDUPE", subjects: ["dedupe.>"], duplicateWindowMs: 60_000 })
      const first = yield* publishPersistent("dedupe.a", "one", { msgId: "m-1" })
      const again = yield* publishPersistent("dedupe.a", "one", { msgId: "m-1" })
      expect(first.duplicate).toBe(false)
      expect(again.duplicate).toBe(true)
      expect(again.seq).toBe(first.seq)
      const { manager } = yield* Nats
      const info = yield* Effect.promise(() => manager.streams.info("DEDUPE"))
      expect(info.state.messages).toBe(1)
    }),
  )

  it.effect("keeps values in a KV bucket", () =>
    Effect.gen(function* () {
      const kv = yield* keyValue("test_bucket", { history: 1 })
      yield* Effect.promise(() => kv.put("k", "v1"))
      const entry = yield* Effect.promise(() => kv.get("k"))
      expect(entry?.string()).toBe("v1")
    }),
  )

  it.effect("writes KV values through the publisher; a create is refused over a value and over a delete marker", () =>
    Effect.gen(function* () {
      const kv = yield* keyValue("fast_bucket", { history: 1 })
      const nats = yield* Nats
      const write = (key: string, value: string, create: boolean) =>
        Effect.async<NatsError | undefined>((resume) =>
          kvWriteThen(nats, "fast_bucket", key, value, { create }, (error) => resume(Effect.succeed(error))),
        )
      const read = (key: string) => Effect.promise(() => kv.get(key).then((entry) => entry?.string()))
      expect(yield* write("acct.op.k1", "v1", true)).toBeUndefined()
      expect(yield* read("acct.op.k1")).toBe("v1")
      expect((yield* write("acct.op.k1", "v2", true))?._tag).toBe("NatsError")
      expect(yield* read("acct.op.k1")).toBe("v1")
      expect(yield* write("acct.op.k1", "v3", false)).toBeUndefined()
      expect(yield* read("acct.op.k1")).toBe("v3")
      // A deleted key keeps a marker: the fast create is refused, the KV client's create takes over.
      yield* Effect.promise(() => kv.delete("acct.op.k1"))
      expect((yield* write("acct.op.k1", "v4", true))?._tag).toBe("NatsError")
      yield* Effect.promise(() => kv.create("acct.op.k1", "v5"))
      expect(yield* read("acct.op.k1")).toBe("v5")
    }),
  )

  it.scoped("answers requests until its scope closes", () =>
    Effect.gen(function* () {
      yield* serve("echo.svc", (msg) => Effect.succeed(`echo:${msg.string()}`))
      const reply = yield* request("echo.svc", "hi", 2_000)
      expect(reply.string()).toBe("echo:hi")
    }),
  )

  it.effect("fails with a typed NatsError when nobody answers", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(request("nobody.home", "hi", 500))
      expect(error._tag).toBe("NatsError")
      expect(error.operation).toBe("request nobody.home")
    }),
  )
})

describe("reconnects", () => {
  it.live("publishes again after the server was killed and restarted", () =>
    Effect.gen(function* () {
      yield* ensureStream({ name: "SURVIVE", subjects: ["survive.>"] })
      yield* publishPersistent("survive.a", "before")
      yield* Effect.promise(() => server.restart())
      const ack = yield* publishPersistent("survive.a", "after", { timeoutMs: 1_000 }).pipe(
        Effect.retry(Schedule.spaced("250 millis").pipe(Schedule.intersect(Schedule.recurs(100)))),
      )
      expect(ack.seq).toBe(2)
    }).pipe(Effect.provide(Layer.fresh(natsLayer))),
  90_000)
})
