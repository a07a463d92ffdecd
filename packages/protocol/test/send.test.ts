import { createHash, randomBytes } from "node:crypto"
import { createServer } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Simulator } from "@wxfleet/simulator"
import { Chunk, Effect, Stream } from "effect"
import { afterAll } from "vitest"
import { postJson } from "../src/http/call.js"
import * as Download from "../src/media/Download.js"
import * as Send from "../src/send/Send.js"
import type { SyncKey } from "../src/session/SessionState.js"
import type { WxSession } from "../src/session/WxSession.js"
import { jsonBody, recordingLayer } from "./support/layer.js"
import { loginAs } from "./support/session.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300 })
const world = sim.world
world.addAccount({ wxid: "wxid_alice", nickName: "Alice", home: "wx2.qq.com" })
world.addAccount({ wxid: "wxid_bob", nickName: "Bob", home: "wx.qq.com" })
world.addAccount({ wxid: "wxid_dave", nickName: "Dave", home: "wx8.qq.com" })
world.addAccount({ wxid: "wxid_ivan", nickName: "Ivan", home: "web2.wechat.com" })
world.addPerson({ wxid: "wxid_carol", nickName: "Carol" })
world.befriend("wxid_alice", "wxid_bob")
world.befriend("wxid_alice", "wxid_carol")
world.befriend("wxid_alice", "wxid_dave")
world.befriend("wxid_ivan", "wxid_alice")
const team = world.addGroup({
  topic: "Team",
  owner: "wxid_alice",
  members: ["wxid_bob", "wxid_carol"],
})
afterAll(() => sim.close())

const recording = recordingLayer(sim)
const { layer, requestsTo } = recording

const alice = await Effect.runPromise(loginAs(sim, "wxid_alice").pipe(Effect.provide(layer)))
const bob = await Effect.runPromise(loginAs(sim, "wxid_bob").pipe(Effect.provide(layer)))

const userNameIn = (init: typeof alice.init, nickName: string): string => {
  const contact = init.recentContacts.find((c) => c["NickName"] === nickName)
  if (typeof contact?.["UserName"] !== "string")
    throw new Error(`${nickName} is not among the recent chats`)
  return contact["UserName"]
}
const bobForAlice = userNameIn(alice.init, "Bob")
const teamForAlice = userNameIn(alice.init, "Team")
const aliceForBob = userNameIn(bob.init, "Alice")
const teamForBob = userNameIn(bob.init, "Team")

/** Syncs the session until a matching message arrives (webwxsync, following ContinueFlag); dies if none does. */
const receiveWhere = (session: WxSession, matches: (message: Record<string, unknown>) => boolean) =>
  Effect.gen(function* () {
    for (;;) {
      const data = yield* session.data.get
      const json = yield* postJson(session, {
        endpoint: "webwxsync",
        query: { sid: data.sid, skey: data.skey },
        body: { SyncKey: data.syncKey, rr: ~Date.now() },
      })
      yield* session.data.update((d) => ({ ...d, syncKey: json["SyncKey"] as SyncKey }))
      const messages = json["AddMsgList"] as ReadonlyArray<Record<string, unknown>>
      const found = messages.find(matches)
      if (found) return found
      if (json["ContinueFlag"] === 0) return yield* Effect.dieMessage("the message never arrived")
    }
  })
const receive = (session: WxSession, msgId: string) =>
  receiveWhere(session, (m) => m["MsgId"] === msgId)

/** A port nothing listens on: connections to it are refused before any byte is sent. */
const closedPort = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resolve(typeof address === "object" && address ? address.port : 0))
  })
})

const collect = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Buffer.concat(Chunk.toArray(chunks)))
const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex")
const lastActivity = (wxid: string) => world.account(wxid).activity.at(-1)

