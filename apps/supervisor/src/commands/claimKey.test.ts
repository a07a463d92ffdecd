import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { claimKey, readClaim } from "./CommandRouter.js"

/** The two steps of a claim, each saying what it found and counting its calls. */
const steps = (fast: boolean, create: boolean) => {
  const calls: Array<string> = []
  return {
    calls,
    steps: {
      fast: Effect.sync(() => (calls.push("fast"), fast)),
      create: () => Effect.sync(() => (calls.push("create"), create)),
    },
  }
}

describe("claimKey", () => {
  it.effect("a stored fast create holds the claim, and nothing more is asked", () =>
    Effect.gen(function* () {
      const { calls, steps: s } = steps(true, false)
      expect(yield* claimKey(s)).toBe(true)
      expect(calls).toEqual(["fast"])
    }),
  )

  it.effect("a refused fast create falls back to the KV client's create (a delete marker)", () =>
    Effect.gen(function* () {
      const { calls, steps: s } = steps(false, true)
      expect(yield* claimKey(s)).toBe(true)
      expect(calls).toEqual(["fast", "create"])
    }),
  )

  it.effect("both refused: not claimed here (the key's value decides, below)", () =>
    Effect.gen(function* () {
      const { calls, steps: s } = steps(false, false)
      expect(yield* claimKey(s)).toBe(false)
      expect(calls).toEqual(["fast", "create"])
    }),
  )
})

describe("readClaim", () => {
  const token = "pending inst-a 1111"

  it("a key holding the caller's own token is its claim: the fast create's acknowledgement was lost", () => {
    expect(readClaim(token, token, "inst-a")).toEqual({ _tag: "Mine" })
  })

  it("a key held by another caller of this supervisor, or not readable yet, is waited for", () => {
    expect(readClaim("pending inst-a 2222", token, "inst-a")).toEqual({ _tag: "Waiting" })
    expect(readClaim(undefined, token, "inst-a")).toEqual({ _tag: "Waiting" })
  })

  it("a key held by another supervisor instance, or claimed before claims named one, was abandoned", () => {
    expect(readClaim("pending inst-b 3333", token, "inst-a")).toEqual({ _tag: "Abandoned" })
    expect(readClaim("pending", token, "inst-a")).toEqual({ _tag: "Abandoned" })
  })

  it("a first reply is the answer", () => {
    expect(readClaim('{"ok":true}', token, "inst-a")).toEqual({ _tag: "Answered", reply: '{"ok":true}' })
  })
})
