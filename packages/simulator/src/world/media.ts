import { createHash } from "node:crypto"

/** A valid 1×1 baseline JPEG; avatars and thumbnails append a per-owner comment so they differ. */
const TINY_JPEG = Buffer.from(
  "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APvT/9k=",
  "base64",
)

/** A JPEG whose COM segment names its owner: valid to any decoder, distinct per owner. */
export const avatarJpeg = (owner: string): Uint8Array => {
  const comment = Buffer.from(`wxsim:${owner}`, "utf8")
  const segment = Buffer.alloc(4)
  segment.writeUInt16BE(0xfffe, 0)
  segment.writeUInt16BE(comment.length + 2, 2)
  return Buffer.concat([TINY_JPEG.subarray(0, 2), segment, comment, TINY_JPEG.subarray(2)])
}

/** Deterministic filler bytes of a given size behind a format's magic number. */
export const sampleBytes = (kind: "jpeg" | "mp3" | "mp4" | "bin", size: number, seed: string): Uint8Array => {
  const magic =
    kind === "jpeg"
      ? Buffer.from([0xff, 0xd8, 0xff, 0xe0])
      : kind === "mp3"
        ? Buffer.from("ID3\u0004\u0000\u0000", "latin1")
        : kind === "mp4"
          ? Buffer.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32])
          : Buffer.alloc(0)
  const out = Buffer.alloc(Math.max(size, magic.length))
  magic.copy(out)
  let block = createHash("sha256").update(seed).digest()
  for (let offset = magic.length; offset < out.length; offset += block.length) {
    block.copy(out, offset)
    block = createHash("sha256").update(block).digest()
  }
  return out
}
