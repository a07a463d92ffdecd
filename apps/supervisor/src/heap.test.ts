import { describe, expect, it } from "vitest"
import { applyHeapGrowingPercent, DEFAULT_HEAP_GROWING_PERCENT } from "./heap.js"

describe("applyHeapGrowingPercent", () => {
  it("applies 60 % unless told otherwise", () => {
    expect(applyHeapGrowingPercent({}, [])).toBe(DEFAULT_HEAP_GROWING_PERCENT)
    expect(applyHeapGrowingPercent({ WXFLEET_HEAP_GROWING_PERCENT: "45" }, [])).toBe(45)
  })

  it("leaves V8 alone with 0, or when node was given the flag", () => {
    expect(applyHeapGrowingPercent({ WXFLEET_HEAP_GROWING_PERCENT: "0" }, [])).toBeUndefined()
    expect(applyHeapGrowingPercent({}, ["--heap-growing-percent=30"])).toBeUndefined()
    expect(applyHeapGrowingPercent({ NODE_OPTIONS: "--max-old-space-size=4096 --heap-growing-percent=30" }, [])).toBeUndefined()
  })

  it("refuses a value that is not a whole percentage, naming the setting", () => {
    expect(() => applyHeapGrowingPercent({ WXFLEET_HEAP_GROWING_PERCENT: "lots" }, [])).toThrow(/WXFLEET_HEAP_GROWING_PERCENT/)
    expect(() => applyHeapGrowingPercent({ WXFLEET_HEAP_GROWING_PERCENT: "-5" }, [])).toThrow(/WXFLEET_HEAP_GROWING_PERCENT/)
  })
})
