import { hash, randomBytes, randomInt } from "node:crypto"

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

const hex = (bytes: number): string => randomBytes(bytes).toString("hex")

/** QR uuids look like `4dcaWx3uBw==` or `IeClc-d1NQ==`: 10 base64-ish characters and `==`. */
export const newUuid = (): string =>
  randomBytes(8)
    .toString("base64")
    .slice(0, 10)
    .replace(/\+/g, "-")
    .replace(/\//g, "_") + "=="

/** wxsid values may hold `/` and `+` (e.g. `ie/1f66Oxv5UpbOh`), so clients must URL-encode them. */
export const newSid = (): string =>
  Array.from({ length: 16 }, (_, i) =>
    i === 2 ? "/" : i === 9 ? "+" : BASE64_ALPHABET[randomInt(BASE64_ALPHABET.length)],
  ).join("")

export const newSkey = (): string => `@crypt_${hex(4)}_${hex(16)}`

/** pass_ticket arrives already percent-encoded (`…%2B…%2F…%3D`). */
export const newPassTicket = (): string =>
  encodeURIComponent(randomBytes(48).toString("base64").replace(/=+$/, "") + "+/=")

export const newLoginTicket = (): string => `A${randomBytes(24).toString("base64url")}@qrticket_0`

export const newDataTicket = (): string => randomBytes(24).toString("base64")

export const newAuthTicket = (): string => randomBytes(36).toString("base64")

export const newMediaId = (): string => `@crypt_${hex(4)}_${hex(64)}`

export const newEncryChatRoomId = (): string => `@${hex(16)}`

/** A server message id: a uint64 above 2^53, written as a 19-digit decimal. */
export const newMsgId = (): bigint =>
  (BigInt(Date.now()) << 20n) | BigInt(randomInt(0, 1 << 20)) | (1n << 62n)

export const randomSyncBase = (): number => randomInt(100_000_000, 900_000_000)

/**
 * UserNames are scoped to one login session: the same friend gets a new `@…` id on every login.
 * Deriving them from a per-session salt keeps 10,000 sessions × 200 contacts off the heap.
 */
export const sessionUserName = (salt: string, wxid: string, isRoom: boolean): string =>
  isRoom
    ? "@@" + hash("sha256", salt + wxid, "hex")
    : "@" + hash("md5", salt + wxid, "hex")

export const newSalt = (): string => hex(8)

/** AttrStatus is an opaque bitmask; people get a large stable value derived from their uin. */
export const attrStatus = (uin: number): number => 33_000 + (uin % 200_000)
