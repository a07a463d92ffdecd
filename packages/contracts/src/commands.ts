import { Schema } from "effect"

/** Makes a repeated command a no-op that answers the first reply again. */
const idempotencyKey = Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)))

/** A chat as this account's session names it (`@…`, `@@…` or `filehelper`), e.g. a message event's `chat`. */
const UserName = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200))

/** Largest media accepted inside a command (base64 inflates by a third; NATS caps payloads). */
export const MAX_MEDIA_BYTES = 700 * 1024

const Base64 = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9+/]*={0,2}$/, { message: () => "data must be base64" }),
  Schema.maxLength(Math.ceil(MAX_MEDIA_BYTES / 3) * 4, {
    message: () => `data is over ${MAX_MEDIA_BYTES} bytes`,
  }),
)

const Media = {
  to: UserName,
  fileName: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255)),
  /** The file's bytes, base64. */
  data: Base64,
  idempotencyKey,
}

/** Every command operation (contract) and the fields of its request. */
export const CommandRequests = {
  send_text: Schema.Struct({
    to: UserName,
    text: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(20_000)),
    /** UserNames @-mentioned in a group. */
    mentions: Schema.optional(Schema.Array(UserName)),
    idempotencyKey,
  }),
  send_image: Schema.Struct(Media),
  send_file: Schema.Struct(Media),
  send_video: Schema.Struct(Media),
  send_emoticon: Schema.Struct({
    to: UserName,
    /** A sticker's md5 (from a received Emoticon), or `data` + `fileName` to upload a GIF. */
    md5: Schema.optional(Schema.String.pipe(Schema.pattern(/^[0-9a-f]{32}$/))),
    fileName: Schema.optional(Schema.String),
    data: Schema.optional(Base64),
    idempotencyKey,
  }),
  revoke: Schema.Struct({ to: UserName, msgId: Schema.String, localId: Schema.String, idempotencyKey }),
  accept_friend: Schema.Struct({ userName: UserName, ticket: Schema.String.pipe(Schema.minLength(1)), idempotencyKey }),
  add_friend: Schema.Struct({ userName: UserName, greeting: Schema.optional(Schema.String), idempotencyKey }),
  set_remark: Schema.Struct({ userName: UserName, remark: Schema.String.pipe(Schema.maxLength(100)), idempotencyKey }),
  set_pinned: Schema.Struct({ userName: UserName, pinned: Schema.Boolean, idempotencyKey }),
  group_create: Schema.Struct({
    members: Schema.Array(UserName).pipe(Schema.minItems(2)),
    topic: Schema.optional(Schema.String),
    idempotencyKey,
  }),
  group_add: Schema.Struct({ room: UserName, members: Schema.Array(UserName).pipe(Schema.minItems(1)), idempotencyKey }),
  group_remove: Schema.Struct({ room: UserName, members: Schema.Array(UserName).pipe(Schema.minItems(1)), idempotencyKey }),
  group_rename: Schema.Struct({ room: UserName, topic: Schema.String.pipe(Schema.minLength(1)), idempotencyKey }),
  contacts: Schema.Struct({ idempotencyKey }),
  logout: Schema.Struct({ idempotencyKey }),
} as const

export type CommandOp = keyof typeof CommandRequests
export const COMMAND_OPS = Object.keys(CommandRequests) as ReadonlyArray<CommandOp>

export const isCommandOp = (op: string): op is CommandOp => Object.hasOwn(CommandRequests, op)

export type CommandRequest<Op extends CommandOp> = (typeof CommandRequests)[Op]["Type"]

/** What a send answers: the server's message id and our LocalID, which `revoke` needs. */
export const SentReply = Schema.Struct({ ok: Schema.Literal(true), msgId: Schema.String, localId: Schema.String })
export type SentReply = typeof SentReply.Type
