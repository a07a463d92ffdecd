import { createHash } from "node:crypto"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { FormData } from "@effect/platform-node/Undici"
import { Data, Effect, Schema, Stream } from "effect"
import { MalformedResponse, type SessionCallError } from "../Errors.js"
import { CGI, decodeAnswer, judgeAnswer, postJsonAs } from "../http/call.js"
import { Transport } from "../http/Transport.js"
import { ProtocolConfig } from "../ProtocolConfig.js"
import { retryRead } from "../Schedules.js"
import type { WxSession } from "../session/WxSession.js"

/** The official uploader's chunk size (WebUploader `chunkSize`, one thread, chunks in order). */
export const CHUNK_BYTES = 524_288
/** Files above this (`NEED_CHECK_SIZE`, 25 MB) must pass webwxcheckupload first. */
export const CHECK_UPLOAD_ABOVE = 25 * 1024 * 1024

export type MediaType = "pic" | "video" | "doc"

const PICTURE_EXTENSIONS = new Set(["bmp", "jpeg", "jpg", "png"])

/** The file name's extension, lower-cased ("" when it has none). */
export const extensionOf = (fileName: string): string =>
  /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? ""

/** As the official client and wechat4u: bmp/jpeg/jpg/png are pictures, mp4 a video, all else (gif too) a document. */
export const mediaTypeOf = (fileName: string): MediaType => {
  const extension = extensionOf(fileName)
  return PICTURE_EXTENSIONS.has(extension) ? "pic" : extension === "mp4" ? "video" : "doc"
}

/**
 * A file to upload: its bytes in memory, or a stream of a known size. Every chunk's request
 * carries the md5 of the whole file, so a stream without `md5` is run twice (md5, then upload).
 */
export type MediaFile<E = never, R = never> = {
  readonly fileName: string
  readonly mime: string
} & (
  | { readonly bytes: Uint8Array }
  | {
      readonly stream: Stream.Stream<Uint8Array, E, R>
      readonly size: number
      readonly md5?: string
    }
)

/** An upload the server accepted: what the send endpoints need to name it. */
export interface UploadedMedia {
  readonly mediaId: string
  readonly fileName: string
  readonly size: number
  readonly md5: string
  /** From webwxcheckupload (files above 25 MB); webwxsendappmsg carries it. */
  readonly signature?: string
}

/** A streamed file did not have the size it was declared with. */
export class MediaSizeMismatch extends Data.TaggedError("MediaSizeMismatch")<{
  readonly fileName: string
  readonly declared: number
  readonly actual: number
}> {
  override get message(): string {
    return `${this.fileName}: declared ${this.declared} bytes, the stream had ${this.actual}`
  }
}

export type UploadError = SessionCallError | MediaSizeMismatch


const md5Hex = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex")

const md5OfStream = <E, R>(
  file: MediaFile<E, R> & {
    readonly stream: Stream.Stream<Uint8Array, E, R>
    readonly size: number
  },
): Effect.Effect<string, E | MediaSizeMismatch, R> =>
  Effect.suspend(() => {
    const hash = createHash("md5")
    let seen = 0
    return Stream.runForEach(file.stream, (bytes) =>
      Effect.sync(() => {
        hash.update(bytes)
        seen += bytes.length
      }),
    ).pipe(
      Effect.flatMap(() =>
        seen === file.size
          ? Effect.succeed(hash.digest("hex"))
          : Effect.fail(
              new MediaSizeMismatch({ fileName: file.fileName, declared: file.size, actual: seen }),
            ),
      ),
    )
  })

/**
 * Regroups a byte stream into pieces of exactly `size` bytes (the last one shorter), each a list
 * of views into the incoming arrays, so nothing is copied before the Blob of a chunk.
 */
