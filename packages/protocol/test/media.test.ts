import { createHash, randomBytes } from "node:crypto"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { Simulator, speak } from "@wxfleet/simulator"
import { Chunk, Effect, Stream } from "effect"
import { afterAll } from "vitest"
import * as Download from "../src/media/Download.js"
import * as Send from "../src/send/Send.js"
import * as Upload from "../src/send/Upload.js"
import { jsonBody, recordingLayer } from "./support/layer.js"
import { loginAs } from "./support/session.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300 })
const world = sim.world
world.addAccount({ wxid: "wxid_erin", nickName: "Erin", home: "wx.qq.com" })
world.addAccount({ wxid: "wxid_frank", nickName: "Frank", home: "wx8.qq.com" })
world.addAccount({ wxid: "wxid_hank", nickName: "Hank", home: "web.wechat.com" })
world.addPerson({ wxid: "wxid_gina", nickName: "Gina" })
world.befriend("wxid_erin", "wxid_frank")
world.befriend("wxid_frank", "wxid_gina")
world.befriend("wxid_hank", "wxid_gina")
const crew = world.addGroup({
  topic: "Crew",
  owner: "wxid_erin",
  members: ["wxid_frank", "wxid_gina"],
})
afterAll(() => sim.close())

const recording = recordingLayer(sim)
const { layer, requestsTo } = recording
const formOf = (request: HttpClientRequest.HttpClientRequest | undefined): FormData => {
  if (request?.body._tag !== "FormData") throw new Error("not a multipart request")
  return request.body.formData
}
const fieldOf = (form: FormData, name: string): string => {
  const value = form.get(name)
  if (typeof value !== "string") throw new Error(`no field ${name}`)
  return value
}

const erin = await Effect.runPromise(loginAs(sim, "wxid_erin").pipe(Effect.provide(layer)))
const frank = await Effect.runPromise(loginAs(sim, "wxid_frank").pipe(Effect.provide(layer)))

const contactIn = (init: typeof erin.init, nickName: string): Record<string, unknown> => {
  const contact = init.recentContacts.find((c) => c["NickName"] === nickName)
  if (!contact) throw new Error(`${nickName} is not among the recent chats`)
  return contact
}
const frankForErin = String(contactIn(erin.init, "Frank")["UserName"])

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")
const collect = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat(Chunk.toArray(chunks)))
/** The md5 of a stream, hashed as it goes (nothing held whole). */
const streamMd5 = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) =>
  Effect.suspend(() => {
    const hash = createHash("md5")
    return Stream.runForEach(stream, (bytes) => Effect.sync(() => hash.update(bytes))).pipe(
      Effect.map(() => hash.digest("hex")),
    )
  })
const lastUpload = (wxid: string) =>
  world.account(wxid).activity.findLast((a) => a.type === "uploaded")

