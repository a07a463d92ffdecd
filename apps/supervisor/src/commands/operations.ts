import type { CommandOp, CommandRequest } from "@wxfleet/contracts"
import {
  Contact,
  Contacts,
  Friends,
  Groups,
  type ProtocolConfig,
  RateLimited,
  Send,
  Session,
  type SessionCallError,
  type Transport,
  type Upload,
  type WxSession,
} from "@wxfleet/protocol"
import { Clock, Effect, Ref } from "effect"
import { Metrics } from "../metrics/Metrics.js"
import type { PacerClosed, SendBacklogFull } from "../pacing/Pacer.js"
import { contactView, type AccountHandle } from "../session/AccountSession.js"

export type Reply = { readonly ok: true } & Readonly<Record<string, unknown>>

type OpError = SessionCallError | Upload.UploadError | SendBacklogFull | PacerClosed
type Run<Op extends CommandOp> = (
  session: WxSession,
  request: CommandRequest<Op>,
  handle: AccountHandle,
) => Effect.Effect<Reply, OpError, Transport | ProtocolConfig | Metrics>

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  bmp: "image/bmp",
  mp4: "video/mp4",
  pdf: "application/pdf",
  txt: "text/plain",
}

const mimeOf = (fileName: string): string =>
  MIME_BY_EXTENSION[fileName.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream"

const mediaOf = (request: { readonly fileName: string; readonly data: string }) => ({
  fileName: request.fileName,
  mime: mimeOf(request.fileName),
  bytes: new Uint8Array(Buffer.from(request.data, "base64")),
})

const sent = (message: Send.SentMessage): Reply => ({ ok: true, msgId: message.msgId, localId: message.localId })

const done: Reply = { ok: true }

/**
 * A send in the account's paced turn, timed and counted; a 1205 slows the account down (the
 * error still reaches the caller, who may try again later). It takes a command slot only once its
 * turn has come, so a backlog of one account's sends holds no slot another account needs.
 */
const paced = <E, R>(
  handle: AccountHandle,
  op: string,
  send: Effect.Effect<Send.SentMessage, E, R>,
): Effect.Effect<Reply, E | SendBacklogFull | PacerClosed, R | Metrics> =>
  // Steps rather than a generator: every reply a worker sends comes through here.
  Effect.flatMap(Effect.zip(Metrics, Clock.currentTimeMillis), ([metrics, started]) =>
    handle.pacer.paced(handle.commandSlots.withPermit(send)).pipe(
      Effect.tapError((error) =>
        error instanceof RateLimited
          ? Effect.zipRight(handle.pacer.throttled, Effect.sync(() => metrics.rateLimited.inc()))
          : Effect.void,
      ),
      Effect.flatMap((result) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          metrics.sendLatency.observe((now - started) / 1_000)
          metrics.messagesOut.inc({ op })
          return sent(result)
        }),
      ),
    ),
  )

/** Any other operation holds a command slot while it runs. */
const inSlot =
  <Op extends CommandOp>(run: Run<Op>): Run<Op> =>
  (session, request, handle) =>
    handle.commandSlots.withPermit(run(session, request, handle))

/**
 * An operation that changes the account's contacts (a friend, a remark, a room): a `contacts`
 * listing from before it is not answered again, whether it succeeded or not (a call that failed
 * on the way back may have changed them).
 */
const changesContacts =
  <Op extends CommandOp>(run: Run<Op>): Run<Op> =>
  (session, request, handle) =>
    Effect.ensuring(run(session, request, handle), Effect.sync(() => handle.contacts.invalidate()))

