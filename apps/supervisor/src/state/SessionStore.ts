import { keyValue, Nats, tryNats, type NatsError } from "@wxfleet/nats"
import { SessionState } from "@wxfleet/protocol"
import { Effect, Either, Option, Redacted, Schema } from "effect"
import { SupervisorConfig } from "../config/SupervisorConfig.js"
import { SecretBox, SecretBoxError } from "./SecretBox.js"

/** The KV bucket of encrypted session states, one key per account. */
export const SESSIONS_BUCKET = "wx_sessions"

/**
 * What is stored for an account: the session's state, and the hashes of the contacts it knows
 * (`KnownContacts.serialize`), so a resumed session needs no contact listing. Records saved
 * before the hashes were have none, and list.
 */
const StoredSession = Schema.extend(
  SessionState.SessionState,
  Schema.Struct({ knownContacts: Schema.optional(Schema.String) }),
)
export type StoredSession = typeof StoredSession.Type

const decodeState = Schema.decodeUnknownEither(Schema.parseJson(StoredSession))

/**
 * Where session state lives between runs: JetStream KV, each value sealed with AES-256-GCM and
 * bound to its account, so a restart resumes every session without a scan and a stolen bucket
 * reveals nothing.
 */
export class SessionStore extends Effect.Service<SessionStore>()("@wxfleet/supervisor/SessionStore", {
  effect: Effect.gen(function* () {
    const config = yield* SupervisorConfig
    const box = yield* Either.match(SecretBox.fromSecret(Redacted.value(config.secretKey)), {
      onLeft: (reason) => Effect.dieMessage(reason),
      onRight: Effect.succeed,
    })
    const kv = yield* keyValue(SESSIONS_BUCKET, { history: 1 })

    /** The stored state, none when there is none; a record that does not open is an error, not "none". */
    const load = (account: string): Effect.Effect<Option.Option<StoredSession>, NatsError | SecretBoxError> =>
      Effect.gen(function* () {
        const entry = yield* tryNats(`kv get ${account}`, () => kv.get(account))
        if (!entry || entry.operation !== "PUT" || entry.length === 0) return Option.none()
        const plaintext = yield* box.open(entry.string(), account)
        return yield* Either.match(decodeState(plaintext), {
          onLeft: () => Effect.fail(new SecretBoxError({ reason: "the stored state has an unknown shape" })),
          onRight: (state) => Effect.succeed(Option.some(state)),
        })
      })

    const { connection } = yield* Nats
    /** Accounts already warned of a record stored without its contact hashes. */
    const warned = new Set<string>()

    /**
     * Saves the state, with the contact hashes while the record fits the server's max_payload
     * (they take 4 bytes a contact: an account of thousands on a server whose limit was
     * lowered). Without them a resume lists the contacts again; a record that never fits would
     * be refused on every retry, and the session would wait on it for good.
     */
    const save = (account: string, state: SessionState.SessionState, knownContacts?: string): Effect.Effect<void, NatsError> =>
      Effect.suspend(() => {
        const sealed = (contacts: string | undefined) =>
          box.seal(JSON.stringify(contacts === undefined ? state : { ...state, knownContacts: contacts }), account)
        let record = sealed(knownContacts)
        const maxPayload = connection.info?.max_payload
        const tooLarge = knownContacts !== undefined && maxPayload !== undefined && Buffer.byteLength(record) > maxPayload
        if (tooLarge) record = sealed(undefined)
        const warning = tooLarge && !warned.has(account)
          ? Effect.logWarning(`the stored session of ${account} leaves out its contacts: with them it is over NATS's max_payload`, {
              maxPayload,
            }).pipe(Effect.zipRight(Effect.sync(() => warned.add(account))))
          : Effect.void
        return Effect.zipRight(warning, tryNats(`kv put ${account}`, () => kv.put(account, record)).pipe(Effect.asVoid))
      })

    const remove = (account: string): Effect.Effect<void, NatsError> =>
      tryNats(`kv delete ${account}`, () => kv.delete(account))

    return { load, save, remove } as const
  }),
}) {}