describe("Upload", () => {
  it("derives the mediatype from the extension as the official client: pictures, mp4, else a document", () => {
    expect(["a.JPG", "b.jpeg", "c.png", "d.bmp"].map(Upload.mediaTypeOf)).toEqual([
      "pic",
      "pic",
      "pic",
      "pic",
    ])
    expect(["e.mp4", "f.gif", "g.mov", "h.pdf", "noextension"].map(Upload.mediaTypeOf)).toEqual([
      "video",
      "doc",
      "doc",
      "doc",
      "doc",
    ])
  })

  it.effect("uploads a small file as one part, fields in the official order, no chunk fields", () =>
    Effect.gen(function* () {
      const bytes = randomBytes(1_000)
      const uploaded = yield* Upload.uploadMedia(erin.session, {
        to: frankForErin,
        fileName: "note.txt",
        mime: "text/plain",
        bytes,
      })
      const request = requestsTo("webwxuploadmedia").at(-1)!
      expect(new URL(request.url).pathname).toBe(
        "/file.wx.qq.com/cgi-bin/mmwebwx-bin/webwxuploadmedia",
      )
      expect(new URL(request.url).search).toBe("?f=json")
      const form = formOf(request)
      expect([...form.keys()]).toEqual([
        "id",
        "name",
        "type",
        "lastModifiedDate",
        "size",
        "mediatype",
        "uploadmediarequest",
        "webwx_data_ticket",
        "pass_ticket",
        "filename",
      ])
      expect(fieldOf(form, "id")).toMatch(/^WU_FILE_\d+$/)
      expect(fieldOf(form, "name")).toBe("note.txt")
      expect(fieldOf(form, "type")).toBe("text/plain")
      expect(fieldOf(form, "size")).toBe("1000")
      expect(fieldOf(form, "mediatype")).toBe("doc")
      expect(fieldOf(form, "webwx_data_ticket")).toBe(erin.session.dataTicket())
      expect(fieldOf(form, "pass_ticket")).toBe(
        decodeURIComponent((yield* erin.session.data.get).passTicket),
      )
      const file = form.get("filename")
      expect(typeof file === "object" && file?.name).toBe("note.txt")
      const uploadRequest = JSON.parse(fieldOf(form, "uploadmediarequest")) as Record<
        string,
        unknown
      >
      expect(Object.keys(uploadRequest)).toEqual([
        "UploadType",
        "BaseRequest",
        "ClientMediaId",
        "TotalLen",
        "StartPos",
        "DataLen",
        "MediaType",
        "FromUserName",
        "ToUserName",
        "FileMd5",
      ])
      expect(uploadRequest).toMatchObject({
        UploadType: 2,
        TotalLen: 1_000,
        StartPos: 0,
        DataLen: 1_000,
        MediaType: 4,
        FromUserName: erin.init.self.userName,
        ToUserName: frankForErin,
        FileMd5: md5(bytes),
      })
      expect(uploaded).toEqual({
        mediaId: uploaded.mediaId,
        fileName: "note.txt",
        size: 1_000,
        md5: md5(bytes),
      })
      expect(lastUpload("wxid_erin")).toMatchObject({
        mediaId: uploaded.mediaId,
        size: 1_000,
        md5: md5(bytes),
      })
    }).pipe(Effect.provide(layer)),
  )

  it.effect(
    "uploads a stream above 524288 bytes in 512 KiB chunks, in order, with the same request JSON",
    () =>
      Effect.gen(function* () {
        const bytes = randomBytes(1_300_000)
        let runs = 0
        // Odd-sized pieces, so chunk borders fall inside them.
        const stream = Stream.suspend(() => {
          runs++
          return Stream.fromIterable(
            Array.from({ length: 13 }, (_, i) => bytes.subarray(i * 100_000, (i + 1) * 100_000)),
          )
        })
        const before = requestsTo("webwxuploadmedia").length
        const uploaded = yield* Upload.uploadMedia(erin.session, {
          to: frankForErin,
          fileName: "scan.pdf",
          mime: "application/pdf",
          stream,
          size: bytes.length,
        })
        expect(runs).toBe(2)
        const forms = requestsTo("webwxuploadmedia").slice(before).map(formOf)
        expect(forms.length).toBe(3)
        expect([...forms[0]!.keys()]).toEqual([
          "id",
          "name",
          "type",
          "lastModifiedDate",
          "size",
          "chunks",
          "chunk",
          "mediatype",
          "uploadmediarequest",
          "webwx_data_ticket",
          "pass_ticket",
          "filename",
        ])
        expect(forms.map((f) => [fieldOf(f, "chunks"), fieldOf(f, "chunk")])).toEqual([
          ["3", "0"],
          ["3", "1"],
          ["3", "2"],
        ])
        expect(forms.map((f) => (f.get("filename") as Blob).size)).toEqual([
          524_288,
          524_288,
          1_300_000 - 2 * 524_288,
        ])
        expect(new Set(forms.map((f) => fieldOf(f, "uploadmediarequest"))).size).toBe(1)
        expect(new Set(forms.map((f) => fieldOf(f, "id"))).size).toBe(1)
        expect(uploaded.md5).toBe(md5(bytes))
        expect(lastUpload("wxid_erin")).toMatchObject({
          mediaId: uploaded.mediaId,
          size: bytes.length,
          md5: md5(bytes),
        })
      }).pipe(Effect.provide(layer)),
  )

  it.effect(
    "refuses a stream that is not the declared size, before sending the chunk that shows it",
    () =>
      Effect.gen(function* () {
        const before = requestsTo("webwxuploadmedia").length
        const short = yield* Effect.flip(
          Upload.uploadMedia(erin.session, {
            to: frankForErin,
            fileName: "short.bin",
            mime: "application/octet-stream",
            stream: Stream.make(randomBytes(1_000)),
            size: 2_000,
          }),
        )
        expect(short).toMatchObject({ _tag: "MediaSizeMismatch", declared: 2_000, actual: 1_000 })
        expect(requestsTo("webwxuploadmedia").length).toBe(before)

        const bytes = randomBytes(600_000)
        const truncated = yield* Effect.flip(
          Upload.uploadMedia(erin.session, {
            to: frankForErin,
            fileName: "truncated.bin",
            mime: "application/octet-stream",
            stream: Stream.make(bytes),
            size: 1_000_000,
            md5: md5(bytes),
          }),
        )
        expect(truncated).toMatchObject({
          _tag: "MediaSizeMismatch",
          declared: 1_000_000,
          actual: 600_000,
        })
        expect(requestsTo("webwxuploadmedia").length).toBe(before + 1)
      }).pipe(Effect.provide(layer)),
  )

  it.live("sends a chunk again when its connection failed, and carries on with the next", () =>
    Effect.gen(function* () {
      const bytes = randomBytes(600_000)
      let attempts = 0
      recording.onRequest = (request) => {
        if (new URL(request.url).pathname.endsWith("/webwxuploadmedia") && ++attempts === 2) {
          sim.faults.hostUp("file.wx.qq.com")
        }
      }
      sim.faults.hostDown("file.wx.qq.com")
      const uploaded = yield* Upload.uploadMedia(erin.session, {
        to: frankForErin,
        fileName: "retry.bin",
        mime: "application/octet-stream",
        bytes,
      })
      expect(attempts).toBe(3)
      expect(lastUpload("wxid_erin")).toMatchObject({ mediaId: uploaded.mediaId, md5: md5(bytes) })
    }).pipe(
      Effect.ensuring(
        Effect.sync(() => {
          recording.onRequest = () => {}
          sim.faults.hostUp("file.wx.qq.com")
        }),
      ),
      Effect.provide(layer),
    ),
  )

  it.effect(
    "passes webwxcheckupload above 25 MB, signs every chunk, skips a second upload of the same bytes",
    () =>
      Effect.gen(function* () {
        const size = Upload.CHECK_UPLOAD_ABOVE + 100_000
        // One random MiB repeated (views, no copies): memory-light however big the file.
        const block = randomBytes(1_048_576)
        const big = Stream.suspend(() => {
          const pieces: Array<Uint8Array> = []
          for (let at = 0; at < size; at += block.length)
            pieces.push(block.subarray(0, Math.min(block.length, size - at)))
          return Stream.fromIterable(pieces)
        })
        const fileMd5 = yield* streamMd5(big)
        const file = {
          to: frankForErin,
          fileName: "archive.zip",
          mime: "application/zip",
          stream: big,
          size,
          md5: fileMd5,
        }
        const uploadsBefore = requestsTo("webwxuploadmedia").length
        const first = yield* Upload.uploadMedia(erin.session, file)

        expect(jsonBody(requestsTo("webwxcheckupload").at(-1))).toMatchObject({
          FromUserName: erin.init.self.userName,
          ToUserName: frankForErin,
          FileSize: size,
          FileMd5: fileMd5,
          FileName: "archive.zip",
          FileType: 7,
        })
        const requestsJson = requestsTo("webwxuploadmedia")
          .slice(uploadsBefore)
          .map(
            (r) => JSON.parse(fieldOf(formOf(r), "uploadmediarequest")) as Record<string, unknown>,
          )
        expect(requestsJson.length).toBe(Math.ceil(size / Upload.CHUNK_BYTES))
        expect(Object.keys(requestsJson[0]!).slice(-3)).toEqual(["FileMd5", "AESKey", "Signature"])
        expect(requestsJson[0]!["Signature"]).toBe(first.signature)
        expect(new Set(requestsJson.map((r) => JSON.stringify(r))).size).toBe(1)
        expect(lastUpload("wxid_erin")).toMatchObject({
          mediaId: first.mediaId,
          size,
          md5: fileMd5,
        })

        const uploadsAfterFirst = requestsTo("webwxuploadmedia").length
        const again = yield* Upload.uploadMedia(erin.session, file)
        expect(again.mediaId).toBe(first.mediaId)
        expect(requestsTo("webwxuploadmedia").length).toBe(uploadsAfterFirst)

        const sent = yield* Send.sendFile(erin.session, frankForErin, again)
        const msg = jsonBody(requestsTo("webwxsendappmsg").at(-1))["Msg"] as Record<string, unknown>
        expect(Object.keys(msg).slice(0, 3)).toEqual(["Signature", "Type", "Content"])
        expect(msg["Signature"]).toBe(again.signature)
        const received = world
          .account("wxid_frank")
          .log.findLast((e) => e.type === "message" && e.message.msgId.toString() === sent.msgId)
        const mediaId = received?.type === "message" ? received.message.draft.MediaId : undefined
        expect(mediaId).toBe(first.mediaId)
        const downloaded = yield* streamMd5(
          Download.file(frank.session, {
            sender: erin.init.self.userName,
            mediaId: first.mediaId,
            encryFileName: "archive%2Ezip",
          }),
        )
        expect(downloaded).toBe(fileMd5)
      }).pipe(Effect.provide(layer)),
    60_000,
  )
})

