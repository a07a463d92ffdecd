import { createHash, randomBytes } from "node:crypto"
import { afterAll, assert, describe, it } from "vitest"
import { avatarJpeg, sampleBytes } from "../src/world/media.js"
import { Browser } from "./support/browser.js"
import { startWorld } from "./support/fixtures.js"
import { api, baseRequest, CGI, drain, qrLogin, type LoggedIn } from "./support/webClient.js"

const { sim, world, group } = await startWorld()
afterAll(() => sim.close())

const bot1 = await qrLogin(sim, "wxid_bot1")
const bot2 = await qrLogin(sim, "wxid_bot2")
await drain(bot1)
await drain(bot2)

const CHUNK = 524_288
const md5 = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex")
const nameIn = (account: string, wxid: string): string =>
  world.account(account).session!.userName(wxid)

/** `size` bytes behind the format's magic number (random filler: sampleBytes is slow for megabytes). */
const fileOf = (kind: "jpeg" | "mp4" | "bin", size: number): Buffer =>
  Buffer.concat([sampleBytes(kind, 0, kind), randomBytes(size)]).subarray(0, size)

/** A multipart body built by hand: fetch's own FormData encoding takes ~100 ms per 512 KiB chunk. */
const multipart = (
  fields: ReadonlyArray<readonly [string, string]>,
  file: { name: string; mime: string; bytes: Uint8Array },
) => {
  const boundary = `----WebKitFormBoundary${randomBytes(8).toString("hex")}`
  const parts = fields.map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  )
  const fileHead =
    `--${boundary}\r\nContent-Disposition: form-data; name="filename"; filename="${file.name}"\r\n` +
    `Content-Type: ${file.mime}\r\n\r\n`
  return {
    body: Buffer.concat([
      Buffer.from(parts.join("") + fileHead),
      file.bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  }
}

interface UploadAnswer {
  BaseResponse: { Ret: number; ErrMsg: string }
  MediaId: string
  StartPos: number
  CDNThumbImgHeight: number
  CDNThumbImgWidth: number
  EncryFileName: string
}

interface UploadOptions {
  readonly mime?: string
  readonly mediatype?: "pic" | "video" | "doc"
  readonly chunkSize?: number
  /** Overrides of the uploadmediarequest JSON. */
  readonly request?: Record<string, unknown>
  readonly formTicket?: string
  readonly browser?: Browser
}

let files = 0

/** Uploads as the official client does (chunks of 512 KiB, in order); stops at the first refusal. */
const uploadParts = async (
  c: LoggedIn,
  bytes: Uint8Array,
  name: string,
  options: UploadOptions = {},
) => {
  const file = files++
  const chunkSize = options.chunkSize ?? CHUNK
  const chunks = Math.max(1, Math.ceil(bytes.length / chunkSize))
  const mime = options.mime ?? "application/octet-stream"
  const request = JSON.stringify({
    UploadType: 2,
    BaseRequest: baseRequest(c),
    ClientMediaId: Date.now() * 10 + file,
    TotalLen: bytes.length,
    StartPos: 0,
    DataLen: bytes.length,
    MediaType: 4,
    FromUserName: c.self,
    ToUserName: "filehelper",
    FileMd5: md5(bytes),
    ...options.request,
  })
  const answers: Array<UploadAnswer> = []
  for (let chunk = 0; chunk < chunks; chunk++) {
    const fields: Array<readonly [string, string]> = [
      ["id", `WU_FILE_${file}`],
      ["name", name],
      ["type", mime],
      ["lastModifiedDate", "Thu Mar 17 2016 00:55:10 GMT+0800 (CST)"],
      ["size", String(bytes.length)],
      ...(chunks > 1
        ? ([
            ["chunks", String(chunks)],
            ["chunk", String(chunk)],
          ] as const)
        : []),
      ["mediatype", options.mediatype ?? "doc"],
      ["uploadmediarequest", request],
      ["webwx_data_ticket", options.formTicket ?? c.browser.cookie("webwx_data_ticket") ?? ""],
      ["pass_ticket", decodeURIComponent(c.passTicket)],
    ]
    const part = bytes.subarray(chunk * chunkSize, Math.min(bytes.length, (chunk + 1) * chunkSize))
    const res = await (options.browser ?? c.browser).request(
      `https://file.${c.home}${CGI}/webwxuploadmedia?f=json`,
      multipart(fields, { name, mime, bytes: part }),
    )
    const answer = JSON.parse(res.text) as UploadAnswer
    answers.push(answer)
    if (answer.BaseResponse.Ret !== 0) break
  }
  return answers
}

const upload = async (
  c: LoggedIn,
  bytes: Uint8Array,
  name: string,
  options: UploadOptions = {},
): Promise<string> => {
  const last = (await uploadParts(c, bytes, name, options)).at(-1)!
  assert.strictEqual(last.BaseResponse.Ret, 0)
  return last.MediaId
}

const lastRet = (answers: Array<UploadAnswer>): number => answers.at(-1)!.BaseResponse.Ret

let localIds = 0

/** One of the media send endpoints, Msg built as the official client builds it. */
const sendMedia = async (c: LoggedIn, endpoint: string, msg: Record<string, unknown>) => {
  const localId = `${Date.now()}${String(++localIds % 10_000).padStart(4, "0")}`
  const res = await c.browser.postJson(
    api(c, endpoint, endpoint === "webwxsendemoticon" ? "fun=sys" : "fun=async&f=json"),
    {
      BaseRequest: baseRequest(c),
      Msg: { FromUserName: c.self, LocalID: localId, ClientMsgId: localId, ...msg },
      Scene: 0,
    },
  )
  return JSON.parse(res.text) as { BaseResponse: { Ret: number }; MsgID: string; LocalID: string }
}

const received = async (c: LoggedIn, msgId: string): Promise<Record<string, unknown>> => {
  const message = (await drain(c)).find((m) => m["MsgId"] === msgId)
  assert.exists(message, `message ${msgId} delivered`)
  return message!
}

/** A GET on the account's API host, authorised by its skey (and the browser's cookies). */
const download = (
  c: LoggedIn,
  endpoint: string,
  query: string,
  options: { skey?: string; headers?: Record<string, string> } = {},
) =>
  c.browser.request(
    `https://${c.home}${CGI}/${endpoint}?${query}&skey=${encodeURIComponent(options.skey ?? c.skey)}`,
    { headers: options.headers ?? {} },
  )

/** webwxgetmedia on the file host, authorised by the data ticket (the cookie's value unless forged). */
const getMedia = (
  c: LoggedIn,
  query: string,
  options: { ticket?: string; range?: string } = {},
) => {
  const ticket = options.ticket ?? c.browser.cookie("webwx_data_ticket") ?? ""
  return c.browser.request(
    `https://file.${c.home}${CGI}/webwxgetmedia?${query}&fromuser=${c.uin}` +
      `&pass_ticket=${encodeURIComponent(c.passTicket)}&webwx_data_ticket=${encodeURIComponent(ticket)}`,
    { headers: options.range ? { range: options.range } : {} },
  )
}

describe("webwxuploadmedia", () => {
  it("answers a one-part image with its MediaId, size, thumbnail size and encrypted name", async () => {
    const bytes = fileOf("jpeg", 40_000)
    const [answer, ...more] = await uploadParts(bot1, bytes, "photo.jpg", {
      mime: "image/jpeg",
      mediatype: "pic",
    })
    assert.lengthOf(more, 0)
    assert.strictEqual(answer!.BaseResponse.Ret, 0)
    assert.match(answer!.MediaId, /^@crypt_[0-9a-f]{8}_[0-9a-f]+$/)
    assert.strictEqual(answer!.StartPos, 40_000)
    assert.isAbove(answer!.CDNThumbImgHeight, 0)
    assert.isAbove(answer!.CDNThumbImgWidth, 0)
    assert.strictEqual(answer!.EncryFileName, `${md5(bytes)}.jpg`)
    assert.deepInclude(world.account("wxid_bot1").activity.at(-1), {
      type: "uploaded",
      mediaId: answer!.MediaId,
      fileName: "photo.jpg",
      size: 40_000,
      md5: md5(bytes),
      mediatype: "pic",
    })
  })

  it("reassembles chunks in order; only the last answer names the MediaId", async () => {
    const bytes = fileOf("bin", 2 * CHUNK + 1_000)
    const answers = await uploadParts(bot1, bytes, "notes.bin")
    assert.deepStrictEqual(
      answers.map((a) => [a.BaseResponse.Ret, a.MediaId === "", a.StartPos]),
      [
        [0, true, CHUNK],
        [0, true, 2 * CHUNK],
        [0, false, bytes.length],
      ],
    )
    assert.strictEqual(answers[2]!.CDNThumbImgHeight, 0, "no thumbnail for a document")
  })

  it("accepts a whole file in one part, as wechat4u sends it", async () => {
    const bytes = fileOf("bin", CHUNK + 75_000)
    assert.strictEqual(
      lastRet(
        await uploadParts(bot1, bytes, "w4u.bin", {
          chunkSize: Infinity,
          request: { FileMd5: undefined },
        }),
      ),
      0,
    )
  })

  it("refuses a chunk over 512 KiB, a chunk out of order and bytes that do not match FileMd5", async () => {
    const bytes = fileOf("bin", CHUNK + 10_000)
    assert.strictEqual(
      lastRet(await uploadParts(bot1, bytes, "a.bin", { chunkSize: CHUNK + 1 })),
      1,
    )
    assert.strictEqual(
      lastRet(
        await uploadParts(bot1, bytes, "b.bin", {
          request: { FileMd5: md5(Buffer.from("other")) },
        }),
      ),
      1,
    )
    const outOfOrder = new FormData()
    outOfOrder.append("chunks", "2")
    outOfOrder.append("chunk", "1")
    outOfOrder.append(
      "uploadmediarequest",
      JSON.stringify({ BaseRequest: baseRequest(bot1), ClientMediaId: 42, TotalLen: 10 }),
    )
    outOfOrder.append("webwx_data_ticket", bot1.browser.cookie("webwx_data_ticket")!)
    outOfOrder.append("filename", new Blob([Buffer.from("0123456789")]), "c.bin")
    const res = await bot1.browser.request(
      `https://file.${bot1.home}${CGI}/webwxuploadmedia?f=json`,
      { body: outOfOrder },
    )
    assert.strictEqual((JSON.parse(res.text) as UploadAnswer).BaseResponse.Ret, 1)
  })

  it("checks the data ticket in the form and in the cookie", async () => {
    const bytes = fileOf("bin", 1_000)
    assert.strictEqual(
      lastRet(await uploadParts(bot1, bytes, "t.bin", { formTicket: "forged" })),
      1,
    )
    const noTicketCookie = new Browser(sim.url)
    noTicketCookie.cookies.push(
      ...bot1.browser.cookies.filter((cookie) => cookie.name !== "webwx_data_ticket"),
    )
    assert.strictEqual(
      lastRet(await uploadParts(bot1, bytes, "t.bin", { browser: noTicketCookie })),
      1,
    )
  })

  it("authenticates through the BaseRequest inside uploadmediarequest", async () => {
    const bytes = fileOf("bin", 1_000)
    const badSid = await uploadParts(bot1, bytes, "s.bin", {
      request: { BaseRequest: { ...baseRequest(bot1), Sid: "nope" } },
    })
    assert.deepStrictEqual(badSid, [
      {
        BaseResponse: { Ret: 1100, ErrMsg: "" },
        MediaId: "",
        StartPos: 0,
        CDNThumbImgHeight: 0,
        CDNThumbImgWidth: 0,
        EncryFileName: "",
      },
    ])
    const badSkey = await uploadParts(bot1, bytes, "s.bin", {
      request: { BaseRequest: { ...baseRequest(bot1), Skey: "x" } },
    })
    assert.strictEqual(lastRet(badSkey), 1101)
    const notMultipart = await bot1.browser.postJson(
      `https://file.${bot1.home}${CGI}/webwxuploadmedia?f=json`,
      {},
    )
    assert.strictEqual((JSON.parse(notMultipart.text) as UploadAnswer).BaseResponse.Ret, 1)
  })

  it("needs webwxcheckupload above 25 MB, after which the same bytes are known", async () => {
    const big = Buffer.alloc(26_214_401, "wxfleet")
    const bigMd5 = md5(big)
    const refused = await uploadParts(bot1, big, "big.bin")
    assert.lengthOf(refused, 1, "refused at the first chunk")
    assert.strictEqual(lastRet(refused), 1)

    const check = async () => {
      const res = await bot1.browser.postJson(api(bot1, "webwxcheckupload"), {
        FromUserName: bot1.self,
        ToUserName: "filehelper",
        FileSize: big.length,
        FileMd5: bigMd5,
        FileName: "big.bin",
        FileType: 7,
        BaseRequest: baseRequest(bot1),
      })
      return JSON.parse(res.text) as {
        BaseResponse: { Ret: number }
        MediaId: string
        AESKey: string
        Signature: string
        EncryFileName: string
      }
    }
    const first = await check()
    assert.strictEqual(first.BaseResponse.Ret, 0)
    assert.strictEqual(first.MediaId, "")
    assert.isNotEmpty(first.AESKey)
    assert.isNotEmpty(first.Signature)
    assert.strictEqual(first.EncryFileName, "big%2Ebin")
    const forged = await uploadParts(bot1, big, "big.bin", {
      request: { AESKey: "0".repeat(32), Signature: first.Signature },
    })
    assert.lengthOf(forged, 1)
    assert.strictEqual(lastRet(forged), 1)
    const mediaId = await upload(bot1, big, "big.bin", {
      request: { AESKey: first.AESKey, Signature: first.Signature },
    })
    assert.strictEqual((await check()).MediaId, mediaId)
  })

  it("answers checkupload errors in its own shape", async () => {
    const res = await bot1.browser.postJson(api(bot1, "webwxcheckupload"), {
      BaseRequest: baseRequest(bot1),
      FileMd5: "nope",
      FileSize: 1,
    })
    assert.strictEqual(
      res.text,
      `{"BaseResponse":{"Ret":1,"ErrMsg":""}\n,"MediaId":"","AESKey":"","Signature":"","EncryFileName":""}`,
    )
  })
})

describe("sending media and downloading it", () => {
  it("delivers an image the recipient downloads whole or as a thumbnail", async () => {
    const bytes = fileOf("jpeg", 60_000)
    const mediaId = await upload(bot1, bytes, "holiday.jpg", {
      mime: "image/jpeg",
      mediatype: "pic",
    })
    const sent = await sendMedia(bot1, "webwxsendmsgimg", {
      Type: 3,
      MediaId: mediaId,
      Content: "",
      ToUserName: nameIn("wxid_bot1", "wxid_bot2"),
    })
    assert.strictEqual(sent.BaseResponse.Ret, 0)
    assert.match(sent.MsgID, /^\d{19}$/)
    const message = await received(bot2, sent.MsgID)
    assert.strictEqual(message["MsgType"], 3)
    assert.strictEqual(message["ImgStatus"], 2)
    const content = message["Content"] as string
    assert.match(
      content,
      /^&lt;\?xml version="1\.0"\?&gt;<br\/>&lt;msg&gt;<br\/>\t&lt;img aeskey="[0-9a-f]{32}" /,
    )
    assert.include(content, `length="60000" md5="${md5(bytes)}" /&gt;<br/>&lt;/msg&gt;<br/>`)
    assert.deepInclude(world.account("wxid_bot1").activity.at(-1), {
      type: "sent",
      msgType: 3,
      mediaId,
      msgId: sent.MsgID,
    })

    const full = await download(bot2, "webwxgetmsgimg", `MsgID=${sent.MsgID}`)
    assert.strictEqual(full.status, 200)
    assert.strictEqual(full.headers.get("content-type"), "image/jpeg")
    assert.strictEqual(md5(full.bytes), md5(bytes))
    const thumb = await download(bot2, "webwxgetmsgimg", `MsgID=${sent.MsgID}&type=slave`)
    assert.deepStrictEqual([...thumb.bytes.subarray(0, 2)], [0xff, 0xd8])
    assert.isBelow(thumb.bytes.length, bytes.length)

    const badSkey = await download(bot2, "webwxgetmsgimg", `MsgID=${sent.MsgID}`, {
      skey: "@crypt_0",
    })
    assert.deepStrictEqual([badSkey.status, badSkey.text], [200, ""])
    const unknown = await download(bot2, "webwxgetmsgimg", "MsgID=1234567890123456789")
    assert.strictEqual(unknown.status, 404)
  })

  it("refuses a MediaId that is unknown or another account's upload", async () => {
    const to = nameIn("wxid_bot1", "wxid_bot2")
    const unknown = await sendMedia(bot1, "webwxsendmsgimg", {
      Type: 3,
      MediaId: "@crypt_00000000_00",
      Content: "",
      ToUserName: to,
    })
    assert.deepStrictEqual([unknown.BaseResponse.Ret, unknown.MsgID], [1, ""])
    const theirs = await upload(bot2, fileOf("jpeg", 1_000), "theirs.jpg", {
      mime: "image/jpeg",
      mediatype: "pic",
    })
    assert.strictEqual(
      (
        await sendMedia(bot1, "webwxsendmsgimg", {
          Type: 3,
          MediaId: theirs,
          Content: "",
          ToUserName: to,
        })
      ).BaseResponse.Ret,
      1,
    )
  })

  it("delivers a video to a group, served with Range as 206", async () => {
    const bytes = fileOf("mp4", CHUNK + 200_000)
    const mediaId = await upload(bot1, bytes, "clip.mp4", { mime: "video/mp4", mediatype: "video" })
    const room = nameIn("wxid_bot1", group.roomId)
    const sent = await sendMedia(bot1, "webwxsendvideomsg", {
      Type: 43,
      MediaId: mediaId,
      Content: "",
      ToUserName: room,
    })
    const message = await received(bot2, sent.MsgID)
    assert.strictEqual(message["MsgType"], 43)
    assert.isAbove(message["PlayLength"] as number, 0)
    assert.match(
      message["Content"] as string,
      new RegExp(
        `^${nameIn("wxid_bot2", "wxid_bot1")}:<br/>&lt;\\?xml version="1.0"\\?&gt;<br/>&lt;msg&gt;<br/>\\t&lt;videomsg `,
      ),
    )

    const whole = await download(bot2, "webwxgetvideo", `msgid=${sent.MsgID}`, {
      headers: { range: "bytes=0-" },
    })
    assert.strictEqual(whole.status, 206)
    assert.strictEqual(whole.headers.get("content-type"), "video/mp4")
    assert.strictEqual(
      whole.headers.get("content-range"),
      `bytes 0-${bytes.length - 1}/${bytes.length}`,
    )
    assert.strictEqual(md5(whole.bytes), md5(bytes))
    const part = await download(bot2, "webwxgetvideo", `msgid=${sent.MsgID}`, {
      headers: { range: "bytes=100-199" },
    })
    assert.strictEqual(part.status, 206)
    assert.deepStrictEqual([...part.bytes], [...bytes.subarray(100, 200)])
    const thumb = await download(bot2, "webwxgetmsgimg", `MsgID=${sent.MsgID}&type=slave`)
    assert.strictEqual(thumb.headers.get("content-type"), "image/jpeg")
  })

  it("delivers a file as an attachment the recipient fetches with webwxgetmedia", async () => {
    const bytes = fileOf("bin", 2 * CHUNK + 12_345)
    const mediaId = await upload(bot1, bytes, "report.pdf", { mime: "application/pdf" })
    const content =
      `<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>report.pdf</title><des></des><action></action><type>6</type>` +
      `<content></content><url></url><lowurl></lowurl><appattach><totallen>${bytes.length}</totallen>` +
      `<attachid>${mediaId}</attachid><fileext>pdf</fileext></appattach><extinfo></extinfo></appmsg>`
    const to = nameIn("wxid_bot1", "wxid_bot2")
    const sent = await sendMedia(bot1, "webwxsendappmsg", {
      Type: 6,
      Content: content,
      ToUserName: to,
    })
    assert.strictEqual(sent.BaseResponse.Ret, 0)
    const message = await received(bot2, sent.MsgID)
    assert.deepInclude(message, {
      MsgType: 49,
      AppMsgType: 6,
      FileName: "report.pdf",
      FileSize: String(bytes.length),
      MediaId: mediaId,
      EncryFileName: "report%2Epdf",
    })
    assert.include(message["Content"] as string, `&lt;attachid&gt;${mediaId}&lt;/attachid&gt;`)

    const query = (id: string) =>
      `sender=${message["FromUserName"] as string}&mediaid=${encodeURIComponent(id)}&encryfilename=report%252Epdf`
    const file = await getMedia(bot2, query(mediaId))
    assert.strictEqual(file.status, 200)
    assert.strictEqual(file.headers.get("content-type"), "application/octet-stream")
    assert.include(file.headers.get("content-disposition"), "report.pdf")
    assert.strictEqual(md5(file.bytes), md5(bytes))
    const head = await getMedia(bot2, query(mediaId), { range: "bytes=0-99" })
    assert.deepStrictEqual([head.status, head.bytes.length], [206, 100])
    const forged = await getMedia(bot2, query(mediaId), { ticket: "forged" })
    assert.deepStrictEqual([forged.status, forged.text], [200, ""])
    const unsent = await upload(bot1, fileOf("bin", 100), "private.bin")
    const notSent = await getMedia(bot2, query(unsent))
    assert.strictEqual(notSent.status, 404, "an upload nobody sent to bot2")

    const bogus = content.replace(mediaId, "@crypt_00000000_00")
    assert.strictEqual(
      (await sendMedia(bot1, "webwxsendappmsg", { Type: 6, Content: bogus, ToUserName: to }))
        .BaseResponse.Ret,
      1,
    )
  })

  it("serves a file the world delivered from a person", async () => {
    const bytes = fileOf("bin", 5_000)
    world.say("wxid_alice", "wxid_bot1", {
      MsgType: 49,
      AppMsgType: 6,
      Content: "",
      FileName: "alice.txt",
      FileSize: "5000",
      MediaId: "@crypt_alice_file",
      media: { mime: "text/plain", full: bytes },
    })
    const file = await getMedia(bot1, "sender=x&mediaid=%40crypt_alice_file&filename=alice.txt")
    assert.strictEqual(md5(file.bytes), md5(bytes))
  })

  it("delivers stickers by md5 and by an uploaded gif", async () => {
    const to = nameIn("wxid_bot1", "wxid_bot2")
    const md5Sticker = "e68363487d8f0519c4e1047de403b2e7"
    const byMd5 = await sendMedia(bot1, "webwxsendemoticon", {
      Type: 47,
      EmojiFlag: 2,
      EMoticonMd5: md5Sticker,
      ToUserName: to,
    })
    const message = await received(bot2, byMd5.MsgID)
    assert.strictEqual(message["MsgType"], 47)
    assert.include(message["Content"] as string, `md5="${md5Sticker}"`)
    const sticker = await download(bot2, "webwxgetmsgimg", `MsgID=${byMd5.MsgID}&type=big`)
    assert.strictEqual(sticker.text.slice(0, 6), "GIF89a")

    const gif = Buffer.concat([Buffer.from("GIF89a"), fileOf("bin", 2_000)])
    const mediaId = await upload(bot1, gif, "dance.gif", { mime: "image/gif" })
    const byUpload = await sendMedia(bot1, "webwxsendemoticon", {
      Type: 47,
      EmojiFlag: 2,
      MediaId: mediaId,
      ToUserName: to,
    })
    await received(bot2, byUpload.MsgID)
    const uploaded = await download(bot2, "webwxgetmsgimg", `MsgID=${byUpload.MsgID}&type=big`)
    assert.strictEqual(md5(uploaded.bytes), md5(gif))
    const none = await sendMedia(bot1, "webwxsendemoticon", {
      Type: 47,
      EmojiFlag: 2,
      MediaId: "@crypt_00000000_00",
      ToUserName: to,
    })
    assert.strictEqual(none.BaseResponse.Ret, 1)
  })

  it("serves a voice message as audio/mpeg", async () => {
    const bytes = sampleBytes("mp3", 3_898, "voice")
    const msgId = world.say("wxid_alice", "wxid_bot1", {
      MsgType: 34,
      Content: "",
      VoiceLength: 2_340,
      media: { mime: "audio/mpeg", full: bytes },
    })
    await received(bot1, msgId.toString())
    const voice = await download(bot1, "webwxgetvoice", `msgid=${msgId}`)
    assert.strictEqual(voice.headers.get("content-type"), "audio/mpeg")
    assert.strictEqual(md5(voice.bytes), md5(bytes))
    const asVideo = await download(bot1, "webwxgetvideo", `msgid=${msgId}`)
    assert.strictEqual(asVideo.status, 404)
  })
})

describe("avatars", () => {
  type Contact = { UserName: string; HeadImgUrl: string }
  const headImgUrl = (userName: string) =>
    (bot1.init["ContactList"] as Array<Contact>).find((c) => c.UserName === userName)!.HeadImgUrl
  const fetchPath = (path: string) => bot1.browser.request(`https://${bot1.home}${path}`)

  it("serves people's and the account's own avatars from webwxgeticon", async () => {
    const alice = await fetchPath(headImgUrl(nameIn("wxid_bot1", "wxid_alice")))
    assert.strictEqual(alice.headers.get("content-type"), "image/jpeg")
    assert.deepStrictEqual([...alice.bytes], [...avatarJpeg("wxid_alice")])
    const self = await fetchPath((bot1.init["User"] as Contact).HeadImgUrl)
    assert.deepStrictEqual([...self.bytes], [...avatarJpeg("wxid_bot1")])
  })

  it("serves a group member's avatar with chatroomid and a group's from webwxgetheadimg", async () => {
    const room = nameIn("wxid_bot1", group.roomId)
    const carolName = nameIn("wxid_bot1", "wxid_carol")
    const carol = await download(
      bot1,
      "webwxgeticon",
      `seq=0&username=${carolName}&chatroomid=${group.encryChatRoomId}`,
    )
    assert.deepStrictEqual([...carol.bytes], [...avatarJpeg("wxid_carol")])
    const groupImg = await fetchPath(headImgUrl(room))
    assert.deepStrictEqual([...groupImg.bytes], [...avatarJpeg(group.roomId)])
    const roomAsPerson = await download(bot1, "webwxgeticon", `seq=0&username=${room}`)
    assert.strictEqual(roomAsPerson.status, 404)
    const unknown = await download(bot1, "webwxgeticon", `seq=0&username=@${"0".repeat(32)}`)
    assert.strictEqual(unknown.status, 404)
  })

  it("answers an empty 200 without a valid skey", async () => {
    const alice = nameIn("wxid_bot1", "wxid_alice")
    const res = await download(bot1, "webwxgeticon", `seq=0&username=${alice}`, { skey: "wrong" })
    assert.deepStrictEqual([res.status, res.bytes.length], [200, 0])
  })
})