describe("Send", () => {
  it.effect("sends a text to a friend in another fleet account, which receives it", () =>
    Effect.gen(function* () {
      const text = "hello\nworld <&>"
      const sent = yield* Send.sendText(alice.session, bobForAlice, text)
      expect(sent.localId).toMatch(/^\d{17}$/)
      expect(sent.msgId).toMatch(/^\d+$/)
      const body = jsonBody(requestsTo("webwxsendmsg").at(-1))
      expect(Object.keys(body)).toEqual(["BaseRequest", "Msg", "Scene"])
      expect(body["Scene"]).toBe(0)
      expect(body["Msg"]).toEqual({
        Type: 1,
        Content: text,
        FromUserName: alice.init.self.userName,
        ToUserName: bobForAlice,
        LocalID: sent.localId,
        ClientMsgId: sent.localId,
      })
      expect(Object.keys(body["Msg"] as object)).toEqual([
        "Type",
        "Content",
        "FromUserName",
        "ToUserName",
        "LocalID",
        "ClientMsgId",
      ])
      expect(lastActivity("wxid_alice")).toMatchObject({
        type: "sent",
        msgId: sent.msgId,
        localId: sent.localId,
        to: "wxid_bob",
        content: text,
      })
      const received = yield* receive(bob.session, sent.msgId)
      expect(received["MsgType"]).toBe(1)
      expect(received["FromUserName"]).toBe(aliceForBob)
      expect(received["Content"]).toBe("hello<br/>world &lt;&amp;&gt;")
    }).pipe(Effect.provide(layer)),
  )

  it.effect("sends a text to a group with the official MsgSource for its @-mentions", () =>
    Effect.gen(function* () {
      const sent = yield* Send.sendText(alice.session, teamForAlice, "@Bob\u2005stand-up?", {
        mentions: [bobForAlice],
      })
      const msg = jsonBody(requestsTo("webwxsendmsg").at(-1))["Msg"] as Record<string, unknown>
      expect(Object.keys(msg)).toEqual([
        "Type",
        "Content",
        "MsgSource",
        "FromUserName",
        "ToUserName",
        "LocalID",
        "ClientMsgId",
      ])
      expect(msg["MsgSource"]).toBe(
        `<msgsource><atusername>${bobForAlice}</atusername>` +
          `<atchatroomname>${teamForAlice}</atchatroomname></msgsource>`,
      )
      expect(lastActivity("wxid_alice")).toMatchObject({
        type: "sent",
        msgId: sent.msgId,
        to: team.roomId,
      })
      const received = yield* receive(bob.session, sent.msgId)
      expect(received["FromUserName"]).toBe(teamForBob)
      expect(received["Content"]).toBe(`${aliceForBob}:<br/>@Bob\u2005stand-up?`)
    }).pipe(Effect.provide(layer)),
  )

  it.effect(
    "uploads and sends an image; the recipient downloads the same bytes and a thumbnail",
    () =>
      Effect.gen(function* () {
        const bytes = randomBytes(200_000)
        const sent = yield* Send.sendImage(alice.session, bobForAlice, {
          fileName: "photo.JPG",
          mime: "image/jpeg",
          bytes,
        })
        expect(lastActivity("wxid_alice")).toMatchObject({
          type: "sent",
          msgId: sent.msgId,
          msgType: 3,
          endpoint: "webwxsendmsgimg",
        })
        const uploaded = world.account("wxid_alice").activity.findLast((a) => a.type === "uploaded")
        expect(uploaded).toMatchObject({
          fileName: "photo.JPG",
          size: bytes.length,
          md5: md5(bytes),
          mediatype: "pic",
        })
        expect(new URL(requestsTo("webwxsendmsgimg").at(-1)!.url).search).toMatch(
          /^\?fun=async&f=json&pass_ticket=/,
        )
        const received = yield* receive(bob.session, sent.msgId)
        expect(received["MsgType"]).toBe(3)
        expect(md5(yield* collect(Download.messageImage(bob.session, sent.msgId)))).toBe(md5(bytes))
        const thumbnail = yield* collect(
          Download.messageImage(bob.session, sent.msgId, { thumbnail: true }),
        )
        expect(thumbnail.length).toBeGreaterThan(0)
        expect(md5(thumbnail)).not.toBe(md5(bytes))
      }).pipe(Effect.provide(layer)),
  )

  it.effect("uploads and sends a video in chunks; the recipient downloads it", () =>
    Effect.gen(function* () {
      const bytes = randomBytes(700_000)
      const sent = yield* Send.sendVideo(alice.session, bobForAlice, {
        fileName: "clip.mp4",
        mime: "video/mp4",
        bytes,
      })
      expect(lastActivity("wxid_alice")).toMatchObject({
        type: "sent",
        msgId: sent.msgId,
        msgType: 43,
        endpoint: "webwxsendvideomsg",
      })
      expect((yield* receive(bob.session, sent.msgId))["MsgType"]).toBe(43)
      expect(md5(yield* collect(Download.video(bob.session, sent.msgId)))).toBe(md5(bytes))
    }).pipe(Effect.provide(layer)),
  )

  it.effect(
    "uploads and sends a file as the official appmsg; the recipient downloads it from the file host",
    () =>
      Effect.gen(function* () {
        const bytes = randomBytes(90_000)
        const sent = yield* Send.sendFile(alice.session, bobForAlice, {
          fileName: "Q3 <draft> & notes.PDF",
          mime: "application/pdf",
          bytes,
        })
        const upload = world.account("wxid_alice").activity.findLast((a) => a.type === "uploaded")
        const mediaId = upload?.type === "uploaded" ? upload.mediaId : ""
        expect(upload).toMatchObject({ mediatype: "doc", md5: md5(bytes) })
        const msg = jsonBody(requestsTo("webwxsendappmsg").at(-1))["Msg"] as Record<string, unknown>
        expect(msg["Type"]).toBe(6)
        expect(msg["Content"]).toBe(
          "<appmsg appid='wxeb7ec651dd0aefa9' sdkver=''><title>Q3 &lt;draft&gt; &amp; notes.PDF</title><des></des>" +
            "<action></action><type>6</type><content></content><url></url><lowurl></lowurl><appattach>" +
            `<totallen>90000</totallen><attachid>${mediaId}</attachid><fileext>pdf</fileext></appattach>` +
            "<extinfo></extinfo></appmsg>",
        )
        const received = yield* receive(bob.session, sent.msgId)
        expect(received).toMatchObject({
          MsgType: 49,
          AppMsgType: 6,
          FileName: "Q3 <draft> & notes.PDF",
          MediaId: mediaId,
        })
        const downloaded = yield* collect(
          Download.file(bob.session, {
            sender: String(received["FromUserName"]),
            mediaId: String(received["MediaId"]),
            encryFileName: String(received["EncryFileName"]),
          }),
        )
        expect(md5(downloaded)).toBe(md5(bytes))
      }).pipe(Effect.provide(layer)),
  )

  it.effect("sends a file with an empty appid in desktop mode", () =>
    Effect.gen(function* () {
      const ivan = yield* loginAs(sim, "wxid_ivan", { desktop: true })
      const bytes = randomBytes(2_000)
      const sent = yield* Send.sendFile(ivan.session, userNameIn(ivan.init, "Alice"), {
        fileName: "minutes.txt",
        mime: "text/plain",
        bytes,
      })
      const msg = jsonBody(requestsTo("webwxsendappmsg").at(-1))["Msg"] as Record<string, unknown>
      expect(msg["Content"]).toMatch(/^<appmsg appid='' sdkver=''><title>minutes\.txt<\/title>/)
      expect(requestsTo("webwxsendappmsg").at(-1)!.headers["user-agent"]).toContain("UOS")
      const received = yield* receive(alice.session, sent.msgId)
      expect(received).toMatchObject({ MsgType: 49, AppMsgType: 6, FileName: "minutes.txt" })
    }).pipe(Effect.provide(layer)),
  )

  it.effect("sends an emoticon from an uploaded gif, then the same sticker by its md5", () =>
    Effect.gen(function* () {
      const gif = Buffer.concat([Buffer.from("GIF89a"), randomBytes(5_000)])
      const byUpload = yield* Send.sendEmoticon(alice.session, bobForAlice, {
        fileName: "wave.gif",
        mime: "image/gif",
        bytes: gif,
      })
      expect(
        world.account("wxid_alice").activity.findLast((a) => a.type === "uploaded"),
      ).toMatchObject({ mediatype: "doc" })
      expect(new URL(requestsTo("webwxsendemoticon").at(-1)!.url).search).toMatch(
        /^\?fun=sys&pass_ticket=/,
      )
      const uploadedMsg = jsonBody(requestsTo("webwxsendemoticon").at(-1))["Msg"] as Record<
        string,
        unknown
      >
      expect(uploadedMsg).toMatchObject({ Type: 47, EmojiFlag: 2 })
      expect(uploadedMsg["MediaId"]).toMatch(/^@/)
      expect((yield* receive(bob.session, byUpload.msgId))["MsgType"]).toBe(47)
      expect(md5(yield* collect(Download.messageImage(bob.session, byUpload.msgId)))).toBe(md5(gif))

      const byMd5 = yield* Send.sendEmoticon(alice.session, bobForAlice, { md5: md5(gif) })
      expect(jsonBody(requestsTo("webwxsendemoticon").at(-1))["Msg"]).toMatchObject({
        Type: 47,
        EmojiFlag: 2,
        EMoticonMd5: md5(gif),
      })
      expect((yield* receive(bob.session, byMd5.msgId))["MsgType"]).toBe(47)
      expect(md5(yield* collect(Download.messageImage(bob.session, byMd5.msgId)))).toBe(md5(gif))
    }).pipe(Effect.provide(layer)),
  )

  it.effect(
    "revokes within the window; after it the refusal carries the server's Ret and wording",
    () =>
      Effect.gen(function* () {
        const sent = yield* Send.sendText(alice.session, bobForAlice, "oops")
        yield* Send.revoke(alice.session, sent, bobForAlice)
        expect(jsonBody(requestsTo("webwxrevokemsg").at(-1))).toMatchObject({
          SvrMsgId: sent.msgId,
          ToUserName: bobForAlice,
          ClientMsgId: sent.localId,
        })
        expect(lastActivity("wxid_alice")).toMatchObject({
          type: "revoked",
          msgId: sent.msgId,
          to: "wxid_bob",
        })
        const notice = yield* receiveWhere(bob.session, (m) => m["MsgType"] === 10002)
        expect(notice["Content"]).toContain(`&lt;msgid&gt;${sent.msgId}&lt;/msgid&gt;`)

        const late = yield* Send.sendText(alice.session, bobForAlice, "too late to take back")
        world.advanceClock(121_000)
        const refused = yield* Effect.flip(Send.revoke(alice.session, late, bobForAlice))
        expect(refused._tag).toBe("RequestRejected")
        if (refused._tag !== "RequestRejected") return
        expect(refused.ret).toBe(-1)
        expect(refused.errMsg).not.toBe("")
        expect(lastActivity("wxid_alice")).toMatchObject({ type: "sent", msgId: late.msgId })
      }).pipe(Effect.provide(layer)),
  )

  it.effect("fails with RateLimited once the server answers 1205", () =>
    Effect.gen(function* () {
      const account = world.account("wxid_alice")
      account.sendsBeforeRateLimit = 2
      const before = account.activity.filter((a) => a.type === "sent").length
      yield* Send.sendText(alice.session, bobForAlice, "one")
      yield* Send.sendText(alice.session, bobForAlice, "two")
      const error = yield* Effect.flip(Send.sendText(alice.session, bobForAlice, "three"))
      expect(error._tag).toBe("RateLimited")
      expect(account.activity.filter((a) => a.type === "sent").length).toBe(before + 2)
    }).pipe(
      Effect.ensuring(
        Effect.sync(() => (world.account("wxid_alice").sendsBeforeRateLimit = undefined)),
      ),
      Effect.provide(layer),
    ),
  )

  it.effect("fails with RequestRejected 1204 for a UserName that is not a contact", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Send.sendText(alice.session, "@0123456789abcdef0123456789abcdef", "who?"),
      )
      expect(error).toMatchObject({ _tag: "RequestRejected", ret: 1204, endpoint: "webwxsendmsg" })
    }).pipe(Effect.provide(layer)),
  )

  it.effect("does not resend when the connection broke after the request left", () =>
    Effect.gen(function* () {
      const before = requestsTo("webwxsendmsg").length
      sim.faults.hostDown("wx2.qq.com")
      const error = yield* Effect.flip(Send.sendText(alice.session, bobForAlice, "lost?"))
      expect(error).toMatchObject({ _tag: "TransportError", beforeSend: false })
      expect(requestsTo("webwxsendmsg").length).toBe(before + 1)
    }).pipe(
      Effect.ensuring(Effect.sync(() => sim.faults.hostUp("wx2.qq.com"))),
      Effect.provide(layer),
    ),
  )

  it.live(
    "resends while the request surely never reached the server, with the same ClientMsgId",
    () =>
      Effect.gen(function* () {
        const before = requestsTo("webwxsendmsg").length
        const error = yield* Effect.flip(Send.sendText(alice.session, bobForAlice, "anyone?"))
        expect(error).toMatchObject({ _tag: "TransportError", beforeSend: true })
        const attempts = requestsTo("webwxsendmsg").slice(before)
        expect(attempts.length).toBe(4)
        const ids = new Set(
          attempts.map((r) => (jsonBody(r)["Msg"] as Record<string, unknown>)["ClientMsgId"]),
        )
        expect(ids.size).toBe(1)
      }).pipe(Effect.provide(recording.layerVia(`http://127.0.0.1:${closedPort}/{host}`))),
  )

  it.effect("fails with SessionExpired once the phone ended the session", () =>
    Effect.gen(function* () {
      const dave = yield* loginAs(sim, "wxid_dave")
      world.logout("wxid_dave", 1101)
      const error = yield* Effect.flip(
        Send.sendText(dave.session, userNameIn(dave.init, "Alice"), "still there?"),
      )
      expect(error).toMatchObject({ _tag: "SessionExpired", code: 1101 })
    }).pipe(Effect.provide(layer)),
  )
})
