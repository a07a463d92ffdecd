import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { SecretBox } from "./SecretBox.js"

const box = Either.getOrThrow(SecretBox.fromSecret("a".repeat(64)))

describe("SecretBox", () => {
  it("round-trips and never stores the plaintext", () => {
    const sealed = box.seal(`{"skey":"@crypt_secret"}`, "bot1")
    assert.notInclude(sealed, "crypt_secret")
    assert.notInclude(Buffer.from(sealed.slice(3), "base64").toString("latin1"), "crypt_secret")
    assert.deepStrictEqual(box.open(sealed, "bot1"), Either.right(`{"skey":"@crypt_secret"}`))
  })

  it("uses a fresh IV for every record", () => {
    assert.notStrictEqual(box.seal("same", "bot1"), box.seal("same", "bot1"))
  })

  it("refuses another account's record, another key, and tampering", () => {
    const sealed = box.seal("secret", "bot1")
    assert.isTrue(Either.isLeft(box.open(sealed, "bot2")))
    const other = Either.getOrThrow(SecretBox.fromSecret("correct horse battery staple"))
    assert.isTrue(Either.isLeft(other.open(sealed, "bot1")))
    const bytes = Buffer.from(sealed.slice(3), "base64")
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1)
    assert.isTrue(Either.isLeft(box.open(`v1.${bytes.toString("base64")}`, "bot1")))
    assert.isTrue(Either.isLeft(box.open("garbage", "bot1")))
  })

  it("refuses a short secret", () => {
    assert.isTrue(Either.isLeft(SecretBox.fromSecret("short")))
  })
})
