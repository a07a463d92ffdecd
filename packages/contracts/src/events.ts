import { Messages } from "@wxfleet/protocol"
import { Schema, SchemaAST as AST } from "effect"
import { ReplyError } from "./errors.js"
import { AccountId } from "./subjects.js"

/** The session state machine (contract): starting → awaiting_scan → scanned → logged_in ⇄ reconnecting → logged_out | failed. */
export const SessionStateName = Schema.Literal(
  "starting",
  "awaiting_scan",
  "scanned",
  "logged_in",
  "reconnecting",
  "logged_out",
  "failed",
)
export type SessionStateName = typeof SessionStateName.Type

/** ISO-8601 time the event was produced. */
const At = Schema.String

/** `<prefix>.evt.<account>.session`: a state change; `awaiting_scan` carries the QR payload. */
export const SessionEvent = Schema.Struct({
  account: AccountId,
  state: SessionStateName,
  at: At,
  /** When awaiting a scan: the link the QR code encodes (`https://login.weixin.qq.com/l/<uuid>`). */
  qr: Schema.optional(Schema.Struct({ payload: Schema.String, uuid: Schema.String })),
  /** Who the account is, once logged in. */
  self: Schema.optional(Schema.Struct({ userName: Schema.String, nickName: Schema.String })),
  /** The webpush host in use (logged_in) or being tried next (reconnecting). */
  host: Schema.optional(Schema.String),
  /** Why: the error behind reconnecting, logged_out or failed. */
  reason: Schema.optional(ReplyError),
  /** Reconnect attempt number. */
  attempt: Schema.optional(Schema.Number),
})
export type SessionEvent = typeof SessionEvent.Type

/** `<prefix>.evt.<account>.message`: every inbound message (and those the phone sent), decoded. */
export const MessageEvent = Schema.Struct({
  account: AccountId,
  at: At,
  message: Messages.Message,
})
export type MessageEvent = typeof MessageEvent.Type

/**
 * `message.raw` checked only to be an object. The supervisor wrote it from an entry it had decoded
 * with `RawMessage`; checking its ~50 fields again was about 60 % of the cost of decoding an event
 * in a worker.
 */
const TrustedRaw = Schema.declare(
  (input: unknown): input is Messages.RawMessage => typeof input === "object" && input !== null && !Array.isArray(input),
  { identifier: "RawMessage", description: "the raw AddMsgList entry, as the supervisor wrote it" },
)

/** Each kind of message with its `raw` property checked by `TrustedRaw` instead. */
const withTrustedRaw = (kind: AST.AST): AST.AST =>
  AST.isTypeLiteral(kind)
    ? new AST.TypeLiteral(
        kind.propertySignatures.map((property) =>
          property.name === "raw"
            ? new AST.PropertySignature("raw", TrustedRaw.ast, property.isOptional, property.isReadonly, property.annotations)
            : property,
        ),
        kind.indexSignatures,
        kind.annotations,
      )
    : kind

const MessageTrustingRaw = Schema.make<Messages.Message, unknown>(
  AST.isUnion(Messages.Message.ast)
    ? AST.Union.make(Messages.Message.ast.types.map(withTrustedRaw), Messages.Message.ast.annotations)
    : Messages.Message.ast,
)

/**
 * `MessageEvent` for consumers of the supervisor's own events (the workers): every field is
 * checked except the raw entry's, which is only checked to be an object.
 */
export const MessageEventFromSupervisor = Schema.Struct({
  account: AccountId,
  at: At,
  message: MessageTrustingRaw,
})

const ContactMember = Schema.Struct({
  userName: Schema.String,
  nickName: Schema.String,
  displayName: Schema.String,
})

/** A contact as events and the `contacts` command show it. */
export const ContactView = Schema.Struct({
  userName: Schema.String,
  kind: Schema.Literal("person", "group", "official", "special"),
  nickName: Schema.String,
  remarkName: Schema.String,
  displayName: Schema.String,
  pinned: Schema.Boolean,
  muted: Schema.Boolean,
  /** Groups only. */
  members: Schema.optional(Schema.Array(ContactMember)),
  isOwner: Schema.optional(Schema.Boolean),
})
export type ContactView = typeof ContactView.Type

/** `<prefix>.evt.<account>.contact`: a contact added, changed or removed. */
export const ContactEvent = Schema.Struct({
  account: AccountId,
  at: At,
  change: Schema.Literal("added", "changed", "removed"),
  userName: Schema.String,
  /** Absent for removals. */
  contact: Schema.optional(ContactView),
})
export type ContactEvent = typeof ContactEvent.Type
