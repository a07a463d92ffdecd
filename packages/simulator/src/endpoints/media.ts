import { createHash, randomBytes } from "node:crypto"
import busboy from "busboy"
import {
  authenticate,
  baseRequestOf,
  baseResponse,
  PARSER_REQUEST,
  sessionFromBody,
} from "../http/auth.js"
import type { Context } from "../http/Context.js"
import { CGI, type Route } from "../http/Route.js"
import { newMediaId } from "../world/ids.js"
import { avatarJpeg } from "../world/media.js"
import type { Account, World } from "../world/World.js"

/** The official client uploads in chunks of 512 KiB (WebUploader `chunkSize`, one thread, in order). */
export const UPLOAD_CHUNK_BYTES = 524_288
/** Files above 25 MB (`NEED_CHECK_SIZE`) must pass webwxcheckupload before they are uploaded. */
export const NEED_CHECK_SIZE = 26_214_400
/** wechat4u sends a whole file as one part; the official limit on any upload is 100 MB [U]. */
const MAX_SINGLE_PART_BYTES = 104_857_600
/** Thumbnail size the upload answer reports for images and videos (a capture shows 100×56) [U]. */
export const THUMB_SIZE = { width: 100, height: 56 } as const

/** A file an account uploaded; it belongs to the uploader and to whoever receives it in a message. */
export interface Upload {
  readonly mediaId: string
  readonly owner: string
  readonly name: string
  readonly mime: string
  /** `pic`, `video` or `doc`, as the client declared it. */
  readonly mediatype: string
  readonly bytes: Buffer
  readonly md5: string
  /** Fleet accounts that received it in a message; they may fetch it with webwxgetmedia. */
  readonly readers: Set<string>
}

interface PendingUpload {
  readonly chunks: number
  readonly parts: Array<Buffer>
  received: number
}

/** What webwxcheckupload promised: this account may upload these bytes with this AESKey/Signature. */
interface UploadCheck {
  readonly account: string
  readonly md5: string
  readonly aesKey: string
}

/** Uploads kept in memory for one world, with the chunked uploads still in progress. */
export class MediaStore {
  private readonly uploads = new Map<string, Upload>()
  /** Chunked uploads in progress, by account and ClientMediaId. */
  readonly pending = new Map<string, PendingUpload>()
  /** Passed checkuploads, by Signature. */
  readonly checks = new Map<string, UploadCheck>()

  add(upload: Upload): void {
    this.uploads.set(upload.mediaId, upload)
  }

  /** An upload of this account, or undefined (another account's MediaId names nothing for it). */
  ownUpload(account: string, mediaId: string): Upload | undefined {
    const upload = this.uploads.get(mediaId)
    return upload?.owner === account ? upload : undefined
  }

  readableUpload(account: string, mediaId: string): Upload | undefined {
    const upload = this.uploads.get(mediaId)
    return upload && (upload.owner === account || upload.readers.has(account)) ? upload : undefined
  }

  /** The latest upload of these bytes, by this account or (for sticker md5s) by anyone. */
  uploadWithMd5(md5: string, account?: string): Upload | undefined {
    let found: Upload | undefined
    for (const upload of this.uploads.values()) {
      if (upload.md5 === md5 && (account === undefined || upload.owner === account)) found = upload
    }
    return found
  }
}

const stores = new WeakMap<World, MediaStore>()

export const mediaStore = (world: World): MediaStore => {
  let store = stores.get(world)
  if (!store) {
    store = new MediaStore()
    stores.set(world, store)
  }
  return store
}

/** Ids arrive as strings (official client) or numbers (itchat, wechat4u). */
export const idText = (value: unknown): string | undefined =>
  typeof value === "string"
    ? value
    : typeof value === "number" && Number.isFinite(value)
      ? String(value)
      : undefined

const md5Hex = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex")

const extensionOf = (name: string): string => /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase() ?? ""

const defaultMime = (mediatype: string): string =>
  mediatype === "pic"
    ? "image/jpeg"
    : mediatype === "video"
      ? "video/mp4"
      : "application/octet-stream"

// ---- webwxuploadmedia ----

interface UploadForm {
  readonly fields: ReadonlyMap<string, string>
  readonly file:
    | {
        readonly name: string
        readonly mime: string
        readonly bytes: Buffer
        readonly truncated: boolean
      }
    | undefined
}

