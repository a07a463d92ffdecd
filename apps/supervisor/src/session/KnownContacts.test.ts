import { describe, expect, it } from "vitest"
import { KnownContacts, nameHash } from "./KnownContacts.js"

const names = Array.from({ length: 300 }, (_, i) => `@${i.toString(16).padStart(32, "0")}`)

describe("KnownContacts", () => {
  it("knows what it was reset with, and nothing else", () => {
    const known = new KnownContacts()
    known.reset(names.slice(0, 200))
    expect(names.slice(0, 200).every((n) => known.has(n))).toBe(true)
    expect(names.slice(200).some((n) => known.has(n))).toBe(false)
  })

  it("follows additions and removals after the reset", () => {
    const known = new KnownContacts()
    known.reset(names.slice(0, 10))
    known.add(names[50]!)
    known.delete(names[3]!)
    expect(known.has(names[50]!)).toBe(true)
    expect(known.has(names[3]!)).toBe(false)
    known.add(names[3]!)
    known.delete(names[50]!)
    expect(known.has(names[3]!)).toBe(true)
    expect(known.has(names[50]!)).toBe(false)
    known.reset([])
    expect(known.has(names[3]!)).toBe(false)
  })

  it("restores what it serialized, changes since the reset included, and refuses anything else", () => {
    const known = new KnownContacts()
    known.reset(names.slice(0, 200))
    known.add(names[250]!)
    known.delete(names[7]!)
    const again = new KnownContacts()
    expect(again.restore(known.serialize())).toBe(true)
    expect(again.has(names[250]!)).toBe(true)
    expect(again.has(names[7]!)).toBe(false)
    expect(names.slice(8, 200).every((n) => again.has(n))).toBe(true)
    expect(names.slice(200, 250).some((n) => again.has(n))).toBe(false)
    // Not base64 of sorted 32-bit hashes: refused, and what it knew stays.
    for (const bad of ["not base64!", Buffer.from([1, 2, 3]).toString("base64"), Buffer.from([0, 0, 0, 2, 0, 0, 0, 1]).toString("base64")]) {
      expect(again.restore(bad)).toBe(false)
    }
    expect(again.has(names[250]!)).toBe(true)
    expect(new KnownContacts().restore(new KnownContacts().serialize())).toBe(true)
  })

  it("hashes UserNames to distinct 32-bit numbers", () => {
    const hashes = new Set(names.map(nameHash))
    expect(hashes.size).toBe(names.length)
    expect([...hashes].every((h) => Number.isInteger(h) && h >= 0 && h < 2 ** 32)).toBe(true)
  })
})
