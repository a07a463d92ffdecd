import {
  ContactView,
  ReplyError,
  SentReply,
  subjects,
  type CommandOp,
  type CommandRequest,
} from "@wxfleet/contracts"
import { Nats, request, type NatsError } from "@wxfleet/nats"
import { Data, Duration, Effect, Either, Schema } from "effect"
import { withMarker } from "./Marker.js"
import { WorkerConfig } from "./WorkerConfig.js"

/** The supervisor answered `{ok:false}`: `error.tag` says why (e.g. `RequestRejected` for a non-owner). */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{
  readonly account: string
  readonly op: CommandOp
  readonly error: ReplyError
}> {
  override get message(): string {
    return `${this.op} for ${this.account} failed: ${this.error.tag}: ${this.error.message}`
  }

  /** Asking again later may work: the command did not run, or may still be running. */
  get transient(): boolean {
    return NOT_RUN.has(this.error.tag) || MAYBE_RUN.has(this.error.tag)
  }
}

/** Answers that prove the command did not run, so a fresh idempotency key cannot send twice. */
const NOT_RUN: ReadonlySet<string> = new Set([
  "AccountNotRunning",
  "RateLimited",
  "SendBacklogFull",
  "ShuttingDown",
  "UnknownAccount",
  "SessionExpired",
])

/** Answers after which the command may have run (or still runs): only the same key may be tried again. */
const MAYBE_RUN: ReadonlySet<string> = new Set([
  "InProgress",
  "TransportError",
  "RequestTimeout",
  "UnexpectedStatus",
  "InternalError",
])

/**
 * Names one action taken because of one message (`<app>:<message id>:<purpose>`), on its
 * `deliveries`-th delivery: what makes a redelivered message never act twice.
 */
export interface ActionKey {
  readonly base: string
  readonly deliveries: number
}

const decodeOutcome = Schema.decodeUnknownEither(
  Schema.Struct({ ok: Schema.Boolean, error: Schema.optional(ReplyError) }),
)

const parseReply = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text) as unknown)
  } catch (error) {
    return Either.left(`the reply is not JSON: ${String(error)}`)
  }
}

const ContactsReply = Schema.Struct({
  ok: Schema.Literal(true),
  contacts: Schema.Array(ContactView),
})
const Done = Schema.Struct({ ok: Schema.Literal(true) })

export interface SendText {
  readonly to: string
  readonly text: string
  /** UserNames @-mentioned (the text carries `@<name>\u2005` for each). */
  readonly mentions?: ReadonlyArray<string>
}

/**
 * `<prefix>.cmd.<account>.<op>` requests with typed replies. Every action carries an idempotency
 * key made from the message that caused it, so a redelivered message never acts twice.
 */
export class Commands extends Effect.Service<Commands>()("@wxfleet/worker/Commands", {
  effect: Effect.gen(function* () {
    const config = yield* WorkerConfig
    const s = subjects(config.prefix)
    const timeout = Duration.toMillis(config.commandTimeout)
    const nats = yield* Nats

    const ask = <A, I>(
      account: string,
      op: CommandOp,
      body: object,
      schema: Schema.Schema<A, I>,
    ): Effect.Effect<A, CommandFailed | NatsError> => {
      // The Schema's parser is compiled once and memoised by the Schema module itself.
      const decode = Schema.decodeUnknownEither(schema)
      // Steps rather than a generator: every reply a worker sends comes through here.
      return Effect.flatMap(
        Effect.provideService(request(s.command(account, op), JSON.stringify(body), timeout), Nats, nats),
        (reply) => {
          const failed = (error: ReplyError) => Effect.fail(new CommandFailed({ account, op, error }))
          const json = parseReply(reply.string())
          if (json._tag === "Left") return failed({ tag: "MalformedReply", message: json.left })
          // A success needs no check of its outcome beyond `ok: true`: its own Schema follows.
          const succeeded = (json.right as { ok?: unknown } | null)?.ok === true
          if (!succeeded) {
            const outcome = decodeOutcome(json.right)
            if (outcome._tag === "Left") return failed({ tag: "MalformedReply", message: outcome.left.message })
            if (!outcome.right.ok) {
              return failed(outcome.right.error ?? { tag: "UnknownError", message: "the supervisor gave no reason" })
            }
          }
          const decoded = decode(json.right)
          return decoded._tag === "Left"
            ? failed({ tag: "MalformedReply", message: decoded.left.message })
            : Effect.succeed(decoded.right)
        },
      )
    }

    /**
     * Runs an action once however often its message is delivered. The supervisor answers a
     * repeated key with its first reply, failures included; so after an answer proving the
     * command did not run, a later delivery may use the next key (`#1`, `#2`…), one per delivery.
     */
    const act = <Op extends CommandOp, A, I>(
      account: string,
      op: Op,
      body: Omit<CommandRequest<Op>, "idempotencyKey">,
      key: ActionKey,
      schema: Schema.Schema<A, I>,
    ): Effect.Effect<A, CommandFailed | NatsError> =>
      Effect.gen(function* () {
        for (let n = 0; ; n++) {
          const idempotencyKey = n === 0 ? key.base : `${key.base}#${n}`
          const result = yield* Effect.either(ask(account, op, { ...body, idempotencyKey }, schema))
          if (result._tag === "Right") return result.right
          const error = result.left
          const retryable =
            error._tag === "CommandFailed" && NOT_RUN.has(error.error.tag) && n + 1 < key.deliveries
          if (!retryable) return yield* error
        }
      })

    /** Sends a text that ends with the worker marker, so no worker ever answers it. */
    const sendText = (account: string, text: SendText, key: ActionKey) =>
      act(
        account,
        "send_text",
        {
          to: text.to,
          text: withMarker(text.text),
          ...(text.mentions === undefined ? {} : { mentions: text.mentions }),
        },
        key,
        SentReply,
      )

    const removeMembers = (
      account: string,
      room: string,
      members: ReadonlyArray<string>,
      key: ActionKey,
    ) => act(account, "group_remove", { room, members }, key, Done)

    /** Every contact of the account's current session. */
    const contacts = (account: string) =>
      Effect.map(ask(account, "contacts", {}, ContactsReply), (reply) => reply.contacts)

    return { act, sendText, removeMembers, contacts } as const
  }),
}) {}