/** The account's contacts, rooms with their members: several calls to WeChat (see `contacts`). */
const listContacts = (session: WxSession, handle: AccountHandle) =>
  Effect.gen(function* () {
    const contacts = yield* Contacts.allContacts(session)
    // webwxgetcontact lists rooms without members: ask for them, 50 rooms a call, so a client
    // can name who speaks in a group. Members missing (a failed call) leave the list usable.
    const rooms = contacts.filter(Contact.isGroup).map((room) => room.userName)
    const remarks = new Map(contacts.filter((c) => c.remarkName !== "").map((c) => [c.userName, c.remarkName]))
    const detailed =
      rooms.length === 0
        ? []
        : yield* Contacts.groupDetails(session, rooms, { remarks }).pipe(
            Effect.tapError((error) =>
              Effect.zipRight(
                // A listing without members answers its own callers but is not kept.
                Effect.sync(() => handle.contacts.invalidate()),
                Effect.logWarning("group members not available", error.message),
              ),
            ),
            Effect.orElseSucceed(() => []),
          )
    const byName = new Map(detailed.map((room) => [room.userName, room]))
    return {
      ok: true as const,
      contacts: contacts.map((contact) => contactView(byName.get(contact.userName) ?? contact)),
    }
  })

/** What each command operation does with the account's live session. */
export const operations: { readonly [Op in CommandOp]: Run<Op> } = {
  send_text: (session, r, handle) =>
    paced(handle, "send_text", Send.sendText(session, r.to, r.text, r.mentions ? { mentions: r.mentions } : {})),
  send_image: (session, r, handle) => paced(handle, "send_image", Send.sendImage(session, r.to, mediaOf(r))),
  send_video: (session, r, handle) => paced(handle, "send_video", Send.sendVideo(session, r.to, mediaOf(r))),
  send_file: (session, r, handle) => paced(handle, "send_file", Send.sendFile(session, r.to, mediaOf(r))),
  send_emoticon: (session, r, handle) =>
    paced(
      handle,
      "send_emoticon",
      Send.sendEmoticon(
        session,
        r.to,
        r.md5 !== undefined ? { md5: r.md5 } : mediaOf({ fileName: r.fileName ?? "sticker.gif", data: r.data ?? "" }),
      ),
    ),
  revoke: inSlot((session, r) => Effect.as(Send.revoke(session, { msgId: r.msgId, localId: r.localId }, r.to), done)),
  accept_friend: changesContacts(inSlot((session, r) => Effect.as(Friends.acceptFriend(session, { userName: r.userName, ticket: r.ticket }), done))),
  add_friend: changesContacts(inSlot((session, r) => Effect.as(Friends.addFriend(session, r.userName, r.greeting ?? ""), done))),
  set_remark: changesContacts(inSlot((session, r) => Effect.as(Friends.setRemark(session, r.userName, r.remark), done))),
  set_pinned: changesContacts(inSlot((session, r) => Effect.as(Friends.setPinned(session, r.userName, r.pinned), done))),
  group_create: changesContacts(inSlot((session, r) =>
    Effect.map(Groups.createGroup(session, r.members, r.topic ?? ""), (group) => ({
      ok: true as const,
      room: group.userName,
      members: group.members.map((m) => ({ userName: m.userName, memberStatus: m.memberStatus })),
    })))),
  group_add: changesContacts(inSlot((session, r, handle) =>
    Effect.gen(function* () {
      const inviteStartCount = yield* Ref.get(handle.inviteStartCount)
      const added = yield* Groups.addMembers(session, r.room, r.members, { inviteStartCount })
      return { ok: true as const, via: added.via }
    }))),
  group_remove: changesContacts(inSlot((session, r) => Effect.as(Groups.removeMembers(session, r.room, r.members), done))),
  group_rename: changesContacts(inSlot((session, r) => Effect.as(Groups.renameGroup(session, r.room, r.topic), done))),
  // Shared by callers asking together and kept briefly (ContactsListing): a fleet's workers
  // all ask when they start, and each listing is several heavy calls to WeChat.
  contacts: (session, _r, handle) => handle.contacts.get(session, handle.commandSlots.withPermit(listContacts(session, handle))),
  logout: inSlot((session) => Effect.as(Effect.catchAll(Session.logout(session), () => Effect.void), done)),
}
