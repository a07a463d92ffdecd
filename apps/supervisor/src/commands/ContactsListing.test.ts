import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, TestClock } from "effect"
import { makeContactsListing } from "./ContactsListing.js"

/** A listing that counts its runs and, while `gate` is open, waits on it: a call to WeChat in flight. */
const counted = () => {
  let runs = 0
  return {
    runs: () => runs,
    list: (gate?: Deferred.Deferred<void>) =>
      Effect.suspend(() => {
        runs++
        const n = runs
        return gate === undefined ? Effect.succeed(`listing ${n}`) : Effect.as(Deferred.await(gate), `listing ${n}`)
      }),
  }
}

const session = {}

describe("ContactsListing", () => {
  it.effect("callers asking while a listing runs share it", () =>
    Effect.gen(function* () {
      const listing = makeContactsListing<string>(Duration.seconds(10))
      const { runs, list } = counted()
      const gate = yield* Deferred.make<void>()
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(listing.get(session, list(gate))))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      const answers = yield* Effect.forEach(fibers, Fiber.join)
      expect(answers).toEqual(["listing 1", "listing 1", "listing 1"])
      expect(runs()).toBe(1)
    }),
  )

  it.effect("a finished listing answers until its ttl passes, then WeChat is asked again", () =>
    Effect.gen(function* () {
      const listing = makeContactsListing<string>(Duration.seconds(10))
      const { runs, list } = counted()
      expect(yield* listing.get(session, list())).toBe("listing 1")
      yield* TestClock.adjust(Duration.seconds(9))
      expect(yield* listing.get(session, list())).toBe("listing 1")
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* listing.get(session, list())).toBe("listing 2")
      expect(runs()).toBe(2)
    }),
  )

  it.effect("a change of contacts, another session or a zero ttl lists again", () =>
    Effect.gen(function* () {
      const listing = makeContactsListing<string>(Duration.seconds(10))
      const { list } = counted()
      expect(yield* listing.get(session, list())).toBe("listing 1")
      listing.invalidate()
      expect(yield* listing.get(session, list())).toBe("listing 2")
      expect(yield* listing.get({}, list())).toBe("listing 3")

      const uncached = makeContactsListing<string>(Duration.zero)
      const other = counted()
      expect(yield* uncached.get(session, other.list())).toBe("listing 1")
      expect(yield* uncached.get(session, other.list())).toBe("listing 2")
    }),
  )

  it.effect("a listing that started before a change is not kept, nor joined by later callers", () =>
    Effect.gen(function* () {
      const listing = makeContactsListing<string>(Duration.seconds(10))
      const { runs, list } = counted()
      const gate = yield* Deferred.make<void>()
      const before = yield* Effect.fork(listing.get(session, list(gate)))
      yield* Effect.yieldNow()
      listing.invalidate()
      expect(yield* listing.get(session, list())).toBe("listing 2")
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(before)).toBe("listing 1")
      expect(yield* listing.get(session, list())).toBe("listing 2")
      expect(runs()).toBe(2)
    }),
  )

  it.effect("a failure reaches the callers that shared it and is not kept", () =>
    Effect.gen(function* () {
      const listing = makeContactsListing<string>(Duration.seconds(10))
      const gate = yield* Deferred.make<void>()
      let runs = 0
      const failing = Effect.suspend(() => {
        runs++
        return Effect.zipRight(Deferred.await(gate), Effect.fail("session ended" as const))
      })
      const fibers = yield* Effect.forEach([1, 2], () => Effect.fork(listing.get(session, failing)))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      for (const fiber of fibers) expect(yield* Fiber.await(fiber)).toEqual(Exit.fail("session ended"))
      expect(runs).toBe(1)
      expect(yield* Effect.exit(listing.get(session, failing))).toEqual(Exit.fail("session ended"))
      expect(runs).toBe(2)
    }),
  )

  it.effect("when the caller running a listing is interrupted, one that joined it lists on its own", () =>
    Effect.gen(function* () {
      const listing = makeContactsListing<string>(Duration.seconds(10))
      const { runs, list } = counted()
      const never = yield* Deferred.make<void>()
      const leader = yield* Effect.fork(listing.get(session, list(never)))
      yield* Effect.yieldNow()
      const joiner = yield* Effect.fork(listing.get(session, list()))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(leader)
      expect(yield* Fiber.join(joiner)).toBe("listing 2")
      expect(runs()).toBe(2)
    }),
  )
})
