import { assert, describe, expect, it } from "@effect/vitest"
import { Simulator } from "@wxfleet/simulator"
import { Effect, Layer, Option, Tracer } from "effect"
import { afterAll } from "vitest"
import { synccheck } from "../src/sync/Synccheck.js"
import { webwxsync } from "../src/sync/WebwxSync.js"
import { traced } from "../src/Tracing.js"
import { protocolLayer } from "./support/layer.js"
import { loginAs } from "./support/session.js"

/** A tracer that keeps the name and attributes of every span it starts. */
const recordingTracer = () => {
  const started: Array<{ name: string; attributes: Record<string, unknown> }> = []
  const builtIn = Effect.runSync(Effect.tracer)
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      started.push({ name, attributes: { ...options?.attributes } })
      return builtIn.span(name, parent, context, links, startTime, kind, options)
    },
    context: (f) => f(),
  })
  return { started, layer: Layer.setTracer(tracer) }
}

describe("traced", () => {
  it.effect("makes no span under Effect's built-in tracer", () =>
    Effect.gen(function* () {
      const inside = yield* Effect.currentSpan.pipe(Effect.option, traced("quiet"))
      assert.isTrue(Option.isNone(inside))
    }),
  )

  it.effect("makes the span, with its attributes, when a tracer is installed", () => {
    const { started, layer } = recordingTracer()
    return Effect.gen(function* () {
      const inside = yield* Effect.currentSpan.pipe(Effect.option, traced("loud", { attributes: { n: 1 } }))
      assert.isTrue(Option.isSome(inside))
      expect(started).toEqual([{ name: "loud", attributes: { n: 1 } }])
    }).pipe(Effect.provide(layer))
  })
})

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300 })
afterAll(() => sim.close())

describe("protocol spans", () => {
  it.scoped("synccheck and webwxsync are traced when the application installs a tracer", () => {
    const { started, layer } = recordingTracer()
    return Effect.gen(function* () {
      sim.world.addAccount({ wxid: "wxid_traced", nickName: "Traced", home: "wx2.qq.com" })
      const { session } = yield* loginAs(sim, "wxid_traced")
      yield* synccheck(session, "webpush.wx2.qq.com")
      yield* webwxsync(session)
      const names = started.map((span) => span.name)
      expect(names).toContain("synccheck")
      expect(names).toContain("webwxsync")
      expect(started.find((span) => span.name === "synccheck")?.attributes).toEqual({ host: "webpush.wx2.qq.com" })
    }).pipe(Effect.provide(Layer.merge(protocolLayer(sim), layer)))
  })
})
