import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto"
import { Data, Either } from "effect"

/** A stored secret could not be opened: wrong key, another account's record, or damaged bytes. */
export class SecretBoxError extends Data.TaggedError("SecretBoxError")<{ readonly reason: string }> {
  override get message(): string {
    return `cannot decrypt stored session: ${this.reason}`
  }
}

const VERSION = "v1"

/**
 * AES-256-GCM for session state at rest. Each record has a fresh 96-bit IV and is bound to its
 * account (associated data), so a record copied under another account's key does not open.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * From `WXFLEET_SECRET_KEY`: 64 hex digits are the key itself; anything else (at least 16
   * characters) is a passphrase stretched with scrypt.
   */
  static fromSecret(secret: string): Either.Either<SecretBox, string> {
    if (/^[0-9a-fA-F]{64}$/.test(secret)) return Either.right(new SecretBox(Buffer.from(secret, "hex")))
    if (secret.length < 16) return Either.left("WXFLEET_SECRET_KEY must be 64 hex digits or a passphrase of at least 16 characters")
    return Either.right(new SecretBox(scryptSync(secret, "wxfleet/session-state/v1", 32)))
  }

  seal(plaintext: string, account: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv("aes-256-gcm", this.key, iv)
    cipher.setAAD(Buffer.from(account, "utf8"))
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`
  }

  open(sealed: string, account: string): Either.Either<string, SecretBoxError> {
    const [version, payload] = sealed.split(".")
    if (version !== VERSION || !payload) return Either.left(new SecretBoxError({ reason: "unknown format" }))
    const bytes = Buffer.from(payload, "base64")
    if (bytes.length < 28) return Either.left(new SecretBoxError({ reason: "too short" }))
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, 12))
      decipher.setAAD(Buffer.from(account, "utf8"))
      decipher.setAuthTag(bytes.subarray(12, 28))
      return Either.right(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8"))
    } catch {
      return Either.left(new SecretBoxError({ reason: "authentication failed (wrong key or tampered record)" }))
    }
  }
}
