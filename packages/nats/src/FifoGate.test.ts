import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { FifoGate } from "./FifoGate.js"

describe("FifoGate", () => {
  it.effect("lets `permits` in at once and the rest in arrival order", () =>
    Effect.gen(function* () {
      const gate = new FifoGate(2)
      const open = yield* Deferred.make<void>()
      const order: Array<number> = []
      const fibers = yield* Effect.forEach(
        Array.from({ length: 6 }, (_, i) => i),
        (i) =>
          gate.withPermit(Effect.zipRight(Effect.sync(() => order.push(i)), i < 2 ? Deferred.await(open) : Effect.void)).pipe(Effect.fork),
      )
      yield* Effect.yieldNow()
      expect(order).toEqual([0, 1])
      expect(gate.waiting).toBe(4)
      yield* Deferred.succeed(open, undefined)
      yield* Fiber.joinAll(fibers)
      expect(order).toEqual([0, 1, 2, 3, 4, 5])
      expect(gate.waiting).toBe(0)
    }),
  )

  it.effect("an interrupted waiter gives up its place and a failed holder its permit", () =>
    Effect.gen(function* () {
      const gate = new FifoGate(1)
      const open = yield* Deferred.make<void>()
      const holder = yield* gate.withPermit(Effect.zipRight(Deferred.await(open), Effect.fail("boom"))).pipe(Effect.fork)
      yield* Effect.yieldNow()
      const quitter = yield* gate.withPermit(Effect.succeed("never")).pipe(Effect.fork)
      const next = yield* gate.withPermit(Effect.succeed("next")).pipe(Effect.fork)
      yield* Effect.yieldNow()
      expect(gate.waiting).toBe(2)
      yield* Fiber.interrupt(quitter)
      // Gone from the count at once, though its place is passed over only at the next release.
      expect(gate.waiting).toBe(1)
      yield* Deferred.succeed(open, undefined)
      expect(yield* Effect.flip(Fiber.join(holder))).toBe("boom")
      expect(yield* Fiber.join(next)).toBe("next")
      // The permit is back: a newcomer gets in at once.
      expect(yield* gate.withPermit(Effect.succeed("again"))).toBe("again")
    }),
  )

  it("hands permits to callback requests in order, shared with effects; done gives the place or the permit back once", async () => {
    const gate = new FifoGate(1)
    const granted: Array<string> = []
    const doneA = gate.request(() => granted.push("a"))
    const doneB = gate.request(() => granted.push("b"))
    const doneC = gate.request(() => granted.push("c"))
    expect(granted).toEqual(["a"])
    expect(gate.waiting).toBe(2)
    // b leaves the line before its turn; a's permit goes to c.
    doneB()
    expect(gate.waiting).toBe(1)
    doneA()
    doneA()
    expect(granted).toEqual(["a", "c"])
    // Calling done twice gave back one permit, not two: an effect still waits for c's.
    const later = Effect.runFork(gate.withPermit(Effect.sync(() => granted.push("effect"))))
    expect(granted).toEqual(["a", "c"])
    doneC()
    await Effect.runPromise(Fiber.join(later))
    expect(granted).toEqual(["a", "c", "effect"])
    expect(gate.waiting).toBe(0)
  })

  it.effect("serves 10,000 waiters with one permit, each once", () =>
    Effect.gen(function* () {
      const gate = new FifoGate(1)
      let served = 0
      yield* Effect.forEach(Array.from({ length: 10_000 }), () => gate.withPermit(Effect.sync(() => served++)), {
        concurrency: "unbounded",
        discard: true,
      })
      expect(served).toBe(10_000)
      expect(gate.waiting).toBe(0)
    }),
  )
})