/** Reads the multipart form; undefined when it is not one (or the client went away). */
const readUploadForm = (ctx: Context): Promise<UploadForm | undefined> =>
  new Promise((resolve) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers: ctx.req.headers,
        limits: { fileSize: MAX_SINGLE_PART_BYTES, files: 1, fields: 32, fieldSize: 64 * 1024 },
      })
    } catch {
      // Not multipart at all: busboy refuses the Content-Type. Read the body away and answer.
      ctx.req.resume()
      resolve(undefined)
      return
    }
    const fields = new Map<string, string>()
    const parts: Array<Buffer> = []
    let file: { name: string; mime: string; truncated: boolean } | undefined
    parser.on("field", (name, value) => fields.set(name, value))
    parser.on("file", (name, stream, info) => {
      if (name !== "filename" || file) {
        stream.resume()
        return
      }
      const current = { name: info.filename ?? "", mime: info.mimeType, truncated: false }
      file = current
      stream.on("data", (data: Buffer) => parts.push(data))
      stream.on("limit", () => {
        current.truncated = true
      })
    })
    parser.on("close", () =>
      resolve({ fields, file: file && { ...file, bytes: Buffer.concat(parts) } }),
    )
    parser.on("error", () => {
      ctx.req.unpipe(parser)
      ctx.req.resume()
      resolve(undefined)
    })
    ctx.req.on("error", () => resolve(undefined))
    ctx.onClientGone(() => resolve(undefined))
    ctx.req.pipe(parser)
  })

const uploadAnswer = (
  ret: number,
  answer: { mediaId?: string; startPos?: number; thumb?: boolean; encryFileName?: string } = {},
) => ({
  ...baseResponse(ret),
  MediaId: answer.mediaId ?? "",
  StartPos: answer.startPos ?? 0,
  CDNThumbImgHeight: answer.thumb ? THUMB_SIZE.height : 0,
  CDNThumbImgWidth: answer.thumb ? THUMB_SIZE.width : 0,
  EncryFileName: answer.encryFileName ?? "",
})

/** Ret for an upload the server refuses (wrong ticket, chunk, size or md5); the real code is not captured [U]. */
const UPLOAD_REFUSED = 1

const parseObject = (text: string | undefined): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(text ?? "")
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

const nonNegativeInt = (text: string | undefined): number | undefined => {
  const value = Number(text)
  return text !== undefined && text !== "" && Number.isInteger(value) && value >= 0
    ? value
    : undefined
}

/** A file over 25 MB needs the AESKey and Signature a checkupload of this account handed out. */
const passedCheck = (
  store: MediaStore,
  account: Account,
  request: Record<string, unknown>,
): UploadCheck | undefined => {
  const signature = request["Signature"]
  const check = typeof signature === "string" ? store.checks.get(signature) : undefined
  return check && check.account === account.wxid && check.aesKey === request["AESKey"]
    ? check
    : undefined
}

/**
 * webwxuploadmedia on `file.<home>`: a multipart form whose `uploadmediarequest` carries the
 * BaseRequest. Chunked uploads (`chunks`, `chunk`) arrive in order with the same request JSON;
 * only the last chunk's answer names the MediaId.
 */
