import { Effect } from "effect"
import type { SessionCallError } from "../Errors.js"
import { postJson } from "../http/call.js"
import type { Transport } from "../http/Transport.js"
import type { ProtocolConfig } from "../ProtocolConfig.js"
import { resendIfUnsent } from "../Schedules.js"
import type { WxSession } from "../session/WxSession.js"
import { isRoomUserName } from "./Contact.js"
import { batchGet } from "./Contacts.js"
import { traced } from "../Tracing.js"

/** webwxverifyuser opcodes: 2 asks someone to be friends, 3 accepts their request. */
const SEND_REQUEST = 2
const ACCEPT_REQUEST = 3
/** The scene the official client sends with every verifyuser call. */
const WEB_SCENE = 33

/** webwxoplog commands: 2 sets a remark, 3 pins or unpins. */
const SET_REMARK = 2
const SET_PINNED = 3

const verifyUser = (
  session: WxSession,
  opcode: number,
  entry: { readonly userName: string; readonly ticket: string },
  content: string,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const { skey } = yield* session.data.get
    yield* resendIfUnsent(
      postJson(session, {
        endpoint: "webwxverifyuser",
        query: { r: Date.now(), lang: "zh_CN" },
        body: {
          Opcode: opcode,
          VerifyUserListSize: 1,
          VerifyUserList: [{ Value: entry.userName, VerifyUserTicket: entry.ticket }],
          VerifyContent: content,
          SceneListCount: 1,
          SceneList: [WEB_SCENE],
          skey,
        },
      }),
    )
  })

/** Accepts a friend request: `userName` and `ticket` are the request's `RecommendInfo.UserName` and `.Ticket`. */
export const acceptFriend = (
  session: WxSession,
  request: { readonly userName: string; readonly ticket: string },
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  verifyUser(session, ACCEPT_REQUEST, request, "").pipe(traced("Friends.acceptFriend"))

/** Asks someone (a room member, a shared card) to be friends; they answer on their phone. */
export const addFriend = (
  session: WxSession,
  userName: string,
  greeting: string,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  verifyUser(session, SEND_REQUEST, { userName, ticket: "" }, greeting).pipe(traced("Friends.addFriend"))

const opLog = (
  session: WxSession,
  body: Readonly<Record<string, unknown>>,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  Effect.asVoid(resendIfUnsent(postJson(session, { endpoint: "webwxoplog", query: { lang: "zh_CN" }, body })))

export const setRemark = (
  session: WxSession,
  userName: string,
  remark: string,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  opLog(session, { UserName: userName, CmdId: SET_REMARK, RemarkName: remark }).pipe(
    traced("Friends.setRemark"),
  )

/**
 * Pins (or unpins) a chat with a friend or a room. The server also writes `RemarkName` on this
 * command, so a friend's current remark is looked up and sent along (leaving it out would erase
 * it); a room has no remark, so nothing is looked up for one.
 */
export const setPinned = (
  session: WxSession,
  userName: string,
  pinned: boolean,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const current = isRoomUserName(userName)
      ? undefined
      : (yield* batchGet(session, [{ userName }])).find((contact) => contact.userName === userName)
    yield* opLog(session, {
      UserName: userName,
      CmdId: SET_PINNED,
      OP: pinned ? 1 : 0,
      RemarkName: current?.remarkName ?? "",
    })
  }).pipe(traced("Friends.setPinned"))
