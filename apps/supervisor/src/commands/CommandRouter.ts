import {
  CommandRequests,
  ContractErrorTag,
  failure,
  isCommandOp,
  parseCommandSubject,
  subjects,
  type CommandOp,
  type ReplyError,
} from "@wxfleet/contracts"
import { keyValue, kvWriteThen, Nats, serve, tryNats } from "@wxfleet/nats"
import type { ProtocolConfig, Transport } from "@wxfleet/protocol"
import { createHash, randomUUID } from "node:crypto"
import { Duration, Effect, Option, Ref, Schema, type Either, type ParseResult } from "effect"
import { SupervisorConfig } from "../config/SupervisorConfig.js"
import { replyError } from "../errors/replyError.js"
import { Fleet } from "../fleet/Fleet.js"
import { SupervisorLease } from "../fleet/SupervisorLease.js"
import { Metrics } from "../metrics/Metrics.js"
import type { AccountHandle } from "../session/AccountSession.js"
import { isOnline } from "../session/SessionStateMachine.js"
import { operations, type Reply } from "./operations.js"

/** The KV bucket that remembers the first reply to each idempotency key. */
export const IDEMPOTENCY_BUCKET = "wx_idempotency"

/** Commands larger than this are refused before parsing (NATS itself caps payloads at 1 MiB by default). */
export const MAX_COMMAND_BYTES = 1024 * 1024

/**
 * What a claimed key holds until its first reply: `pending <instance> <nonce>`, the claimer's own
 * token, naming the supervisor instance that claimed it.
 */
const PENDING = "pending"

/** The supervisor instance named by a pending claim (none in claims older than the instance). */
const claimerOf = (value: string): string | undefined => value.split(" ")[1]

/**
 * Whether this caller took a key's claim: the fast create through the connection's publisher
 * was stored, or, refused, the KV client's create took the key (over a delete marker).
 */
export const claimKey = (steps: {
  readonly fast: Effect.Effect<boolean>
  readonly create: () => Effect.Effect<boolean>
}): Effect.Effect<boolean> => Effect.flatMap(steps.fast, (stored) => (stored ? Effect.succeed(true) : steps.create()))

/** What a claimed key's value says to a caller that holds `token` in supervisor `instance`. */
export type ClaimReading =
  /** The caller's own claim: its fast create was stored but its acknowledgement was lost or late. */
  | { readonly _tag: "Mine" }
  /** Another supervisor instance's claim: that one stopped before it answered (one runs a fleet). */
  | { readonly _tag: "Abandoned" }
  /** Nothing yet, or this supervisor's other caller still running it. */
  | { readonly _tag: "Waiting" }
  | { readonly _tag: "Answered"; readonly reply: string }

export const readClaim = (value: string | undefined, token: string, instance: string): ClaimReading => {
  if (!value) return { _tag: "Waiting" }
  if (value === token) return { _tag: "Mine" }
  if (value.startsWith(PENDING)) return claimerOf(value) === instance ? { _tag: "Waiting" } : { _tag: "Abandoned" }
  return { _tag: "Answered", reply: value }
}

/** What `firstReply` says when the key turns out to hold the caller's own claim. */
const OWN_CLAIM = Symbol("own claim")

/** Failures that prove the operation never reached Web WeChat. */
const DID_NOT_RUN: ReadonlySet<string> = new Set([
  ContractErrorTag.AccountNotRunning,
  ContractErrorTag.UnknownAccount,
  ContractErrorTag.ShuttingDown,
  ContractErrorTag.SendBacklogFull,
  "RateLimited",
  "SessionExpired",
])

type Answer = Reply | { readonly ok: false; readonly error: ReplyError }

const refuse = (tag: string, message: string): Answer => failure({ tag, message })

type RequestDecoder = (json: string) => Either.Either<unknown, ParseResult.ParseError>
const requestDecoders = new Map<CommandOp, RequestDecoder>()
/** Each op's decoder is built once: building one per command was a twentieth of the supervisor's CPU. */
const decodeRequest = (op: CommandOp): RequestDecoder => {
  let decoder = requestDecoders.get(op)
  if (decoder === undefined) {
    decoder = Schema.decodeUnknownEither(
      Schema.parseJson(CommandRequests[op] as unknown as Schema.Schema<unknown, unknown>),
    )
    requestDecoders.set(op, decoder)
  }
  return decoder
}