const uploadMedia = async (ctx: Context): Promise<void> => {
  const form = await readUploadForm(ctx)
  if (!form) {
    ctx.sendJson(uploadAnswer(UPLOAD_REFUSED))
    return
  }
  const request = parseObject(form.fields.get("uploadmediarequest"))
  if (!request) {
    ctx.sendJson(uploadAnswer(PARSER_REQUEST))
    return
  }
  const auth = authenticate(ctx, baseRequestOf(request))
  if (!auth.ok) {
    ctx.sendJson(uploadAnswer(auth.ret))
    return
  }
  const { world } = ctx
  const { account, session } = auth
  const store = mediaStore(world)
  const ticket = session.dataTicket
  if (
    form.fields.get("webwx_data_ticket") !== ticket ||
    ctx.cookies.get("webwx_data_ticket") !== ticket
  ) {
    ctx.sendJson(uploadAnswer(UPLOAD_REFUSED))
    return
  }
  const file = form.file
  const chunked = form.fields.has("chunks")
  const chunks = chunked ? nonNegativeInt(form.fields.get("chunks")) : 1
  const chunk = chunked ? nonNegativeInt(form.fields.get("chunk")) : 0
  if (
    !file ||
    file.truncated ||
    chunks === undefined ||
    chunk === undefined ||
    chunk >= chunks ||
    (chunked && file.bytes.length > UPLOAD_CHUNK_BYTES)
  ) {
    ctx.sendJson(uploadAnswer(UPLOAD_REFUSED))
    return
  }

  const key = `${account.wxid}\n${idText(request["ClientMediaId"]) ?? form.fields.get("id") ?? ""}`
  const pending: PendingUpload | undefined =
    chunk === 0 ? { chunks, parts: [], received: 0 } : store.pending.get(key)
  // Chunks come one at a time, in order (one upload thread); anything else starts nothing.
  if (!pending || pending.chunks !== chunks || pending.parts.length !== chunk) {
    ctx.sendJson(uploadAnswer(UPLOAD_REFUSED))
    return
  }
  pending.parts.push(file.bytes)
  pending.received += file.bytes.length
  const declaredTotal = typeof request["TotalLen"] === "number" ? request["TotalLen"] : undefined
  const check = passedCheck(store, account, request)
  if (Math.max(declaredTotal ?? 0, pending.received) > NEED_CHECK_SIZE && !check) {
    store.pending.delete(key)
    ctx.sendJson(uploadAnswer(UPLOAD_REFUSED))
    return
  }
  if (pending.parts.length < pending.chunks) {
    store.pending.set(key, pending)
    ctx.sendJson(uploadAnswer(0, { startPos: pending.received })) // [U] intermediate answers are not captured
    return
  }
  store.pending.delete(key)

  const bytes = Buffer.concat(pending.parts)
  const md5 = md5Hex(bytes)
  const declaredMd5 = request["FileMd5"]
  if (
    (declaredTotal !== undefined && declaredTotal !== bytes.length) ||
    (typeof declaredMd5 === "string" && declaredMd5 !== "" && declaredMd5.toLowerCase() !== md5) ||
    (bytes.length > NEED_CHECK_SIZE && check?.md5 !== md5)
  ) {
    ctx.sendJson(uploadAnswer(UPLOAD_REFUSED))
    return
  }
  const name = form.fields.get("name") || file.name || "file"
  const mediatype = form.fields.get("mediatype") ?? "doc"
  const declaredMime = form.fields.get("type") || file.mime
  const upload: Upload = {
    mediaId: newMediaId(),
    owner: account.wxid,
    name,
    mime:
      declaredMime && declaredMime !== "application/octet-stream"
        ? declaredMime
        : defaultMime(mediatype),
    mediatype,
    bytes,
    md5,
    readers: new Set(),
  }
  store.add(upload)
  world.record(account, {
    type: "uploaded",
    at: world.now(),
    mediaId: upload.mediaId,
    fileName: name,
    size: bytes.length,
    md5,
    mediatype,
  })
  const extension = extensionOf(name)
  ctx.sendJson(
    uploadAnswer(0, {
      mediaId: upload.mediaId,
      startPos: bytes.length,
      thumb: mediatype === "pic" || mediatype === "video",
      encryFileName: extension ? `${md5}.${extension}` : md5,
    }),
  )
}

// ---- webwxcheckupload ----

const checkFailure = (ret: number) => ({
  ...baseResponse(ret),
  MediaId: "",
  AESKey: "",
  Signature: "",
  EncryFileName: "",
})

/**
 * webwxcheckupload, required before uploading more than 25 MB: hands out an AESKey and Signature
 * for these bytes, and a MediaId when this account already uploaded them (nothing to upload).
 */
const checkUpload = async (ctx: Context): Promise<void> => {
  const auth = await sessionFromBody(ctx, checkFailure)
  if (!auth) return
  const { account, body } = auth
  const { FileMd5, FileSize, FileName } = body
  if (
    typeof FileMd5 !== "string" ||
    !/^[0-9a-fA-F]{32}$/.test(FileMd5) ||
    typeof FileSize !== "number" ||
    FileSize <= 0
  ) {
    ctx.sendJson(checkFailure(1))
    return
  }
  const md5 = FileMd5.toLowerCase()
  const store = mediaStore(ctx.world)
  const aesKey = randomBytes(16).toString("hex")
  const signature = randomBytes(32).toString("hex")
  store.checks.set(signature, { account: account.wxid, md5, aesKey })
  const name = typeof FileName === "string" ? FileName : ""
  ctx.sendJson({
    ...baseResponse(0),
    MediaId: store.uploadWithMd5(md5, account.wxid)?.mediaId ?? "",
    AESKey: aesKey,
    Signature: signature,
    EncryFileName: encodeURIComponent(name).replace(/\./g, "%2E"),
  })
}

// ---- downloads ----

/**
 * A download whose session does not check out is answered 200 with an empty body, as the media
 * hosts do [U]; undefined tells the caller it was answered.
 */
const downloadSession = (ctx: Context) => {
  const auth = authenticate(ctx, {
    sid: ctx.cookies.get("wxsid"),
    uin: ctx.cookies.get("wxuin"),
    skey: ctx.query.get("skey") ?? undefined,
  })
  if (auth.ok) return auth
  ctx.send(200, "", { "Content-Type": "text/plain" })
  return undefined
}

const notFound = (ctx: Context): void => ctx.send(404, "", { "Content-Type": "text/plain" }) // [U]

/** The message's media by `MsgID` (official, wechat4u) or `msgid` (itchat, the voice/video URLs). */
const messageMedia = (ctx: Context) =>
  ctx.world.media.get(ctx.query.get("MsgID") ?? ctx.query.get("msgid") ?? "")

