import { describe, expect, it } from "vitest"
import { heapGrowingPercentFor, heapPolicy, LARGE_FLEET_SESSIONS } from "./heap.js"

describe("heap policy", () => {
  it("by default tightens the heap only for a large fleet", () => {
    const policy = heapPolicy({}, [])
    expect(policy).toEqual({ _tag: "Auto" })
    expect(heapGrowingPercentFor(policy, LARGE_FLEET_SESSIONS - 1)).toBeUndefined()
    expect(heapGrowingPercentFor(policy, LARGE_FLEET_SESSIONS)).toBe(60)
  })

  it("applies a given percentage from the start, and 0 or node's own flag means V8's default", () => {
    expect(heapGrowingPercentFor(heapPolicy({ WXFLEET_HEAP_GROWING_PERCENT: "45" }, []), 1)).toBe(45)
    expect(heapPolicy({ WXFLEET_HEAP_GROWING_PERCENT: "0" }, [])).toEqual({ _tag: "Node" })
    expect(heapPolicy({}, ["--heap-growing-percent=30"])).toEqual({ _tag: "Node" })
    expect(heapPolicy({ NODE_OPTIONS: "--max-old-space-size=4096 --heap-growing-percent=30" }, [])).toEqual({ _tag: "Node" })
  })

  it("refuses a value that is not a whole percentage, naming the setting", () => {
    expect(() => heapPolicy({ WXFLEET_HEAP_GROWING_PERCENT: "lots" }, [])).toThrow(/WXFLEET_HEAP_GROWING_PERCENT/)
    expect(() => heapPolicy({ WXFLEET_HEAP_GROWING_PERCENT: "-5" }, [])).toThrow(/WXFLEET_HEAP_GROWING_PERCENT/)
  })
})
