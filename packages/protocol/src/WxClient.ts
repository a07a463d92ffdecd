import * as Contacts from "./contacts/Contacts.js"
import * as Friends from "./contacts/Friends.js"
import * as Groups from "./contacts/Groups.js"
import * as Download from "./media/Download.js"
import * as Send from "./send/Send.js"
import * as Upload from "./send/Upload.js"
import * as Session from "./session/Session.js"
import type { WxSession } from "./session/WxSession.js"
import * as SyncLoop from "./sync/SyncLoop.js"

/**
 * One account's client: every operation of the protocol bound to its logged-in session. Each
 * concern stays in its module (Session, Contacts, SyncLoop, Send, Upload, Download, Friends,
 * Groups); this only saves passing the session around. Obtain the session from `Login`.
 */
export const makeClient = (session: WxSession) =>
  ({
    session,
    /** What to persist to resume this session without a scan. */
    snapshot: () => session.snapshot(),
    init: () => Session.init(session),
    statusNotify: (code: Session.StatusNotifyCode, toUserName?: string) => Session.statusNotify(session, code, toUserName),
    logout: () => Session.logout(session),
    contacts: () => Contacts.allContacts(session),
    batchGet: (requests: ReadonlyArray<Contacts.BatchRequest>) => Contacts.batchGet(session, requests),
    groupDetails: (rooms: ReadonlyArray<string>) => Contacts.groupDetails(session, rooms),
    sync: (options?: SyncLoop.SyncLoopOptions) => SyncLoop.syncLoop(session, options),
    sendText: (to: string, text: string, options?: Send.TextOptions) => Send.sendText(session, to, text, options),
    sendImage: <E, R>(to: string, media: Send.Media<E, R>) => Send.sendImage(session, to, media),
    sendVideo: <E, R>(to: string, media: Send.Media<E, R>) => Send.sendVideo(session, to, media),
    sendFile: <E, R>(to: string, media: Send.Media<E, R>) => Send.sendFile(session, to, media),
    sendEmoticon: <E, R>(to: string, sticker: Send.Emoticon<E, R>) => Send.sendEmoticon(session, to, sticker),
    upload: <E, R>(media: Parameters<typeof Upload.uploadMedia<E, R>>[1]) => Upload.uploadMedia(session, media),
    revoke: (sent: Send.SentMessage, to: string) => Send.revoke(session, sent, to),
    acceptFriend: (request: { readonly userName: string; readonly ticket: string }) => Friends.acceptFriend(session, request),
    addFriend: (userName: string, greeting: string) => Friends.addFriend(session, userName, greeting),
    setRemark: (userName: string, remark: string) => Friends.setRemark(session, userName, remark),
    setPinned: (userName: string, pinned: boolean) => Friends.setPinned(session, userName, pinned),
    createGroup: (userNames: ReadonlyArray<string>, topic?: string) => Groups.createGroup(session, userNames, topic),
    addMembers: (room: string, userNames: ReadonlyArray<string>, options: { readonly inviteStartCount: number }) =>
      Groups.addMembers(session, room, userNames, options),
    removeMembers: (room: string, userNames: ReadonlyArray<string>) => Groups.removeMembers(session, room, userNames),
    renameGroup: (room: string, topic: string) => Groups.renameGroup(session, room, topic),
    download: {
      messageImage: (msgId: string, options?: Parameters<typeof Download.messageImage>[2]) =>
        Download.messageImage(session, msgId, options),
      voice: (msgId: string) => Download.voice(session, msgId),
      video: (msgId: string, range?: Parameters<typeof Download.video>[2]) => Download.video(session, msgId, range),
      file: (message: Parameters<typeof Download.file>[1]) => Download.file(session, message),
      contactAvatar: (headImgUrl: string) => Download.contactAvatar(session, headImgUrl),
      groupAvatar: (room: string) => Download.groupAvatar(session, room),
    },
  }) as const

export type WxClient = ReturnType<typeof makeClient>