/** webwxgetmsgimg: the full image (`type=big` for stickers too), or its thumbnail with `type=slave`. */
const getMsgImg = (ctx: Context): void => {
  if (!downloadSession(ctx)) return
  const media = messageMedia(ctx)
  const image = media?.mime.startsWith("image/") ? media.full : undefined
  const bytes =
    ctx.query.get("type") === "slave" ? (media?.thumb ?? image) : (image ?? media?.thumb)
  if (!media || !bytes) {
    notFound(ctx)
    return
  }
  // Thumbnails are JPEGs whatever the full media is.
  ctx.sendBytes(bytes === image ? media.mime : "image/jpeg", bytes)
}

/** webwxgetvoice and webwxgetvideo: clients ask with `Range: bytes=0-`, which is answered 206. */
const getTyped = (kind: "audio" | "video") => (ctx: Context) => {
  if (!downloadSession(ctx)) return
  const media = messageMedia(ctx)
  if (!media?.mime.startsWith(`${kind}/`)) {
    notFound(ctx)
    return
  }
  ctx.sendBytes(media.mime, media.full, { range: true })
}

/**
 * webwxgetmedia on `file.<home>` (files): authorised by the `webwx_data_ticket` parameter and the
 * cookies, not the skey. `sender`, `fromuser` and the file name parameters are not checked [U].
 */
const getMedia = (ctx: Context): void => {
  const auth = authenticate(
    ctx,
    { sid: ctx.cookies.get("wxsid"), uin: ctx.cookies.get("wxuin") },
    { requireSkey: false },
  )
  const ticket = ctx.query.get("webwx_data_ticket")
  if (
    !auth.ok ||
    ticket !== auth.session.dataTicket ||
    ctx.cookies.get("webwx_data_ticket") !== ticket
  ) {
    ctx.send(200, "", { "Content-Type": "text/plain" })
    return
  }
  const mediaId = ctx.query.get("mediaid") ?? ""
  const upload = mediaStore(ctx.world).readableUpload(auth.account.wxid, mediaId)
  if (upload) {
    ctx.sendBytes("application/octet-stream", upload.bytes, { range: true, fileName: upload.name })
    return
  }
  // Files the world itself delivered (a person sending a file) are found in the account's log.
  for (let i = auth.account.log.length - 1; i >= 0; i--) {
    const entry = auth.account.log[i]!
    const draft = entry.type === "message" ? entry.message.draft : undefined
    if (draft?.media && draft.MediaId === mediaId) {
      ctx.sendBytes("application/octet-stream", draft.media.full, {
        range: true,
        fileName: draft.FileName ?? "file",
      })
      return
    }
  }
  notFound(ctx)
}

/** webwxgeticon: a person's (or the account's own) avatar; `chatroomid` names the room of a stranger. */
const getIcon = (ctx: Context): void => {
  const auth = downloadSession(ctx)
  if (!auth) return
  const wxid = auth.session.wxidOf(ctx.query.get("username") ?? "")
  const person =
    wxid === undefined || ctx.world.isRoom(wxid) ? undefined : ctx.world.persons.get(wxid)
  if (!person) {
    notFound(ctx)
    return
  }
  ctx.sendBytes("image/jpeg", person.avatar ?? avatarJpeg(person.wxid))
}

/** webwxgetheadimg: a group's avatar, for groups this account is in. */
const getHeadImg = (ctx: Context): void => {
  const auth = downloadSession(ctx)
  if (!auth) return
  const wxid = auth.session.wxidOf(ctx.query.get("username") ?? "")
  if (wxid === undefined || !auth.account.groups.has(wxid)) {
    notFound(ctx)
    return
  }
  ctx.sendBytes("image/jpeg", avatarJpeg(wxid))
}

export const mediaRoutes: ReadonlyArray<Route> = [
  { kind: "file", method: "POST", path: `${CGI}/webwxuploadmedia`, handle: uploadMedia },
  { kind: "api", method: "POST", path: `${CGI}/webwxcheckupload`, handle: checkUpload },
  { kind: "api", method: "GET", path: `${CGI}/webwxgetmsgimg`, handle: getMsgImg },
  { kind: "api", method: "GET", path: `${CGI}/webwxgetvoice`, handle: getTyped("audio") },
  { kind: "api", method: "GET", path: `${CGI}/webwxgetvideo`, handle: getTyped("video") },
  { kind: "file", method: "GET", path: `${CGI}/webwxgetmedia`, handle: getMedia },
  { kind: "api", method: "GET", path: `${CGI}/webwxgeticon`, handle: getIcon },
  { kind: "api", method: "GET", path: `${CGI}/webwxgetheadimg`, handle: getHeadImg },
]