const inChunks = <E, R>(source: Stream.Stream<Uint8Array, E, R>, size: number) =>
  Stream.suspend(() => {
    let parts: Array<Uint8Array> = []
    let filled = 0
    let emitted = 0
    const take = (bytes: Uint8Array): Array<ReadonlyArray<Uint8Array>> => {
      const full: Array<ReadonlyArray<Uint8Array>> = []
      let rest = bytes
      while (filled + rest.length >= size) {
        const cut = size - filled
        full.push([...parts, rest.subarray(0, cut)])
        parts = []
        filled = 0
        rest = rest.subarray(cut)
      }
      if (rest.length > 0) {
        parts.push(rest)
        filled += rest.length
      }
      emitted += full.length
      return full
    }
    // An empty file is still one (empty) chunk.
    const last = Stream.suspend(() =>
      filled > 0 || emitted === 0 ? Stream.make(parts) : Stream.empty,
    )
    return source.pipe(Stream.mapConcat(take), Stream.concat(last))
  })

/** Where a chunked upload is: the last answer's MediaId and the bytes sent so far. */
interface Progress {
  readonly mediaId: string
  readonly sent: number
}

const lengthOf = (parts: ReadonlyArray<Uint8Array>): number =>
  parts.reduce((sum, part) => sum + part.length, 0)

const UploadAnswer = Schema.Struct({
  MediaId: Schema.optionalWith(Schema.String, { default: () => "" }),
})

const CheckUploadAnswer = Schema.Struct({
  MediaId: Schema.optionalWith(Schema.String, { default: () => "" }),
  AESKey: Schema.optionalWith(Schema.String, { default: () => "" }),
  Signature: Schema.optionalWith(Schema.String, { default: () => "" }),
})

// The server pairs the chunks of one upload by ClientMediaId (ms), so two uploads never share one.
let lastClientMediaId = 0
const nextClientMediaId = (): number =>
  (lastClientMediaId = Math.max(Date.now(), lastClientMediaId + 1))

// WebUploader numbers the files of a page WU_FILE_0, WU_FILE_1, …
let nextFileNumber = 0

/** The official client sends pass_ticket URL-decoded in the form (it is kept percent-encoded). */
const decodedPassTicket = (passTicket: string): string => {
  try {
    return decodeURIComponent(passTicket)
  } catch {
    return passTicket
  }
}

/** webwxcheckupload: an AESKey and Signature for a big file, or the MediaId of the same bytes uploaded earlier. */
const checkUpload = (
  session: WxSession,
  file: {
    readonly to: string
    readonly from: string
    readonly fileName: string
    readonly size: number
    readonly md5: string
  },
): Effect.Effect<typeof CheckUploadAnswer.Type, SessionCallError, Transport | ProtocolConfig> =>
  retryRead(
    postJsonAs(
      session,
      {
        endpoint: "webwxcheckupload",
        body: {
          FromUserName: file.from,
          ToUserName: file.to,
          FileSize: file.size,
          FileMd5: file.md5,
          FileName: file.fileName,
          FileType: 7,
        },
      },
      CheckUploadAnswer,
    ),
  )

/**
 * webwxuploadmedia on the file host: a multipart form per 512 KiB chunk in the official field
 * order (`chunks`/`chunk` only when there is more than one), the same `uploadmediarequest` in
 * each, in order; only the last answer names the MediaId. Files above 25 MB pass
 * webwxcheckupload first, and are not sent again when the server already has them. A chunk the
 * server did not answer is sent again (transient failures only).
 */