/**
 * Serves `<prefix>.cmd.<account>.<op>`: validates the payload against the contract, runs the
 * operation on the account's live session, and answers `{ok:true,…}` or
 * `{ok:false,error:{tag,message}}` — never nothing, never a crash. A repeated idempotency key
 * answers the first reply without running the operation again.
 */
export const serveCommands = Effect.gen(function* () {
  const config = yield* SupervisorConfig
  const fleet = yield* Fleet
  const metrics = yield* Metrics
  const s = subjects(config.prefix)
  const remembered = yield* keyValue(IDEMPOTENCY_BUCKET, {
    history: 1,
    ttl: Duration.toMillis(config.idempotencyTtl),
  })

  const nats = yield* Nats
  const lease = yield* SupervisorLease
  /**
   * One write to the bucket through the connection's publisher (what the KV client's `put` and
   * `create` cost per command was ~8 % of a fleet's replies): true when stored.
   */
  const written = (key: string, value: string, create: boolean): Effect.Effect<boolean> =>
    Effect.async((resume) => kvWriteThen(nats, IDEMPOTENCY_BUCKET, key, value, { create }, (error) => resume(Effect.succeed(error === undefined))))

  const keyOf = (account: string, op: string, idempotencyKey: string) =>
    `${account}.${op}.${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 40)}`

  /**
   * Someone ran (or is running) this command: their reply, once it is there. Or the key holds
   * `token` after all (this caller's claim, stored after its acknowledgement's deadline: without
   * the token the key stayed pending, its command never ran, and every repeat answered
   * `InProgress` until it expired). Or another supervisor instance claimed it and stopped
   * before it answered: no reply will come.
   */
  const firstReply = (key: string, token: string): Effect.Effect<Answer | typeof OWN_CLAIM> =>
    Effect.gen(function* () {
      for (let i = 0; i < 300; i++) {
        const entry = yield* tryNats("kv get", () => remembered.get(key)).pipe(Effect.orElseSucceed(() => null))
        const reading = readClaim(entry?.string(), token, lease.instance)
        if (reading._tag === "Mine") return OWN_CLAIM
        if (reading._tag === "Abandoned") {
          return refuse(
            ContractErrorTag.OutcomeUnknown,
            "a supervisor that stopped before answering took a command with this idempotency key: whether it ran is unknown",
          )
        }
        if (reading._tag === "Answered") return JSON.parse(reading.reply) as Answer
        yield* Effect.sleep("100 millis")
      }
      return refuse("InProgress", "a command with this idempotency key is still running")
    })

  /** Runs `produce` once per key: a second caller gets the first reply (waiting while it is made). */
  const once = (
    key: string,
    produce: Effect.Effect<Answer, never, Transport | ProtocolConfig | Metrics>,
  ): Effect.Effect<Answer, never, Transport | ProtocolConfig | Metrics> =>
    // Steps rather than generators here and below: workers send every reply through this path.
    Effect.suspend(() => {
      const token = `${PENDING} ${lease.instance} ${randomUUID()}`
      const run = Effect.tap(produce, (answer) => {
        // An answer proving the command did not run is forgotten, so a retry with the key runs it.
        if (!answer.ok && DID_NOT_RUN.has(answer.error.tag)) {
          return tryNats("kv delete", () => remembered.delete(key)).pipe(Effect.ignoreLogged)
        }
        return Effect.flatMap(written(key, JSON.stringify(answer), false), (stored) =>
          stored ? Effect.void : Effect.logWarning(`the first reply to ${key} was not stored; a repeat may run again`),
        )
      })
      const claimed = claimKey({
        fast: written(key, token, true),
        // Refused: the key is taken, or holds a delete marker (a forgotten command), which the
        // KV client's create takes over; a NATS failure is judged there too.
        create: () =>
          tryNats("kv create", () => remembered.create(key, token)).pipe(
            Effect.as(true),
            Effect.orElseSucceed(() => false),
          ),
      })
      return Effect.flatMap(claimed, (mine) =>
        mine
          ? run
          : Effect.flatMap(firstReply(key, token), (reply) => (reply === OWN_CLAIM ? run : Effect.succeed(reply))),
      )
    })

  /** The operation on the account's live session, or why it cannot run. */
  const runOn = (accountHandle: AccountHandle, op: CommandOp, request: unknown) =>
    Effect.flatMap(Ref.get(accountHandle.state), (state) =>
      Effect.flatMap(Ref.get(accountHandle.session), (session): Effect.Effect<Answer, never, Transport | ProtocolConfig | Metrics> => {
        if (!isOnline(state) || Option.isNone(session)) {
          return Effect.succeed(
            refuse(ContractErrorTag.AccountNotRunning, `account "${accountHandle.entry.account}" is ${state}, not logged in`),
          )
        }
        const operation = operations[op] as (
          session: unknown,
          request: unknown,
          handle: unknown,
        ) => Effect.Effect<Reply, { readonly _tag: string; readonly message: string }, Transport | ProtocolConfig | Metrics>
        return operation(session.value, request, accountHandle).pipe(
          Effect.catchAll((error) => Effect.succeed(failure(replyError(error)) as Answer)),
        )
      }),
    )

  const handle = (subject: string, data: Uint8Array) =>
    Effect.suspend((): Effect.Effect<Answer, never, Transport | ProtocolConfig | Metrics> => {
      const target = parseCommandSubject(config.prefix, subject)
      if (!target) return Effect.succeed(refuse(ContractErrorTag.InvalidCommand, `${subject} is not a command subject`))
      const { account, op } = target
      if (!isCommandOp(op)) return Effect.succeed(refuse(ContractErrorTag.UnknownOperation, `no operation "${op}"`))
      if (data.length > MAX_COMMAND_BYTES) {
        return Effect.succeed(
          refuse(ContractErrorTag.PayloadTooLarge, `the command is ${data.length} bytes; at most ${MAX_COMMAND_BYTES}`),
        )
      }
      const decoded = decodeRequest(op)(data.length === 0 ? "{}" : Buffer.from(data).toString("utf8"))
      if (decoded._tag === "Left") {
        return Effect.succeed(refuse(ContractErrorTag.InvalidCommand, `invalid ${op} command: ${decoded.left.message}`))
      }
      const request = decoded.right as { readonly idempotencyKey?: string }
      const found = fleet.get(account)
      if (Option.isNone(found)) return Effect.succeed(refuse(ContractErrorTag.UnknownAccount, `no account "${account}" in this fleet`))
      const run = runOn(found.value, op, request)
      return request.idempotencyKey === undefined ? run : once(keyOf(account, op, request.idempotencyKey), run)
    }).pipe(
      Effect.tap((answer) => Effect.sync(() => metrics.commands.inc({ op: subject.split(".").pop() ?? "", outcome: answer.ok ? "ok" : answer.error.tag }))),
      Effect.catchAllDefect((defect) =>
        Effect.logError("command failed unexpectedly", defect).pipe(
          Effect.as(refuse("InternalError", "the supervisor failed to carry out the command")),
        ),
      ),
    )

  // No queue group: with several supervisors each will subscribe to its own accounts' subjects.
  // No bound here: an operation takes one of the fleet's command slots when it runs (a paced send
  // once its turn has come), and each account's waiting sends are bounded by its pacer.
  yield* serve(s.allCommands, (msg) => Effect.map(handle(msg.subject, msg.data), (answer) => JSON.stringify(answer)), {
    concurrency: Number.POSITIVE_INFINITY,
  })
  // Stopping runs this first (finalizers run last-added first): sends still waiting for their
  // turn are answered ShuttingDown, unsent, so the drain below waits only for work under way.
  yield* Effect.addFinalizer(() => fleet.refuseWaitingSends)
})

export type CommandRouterDeps = Nats | SupervisorConfig | Fleet | Metrics | Transport | ProtocolConfig
