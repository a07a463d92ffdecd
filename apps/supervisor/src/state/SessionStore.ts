import { keyValue, tryNats, type NatsError } from "@wxfleet/nats"
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

    const save = (account: string, state: SessionState.SessionState, knownContacts?: string): Effect.Effect<void, NatsError> =>
      tryNats(`kv put ${account}`, () =>
        kv.put(account, box.seal(JSON.stringify(knownContacts === undefined ? state : { ...state, knownContacts }), account)),
      ).pipe(Effect.asVoid)

    const remove = (account: string): Effect.Effect<void, NatsError> =>
      tryNats(`kv delete ${account}`, () => kv.delete(account))

    return { load, save, remove } as const
  }),
}) {}