export const uploadMedia = <E = never, R = never>(
  session: WxSession,
  file: MediaFile<E, R> & { readonly to: string },
): Effect.Effect<UploadedMedia, UploadError | E, Transport | ProtocolConfig | R> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const config = yield* ProtocolConfig
    const from = yield* session.selfUserName()
    const data = yield* session.data.get
    const size = "bytes" in file ? file.bytes.length : file.size
    const md5 = "bytes" in file ? md5Hex(file.bytes) : (file.md5 ?? (yield* md5OfStream(file)))
    const uploaded = { fileName: file.fileName, size, md5 }

    const check =
      size > CHECK_UPLOAD_ABOVE
        ? yield* checkUpload(session, { ...uploaded, to: file.to, from })
        : undefined
    const signed = check && { AESKey: check.AESKey, Signature: check.Signature }
    const signature = check?.Signature ? { signature: check.Signature } : {}
    if (check?.MediaId) return { ...uploaded, mediaId: check.MediaId, ...signature }

    const chunks = Math.max(1, Math.ceil(size / CHUNK_BYTES))
    const uploadRequest = JSON.stringify({
      UploadType: 2,
      BaseRequest: yield* session.baseRequest(),
      ClientMediaId: nextClientMediaId(),
      TotalLen: size,
      StartPos: 0,
      DataLen: size,
      MediaType: 4,
      FromUserName: from,
      ToUserName: file.to,
      FileMd5: md5,
      ...signed,
    })
    const fields: ReadonlyArray<readonly [string, string]> = [
      ["id", `WU_FILE_${nextFileNumber++}`],
      ["name", file.fileName],
      ["type", file.mime],
      ["lastModifiedDate", new Date().toString()],
      ["size", String(size)],
    ]
    const tail: ReadonlyArray<readonly [string, string]> = [
      ["mediatype", mediaTypeOf(file.fileName)],
      ["uploadmediarequest", uploadRequest],
      ["webwx_data_ticket", session.dataTicket() ?? ""],
      ["pass_ticket", decodedPassTicket(data.passTicket)],
    ]
    const url = `https://${session.hosts.file}${CGI}/webwxuploadmedia?f=json`

    const uploadChunk = (parts: ReadonlyArray<Uint8Array>, index: number) => {
      // undici's own FormData: undici 7 serialises no other class (Node's global one fails inside it).
      const form = new FormData()
      for (const [name, value] of fields) form.append(name, value)
      if (chunks > 1) {
        form.append("chunks", String(chunks))
        form.append("chunk", String(index))
      }
      for (const [name, value] of tail) form.append(name, value)
      form.append("filename", new Blob([...parts], { type: file.mime }), file.fileName)
      const request = HttpClientRequest.post(url).pipe(
        HttpClientRequest.bodyFormData(form as globalThis.FormData),
      )
      return transport
        .text(request, {
          endpoint: "webwxuploadmedia",
          jar: session.jar,
          timeout: config.mediaTimeout,
          desktop: session.desktop,
        })
        .pipe(
          retryRead,
          Effect.flatMap((response) =>
            judgeAnswer(response, { endpoint: "webwxuploadmedia" }).pipe(
              Effect.flatMap((json) =>
                decodeAnswer(UploadAnswer, json, {
                  endpoint: "webwxuploadmedia",
                  host: response.host,
                }),
              ),
              Effect.filterOrFail(
                (answer) => index < chunks - 1 || answer.MediaId !== "",
                () =>
                  new MalformedResponse({
                    endpoint: "webwxuploadmedia",
                    host: response.host,
                    reason: "the last chunk's answer names no MediaId",
                    raw: response.text.slice(0, 4_000),
                  }),
              ),
            ),
          ),
        )
    }

    const mismatch = (actual: number) =>
      new MediaSizeMismatch({ fileName: file.fileName, declared: size, actual })
    const source = "bytes" in file ? Stream.make(file.bytes) : file.stream
    const result = yield* inChunks(source, CHUNK_BYTES).pipe(
      Stream.zipWithIndex,
      Stream.runFoldEffect(
        { mediaId: "", sent: 0 },
        (state, [parts, index]): Effect.Effect<Progress, UploadError> => {
          const length = lengthOf(parts)
          // A chunk that does not fit the declared size is refused before it is sent.
          return index >= chunks || length !== Math.min(CHUNK_BYTES, size - index * CHUNK_BYTES)
            ? Effect.fail(mismatch(state.sent + length))
            : Effect.map(uploadChunk(parts, index), (answer) => ({
                mediaId: answer.MediaId,
                sent: state.sent + length,
              }))
        },
      ),
    )
    if (result.sent !== size) return yield* mismatch(result.sent)
    return { ...uploaded, mediaId: result.mediaId, ...signature }
  })
