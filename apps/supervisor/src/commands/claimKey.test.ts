import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { claimKey } from "./CommandRouter.js"

/** The three steps of a claim, each saying what it found and counting its calls. */
const steps = (fast: boolean, create: boolean, stored: string | undefined) => {
  const calls: Array<string> = []
  return {
    calls,
    steps: {
      token: "pending mine",
      fast: Effect.sync(() => (calls.push("fast"), fast)),
      create: () => Effect.sync(() => (calls.push("create"), create)),
      read: () => Effect.sync(() => (calls.push("read"), stored)),
    },
  }
}

describe("claimKey", () => {
  it.effect("a stored fast create holds the claim, and nothing more is asked", () =>
    Effect.gen(function* () {
      const { calls, steps: s } = steps(true, false, undefined)
      expect(yield* claimKey(s)).toBe(true)
      expect(calls).toEqual(["fast"])
    }),
  )

  it.effect("a refused fast create falls back to the KV client's create (a delete marker)", () =>
    Effect.gen(function* () {
      const { calls, steps: s } = steps(false, true, undefined)
      expect(yield* claimKey(s)).toBe(true)
      expect(calls).toEqual(["fast", "create"])
    }),
  )

  it.effect("a key holding the caller's own token is its claim: the fast create's acknowledgement was lost", () =>
    Effect.gen(function* () {
      const { calls, steps: s } = steps(false, false, "pending mine")
      expect(yield* claimKey(s)).toBe(true)
      expect(calls).toEqual(["fast", "create", "read"])
    }),
  )

  it.effect("a key held by another caller, or unreadable, is not", () =>
    Effect.gen(function* () {
      expect(yield* claimKey(steps(false, false, "pending theirs").steps)).toBe(false)
      expect(yield* claimKey(steps(false, false, '{"ok":true}').steps)).toBe(false)
      expect(yield* claimKey(steps(false, false, undefined).steps)).toBe(false)
    }),
  )
})
