import { Effect, Schema } from "effect"
import type { SessionCallError } from "../Errors.js"
import { postJsonAs } from "../http/call.js"
import type { Transport } from "../http/Transport.js"
import type { ProtocolConfig } from "../ProtocolConfig.js"
import { resendIfUnsent } from "../Schedules.js"
import type { WxSession } from "../session/WxSession.js"
import { readable } from "../text/readable.js"
import { type GroupMember, memberFromWire, WireMember } from "./Contact.js"
import { groupDetails } from "./Contacts.js"
import { traced } from "../Tracing.js"

/** The official client shows -2013 as success on create and add (some members must confirm an invitation [U]). */
const PARTLY_DONE = -2013

const CreateAnswer = Schema.Struct({
  ChatRoomName: Schema.NonEmptyString,
  Topic: Schema.optionalWith(Schema.String, { default: () => "" }),
  MemberList: Schema.optionalWith(Schema.Array(WireMember), { default: () => [] }),
})

const MembersAnswer = Schema.Struct({
  MemberList: Schema.optionalWith(Schema.Array(WireMember), { default: () => [] }),
})

export interface CreatedGroup {
  readonly userName: string
  readonly topic: string
  /** The members asked for, each with its `memberStatus` (4: they deleted us, 3: they blocked us). */
  readonly members: ReadonlyArray<GroupMember>
}

/** webwxcreatechatroom: a room with us and `userNames` (at least two), optionally named. */
export const createGroup = (
  session: WxSession,
  userNames: ReadonlyArray<string>,
  topic = "",
): Effect.Effect<CreatedGroup, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const answer = yield* resendIfUnsent(
      postJsonAs(
        session,
        {
          endpoint: "webwxcreatechatroom",
          query: { r: Date.now() },
          body: { MemberCount: userNames.length, MemberList: userNames.map((UserName) => ({ UserName })), Topic: topic },
          okRets: [PARTLY_DONE],
        },
        CreateAnswer,
      ),
    )
    return {
      userName: answer.ChatRoomName,
      topic: readable(answer.Topic),
      members: answer.MemberList.map((member) => memberFromWire(member)),
    }
  }).pipe(traced("Groups.createGroup", { attributes: { members: userNames.length } }))

type UpdateFunction = "addmember" | "invitemember" | "delmember" | "modtopic"

/** webwxupdatechatroom; member lists travel as comma-separated strings, as in the official client. */
const updateChatroom = (
  session: WxSession,
  fun: UpdateFunction,
  body: Readonly<Record<string, string>>,
): Effect.Effect<ReadonlyArray<GroupMember>, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const answer = yield* resendIfUnsent(
      postJsonAs(
        session,
        {
          endpoint: "webwxupdatechatroom",
          query: { fun },
          body,
          okRets: fun === "addmember" || fun === "invitemember" ? [PARTLY_DONE] : [],
        },
        MembersAnswer,
      ),
    )
    return answer.MemberList.map((member) => memberFromWire(member))
  })

export interface AddedMembers {
  /** `invitemember` once the room reaches `inviteStartCount`: they get an invitation to accept. */
  readonly via: "addmember" | "invitemember"
  /** The members added at once (addmember answers list them; invitations list nobody). */
  readonly members: ReadonlyArray<GroupMember>
}

/**
 * Brings people into a room: added directly while the room stays below `inviteStartCount`
 * (webwxinit's InviteStartCount, 40), invited from there on. The room's current size is fetched
 * first; a room we are not in counts as empty and the server refuses the change.
 */
export const addMembers = (
  session: WxSession,
  room: string,
  userNames: ReadonlyArray<string>,
  options: { readonly inviteStartCount: number },
): Effect.Effect<AddedMembers, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const [details] = yield* groupDetails(session, [room])
    const size = details?.members.length ?? 0
    const list = userNames.join(",")
    if (size + userNames.length >= options.inviteStartCount) {
      yield* updateChatroom(session, "invitemember", { InviteMemberList: list, ChatRoomName: room })
      return { via: "invitemember" as const, members: [] }
    }
    const members = yield* updateChatroom(session, "addmember", { AddMemberList: list, ChatRoomName: room })
    return { via: "addmember" as const, members }
  }).pipe(traced("Groups.addMembers", { attributes: { members: userNames.length } }))

/** Takes members out of a room; only its owner may (others get RequestRejected). */
export const removeMembers = (
  session: WxSession,
  room: string,
  userNames: ReadonlyArray<string>,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  Effect.asVoid(updateChatroom(session, "delmember", { DelMemberList: userNames.join(","), ChatRoomName: room })).pipe(
    traced("Groups.removeMembers", { attributes: { members: userNames.length } }),
  )

export const renameGroup = (
  session: WxSession,
  room: string,
  topic: string,
): Effect.Effect<void, SessionCallError, Transport | ProtocolConfig> =>
  Effect.asVoid(updateChatroom(session, "modtopic", { NewTopic: topic, ChatRoomName: room })).pipe(
    traced("Groups.renameGroup"),
  )