describe("Download", () => {
  it.effect("downloads the voice message a friend sent", () =>
    Effect.gen(function* () {
      const bytes = randomBytes(3_000)
      const { msgId } = speak(world, "wxid_gina", "wxid_frank", { kind: "voice", bytes })
      expect(md5(yield* collect(Download.voice(frank.session, msgId)))).toBe(md5(bytes))
      expect(new URL(requestsTo("webwxgetvoice").at(-1)!.url).searchParams.get("msgid")).toBe(msgId)
    }).pipe(Effect.provide(layer)),
  )

  it.effect(
    "downloads a video from bytes=0- as the clients ask (206), or any byte range of it",
    () =>
      Effect.gen(function* () {
        const bytes = randomBytes(40_000)
        const { msgId } = speak(world, "wxid_gina", "wxid_frank", { kind: "video", bytes })
        expect(md5(yield* collect(Download.video(frank.session, msgId)))).toBe(md5(bytes))
        expect(requestsTo("webwxgetvideo").at(-1)!.headers["range"]).toBe("bytes=0-")
        const part = yield* collect(
          Download.video(frank.session, msgId, { start: 1_000, end: 1_999 }),
        )
        expect(part.equals(bytes.subarray(1_000, 2_000))).toBe(true)
        const tail = yield* collect(Download.video(frank.session, msgId, { start: 39_990 }))
        expect(tail.equals(bytes.subarray(39_990))).toBe(true)
      }).pipe(Effect.provide(layer)),
  )

  it.effect(
    "downloads contact and group avatars from their HeadImgUrl, and a group's by its UserName",
    () =>
      Effect.gen(function* () {
        const erinIcon = yield* collect(
          Download.contactAvatar(
            frank.session,
            String(contactIn(frank.init, "Erin")["HeadImgUrl"]),
          ),
        )
        expect([...erinIcon.subarray(0, 2)]).toEqual([0xff, 0xd8])
        expect(erinIcon.includes("wxsim:wxid_erin")).toBe(true)
        const crewContact = contactIn(frank.init, "Crew")
        const crewIcon = yield* collect(
          Download.contactAvatar(frank.session, String(crewContact["HeadImgUrl"])),
        )
        expect(crewIcon.includes(`wxsim:${crew.roomId}`)).toBe(true)
        const byName = yield* collect(
          Download.groupAvatar(frank.session, String(crewContact["UserName"])),
        )
        expect(byName.equals(crewIcon)).toBe(true)
        expect(new URL(requestsTo("webwxgetheadimg").at(-1)!.url).searchParams.get("skey")).toBe(
          (yield* frank.session.data.get).skey,
        )
      }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with MediaRefused, not zero bytes, when the session is gone", () =>
    Effect.gen(function* () {
      const hank = yield* loginAs(sim, "wxid_hank")
      const { msgId } = speak(world, "wxid_gina", "wxid_hank", { kind: "image" })
      expect((yield* collect(Download.messageImage(hank.session, msgId))).length).toBeGreaterThan(0)
      world.logout("wxid_hank", 1101)
      const before = requestsTo("webwxgetmsgimg").length
      const image = yield* Effect.flip(Stream.runDrain(Download.messageImage(hank.session, msgId)))
      expect(image).toMatchObject({
        _tag: "MediaRefused",
        endpoint: "webwxgetmsgimg",
        host: "web.wechat.com",
      })
      expect(requestsTo("webwxgetmsgimg").length).toBe(before + 1)
      const attachment = yield* Effect.flip(
        Stream.runDrain(
          Download.file(hank.session, { sender: "@x", mediaId: "@crypt_x", encryFileName: "x" }),
        ),
      )
      expect(attachment).toMatchObject({
        _tag: "MediaRefused",
        endpoint: "webwxgetmedia",
        host: "file.web.wechat.com",
      })
    }).pipe(Effect.provide(layer)),
  )

  it.live("retries a download whose connection failed before the first byte", () =>
    Effect.gen(function* () {
      const bytes = randomBytes(10_000)
      const { msgId } = speak(world, "wxid_gina", "wxid_frank", { kind: "image", bytes })
      let attempts = 0
      recording.onRequest = (request) => {
        if (new URL(request.url).pathname.endsWith("/webwxgetmsgimg") && ++attempts === 2)
          sim.faults.hostUp("wx8.qq.com")
      }
      sim.faults.hostDown("wx8.qq.com")
      expect(md5(yield* collect(Download.messageImage(frank.session, msgId)))).toBe(md5(bytes))
      expect(attempts).toBe(2)
    }).pipe(
      Effect.ensuring(
        Effect.sync(() => {
          recording.onRequest = () => {}
          sim.faults.hostUp("wx8.qq.com")
        }),
      ),
      Effect.provide(layer),
    ),
  )
})
