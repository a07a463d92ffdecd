import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { heapGrowingPercentFor, heapPolicy, LARGE_FLEET_SESSIONS, parseHeapSetting } from "./heap.js"

describe("heap policy", () => {
  it("by default tightens the heap only for a large fleet", () => {
    expect(parseHeapSetting(undefined)).toEqual(Either.right("auto"))
    const policy = heapPolicy("auto", {}, [])
    expect(policy).toEqual({ _tag: "Auto" })
    expect(heapGrowingPercentFor(policy, LARGE_FLEET_SESSIONS - 1)).toBeUndefined()
    expect(heapGrowingPercentFor(policy, LARGE_FLEET_SESSIONS)).toBe(100)
  })

  it("applies a given percentage from the start, and 0 or node's own flag means V8's default", () => {
    expect(parseHeapSetting("45")).toEqual(Either.right(45))
    expect(heapGrowingPercentFor(heapPolicy(45, {}, []), 1)).toBe(45)
    expect(heapPolicy(0, {}, [])).toEqual({ _tag: "Node" })
    expect(heapPolicy("auto", {}, ["--heap-growing-percent=30"])).toEqual({ _tag: "Node" })
    expect(heapPolicy(45, { NODE_OPTIONS: "--max-old-space-size=4096 --heap-growing-percent=30" }, [])).toEqual({ _tag: "Node" })
  })

  it("refuses a value that is not a whole percentage, naming the setting", () => {
    expect(Either.getOrThrowWith(Either.flip(parseHeapSetting("lots")), () => "")).toMatch(/WXFLEET_HEAP_GROWING_PERCENT/)
    expect(Either.getOrThrowWith(Either.flip(parseHeapSetting("-5")), () => "")).toMatch(/WXFLEET_HEAP_GROWING_PERCENT/)
  })
})
