import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Array as Arr, Effect, Schema } from "effect"
import type { SessionCallError } from "../Errors.js"
import { CGI, decodeAnswer, judgeAnswer, postJsonAs } from "../http/call.js"
import { Transport } from "../http/Transport.js"
import { ProtocolConfig } from "../ProtocolConfig.js"
import { retryRead } from "../Schedules.js"
import type { WxSession } from "../session/WxSession.js"
import { type Contact, type DecodeContext, fromWire, type GroupContact, isGroup, WireContact } from "./Contact.js"
import { traced } from "../Tracing.js"

/** The server answers at most 50 contacts per webwxbatchgetcontact call (the official client's batch). */
export const BATCH_LIMIT = 50

const ContactPage = Schema.Struct({ MemberList: Schema.Array(WireContact), Seq: Schema.Number })

const BatchAnswer = Schema.Struct({ ContactList: Schema.Array(WireContact) })

const decodeContext = (session: WxSession, remarks?: ReadonlyMap<string, string>): Effect.Effect<DecodeContext> =>
  Effect.map(session.data.get, (data) => ({
    ...(data.self === undefined ? {} : { self: { userName: data.self.userName, uin: Number(data.uin) } }),
    ...(remarks === undefined ? {} : { remarks }),
  }))

/** One page of webwxgetcontact: a GET, like the official client's, with the skey in the query. */
const contactPage = (
  session: WxSession,
  seq: number,
): Effect.Effect<{ contacts: ReadonlyArray<Contact>; next: number }, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const transport = yield* Transport
    const config = yield* ProtocolConfig
    const data = yield* session.data.get
    const endpoint = "webwxgetcontact"
    const url =
      `https://${data.home}${CGI}/${endpoint}?r=${Date.now()}&seq=${seq}` +
      `&skey=${encodeURIComponent(data.skey)}&pass_ticket=${data.passTicket}`
    const response = yield* transport.text(HttpClientRequest.get(url), {
      endpoint,
      jar: session.jar,
      timeout: config.requestTimeout,
      desktop: session.desktop,
    })
    const json = yield* judgeAnswer(response, { endpoint })
    const page = yield* decodeAnswer(ContactPage, json, { endpoint, host: response.host })
    const context = yield* decodeContext(session)
    return { contacts: page.MemberList.map((wire) => fromWire(wire, context)), next: page.Seq }
  })

/**
 * Every contact (friends, official accounts, saved rooms without their members), page by page:
 * a non-zero `Seq` asks for the next page, 0 ends. A Seq seen before would loop forever, so it
 * ends the listing too (openwechat does the same).
 */
export const allContacts = (
  session: WxSession,
): Effect.Effect<ReadonlyArray<Contact>, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const contacts: Array<Contact> = []
    const asked = new Set<number>()
    let seq = 0
    do {
      asked.add(seq)
      const page = yield* retryRead(contactPage(session, seq))
      contacts.push(...page.contacts)
      if (asked.has(page.next)) {
        if (page.next !== 0) yield* Effect.logWarning(`webwxgetcontact repeated Seq ${page.next}; listing ends there`)
        break
      }
      seq = page.next
    } while (seq !== 0)
    return contacts
  }).pipe(traced("Contacts.allContacts"))

export interface BatchRequest {
  readonly userName: string
  /** The room this person was seen in: the server shows a member who is not our friend only with it. */
  readonly room?: string
}

/**
 * Full contacts by UserName (rooms come with their members), at most 50 per call. A member of a
 * room is asked with `EncryChatRoomId` = the room's UserName, as the official client does.
 * Names the server does not know are left out of the answer.
 */
export const batchGet = (
  session: WxSession,
  requests: ReadonlyArray<BatchRequest>,
  options: { readonly remarks?: ReadonlyMap<string, string> } = {},
): Effect.Effect<ReadonlyArray<Contact>, SessionCallError, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const context = yield* decodeContext(session, options.remarks)
    const batches = yield* Effect.forEach(Arr.chunksOf(requests, BATCH_LIMIT), (batch) =>
      retryRead(
        postJsonAs(
          session,
          {
            endpoint: "webwxbatchgetcontact",
            query: { type: "ex", r: Date.now(), lang: "zh_CN" },
            body: {
              Count: batch.length,
              List: batch.map((request) => ({ UserName: request.userName, EncryChatRoomId: request.room ?? "" })),
            },
          },
          BatchAnswer,
        ),
      ),
    )
    return batches.flatMap((answer) => answer.ContactList.map((wire) => fromWire(wire, context)))
  }).pipe(traced("Contacts.batchGet", { attributes: { count: requests.length } }))

/** Rooms with their members (rooms we are not in are left out); members' names fall back to our remarks. */
export const groupDetails = (
  session: WxSession,
  roomUserNames: ReadonlyArray<string>,
  options: { readonly remarks?: ReadonlyMap<string, string> } = {},
): Effect.Effect<ReadonlyArray<GroupContact>, SessionCallError, Transport | ProtocolConfig> =>
  Effect.map(
    batchGet(
      session,
      roomUserNames.map((userName) => ({ userName })),
      options,
    ),
    Arr.filter(isGroup),
  )
