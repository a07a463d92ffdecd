import { keyValue, Nats, tryNats } from "@wxfleet/nats"
import { Deferred, Duration, Effect, Either, Option, Schedule, Schema } from "effect"
import { randomBytes } from "node:crypto"
import { hostname } from "node:os"

/**
 * The KV bucket holding the fleet's lease: which supervisor runs the accounts of `wx_accounts`.
 * Two supervisors on one NATS would both log every account in, and Web WeChat logs out (and in
 * the end bans) accounts that are logged in twice: the second one waits instead.
 */
export const LEASE_BUCKET = "wx_lease"
const LEASE_KEY = "supervisor"
/** A holder that stops renewing (NATS away for that long) loses the lease. */
export const LEASE_TTL = Duration.seconds(15)
const RENEW_EVERY = Duration.seconds(5)
/** How often a waiting supervisor looks again. */
const RETRY_EVERY = Duration.seconds(2)
/** Between two attempts that lost a race with another supervisor or the lease's expiry. */
const RACE_PAUSE = Duration.millis(100)
/** A busy holder may be slow to answer; only "nobody listens" means it is gone. */
const PING_TIMEOUT_MS = 5_000

const Holder = Schema.Struct({
  instance: Schema.String,
  host: Schema.String,
  pid: Schema.Number,
  since: Schema.String,
  /** The subject the holder answers, so a starting supervisor can tell whether it still runs. */
  ping: Schema.String,
})
type Holder = typeof Holder.Type
const decodeHolder = Schema.decodeUnknownOption(Schema.parseJson(Holder))

/** nats.js's "no responders": nobody subscribes to the subject, so the holder is gone. */
const isNoResponders = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "isNoResponders" in error &&
  typeof error.isNoResponders === "function" && error.isNoResponders() === true

const describe = (holder: Holder) => `${holder.host} pid ${holder.pid}, since ${holder.since}`

/**
 * Held while this supervisor runs the fleet: taken before any account starts (`held`), renewed
 * every 5 s, given back when the supervisor stops. A supervisor that finds the lease held asks the holder
 * over NATS whether it still runs: when nobody answers (it was killed) the lease is taken over at
 * once, else this one waits, saying so. Losing the lease later (another supervisor took it while
 * this one could not renew) stops this one, as SIGTERM would.
 */
export class SupervisorLease extends Effect.Service<SupervisorLease>()("@wxfleet/supervisor/SupervisorLease", {
  scoped: Effect.gen(function* () {
    const { connection } = yield* Nats
    const kv = yield* keyValue(LEASE_BUCKET, { history: 1, ttl: Duration.toMillis(LEASE_TTL) })
    const instance = randomBytes(8).toString("hex")
    const me: Holder = {
      instance,
      host: hostname(),
      pid: process.pid,
      since: new Date().toISOString(),
      ping: `_wxfleet.supervisor.${instance}.ping`,
    }
    const value = JSON.stringify(me)

    yield* Effect.acquireRelease(
      Effect.sync(() => connection.subscribe(me.ping, { callback: (_error, msg) => void msg.respond("alive") })),
      (subscription) => Effect.sync(() => subscription.unsubscribe()),
    )
    // The server has the subscription before anyone can read this supervisor's name in the lease.
    yield* tryNats("flush", () => connection.flush())

    /** The holder answers, or is too busy to within the timeout: either way it runs. */
    const running = (holder: Holder) =>
      Effect.tryPromise({
        try: () => connection.request(holder.ping, "", { timeout: PING_TIMEOUT_MS }),
        catch: (error) => error,
      }).pipe(
        Effect.as(true),
        Effect.catchAll((error) => Effect.succeed(!isNoResponders(error))),
      )

    let revision: number | undefined
    /** The supervisor holding the lease while this one waits for it. */
    let waitingFor: Holder | undefined

    /** Takes the lease, waiting while another running supervisor holds it; answers its revision. */
    const acquire = Effect.gen(function* () {
      for (;;) {
        const created = yield* Effect.either(tryNats("take the lease", () => kv.create(LEASE_KEY, value)))
        if (Either.isRight(created)) return created.right
        const entry = yield* tryNats("read the lease", () => kv.get(LEASE_KEY))
        // Gone between the two calls (expired, given back): take it, without spinning if KV refuses.
        if (entry === null || entry.operation !== "PUT") {
          yield* Effect.sleep(RACE_PAUSE)
          continue
        }
        const holder = decodeHolder(entry.string())
        if (Option.isNone(holder) || !(yield* running(holder.value))) {
          const taken = yield* Effect.either(tryNats("take over the lease", () => kv.update(LEASE_KEY, value, entry.revision)))
          // Someone else took it over first: look again.
          if (Either.isLeft(taken)) {
            yield* Effect.sleep(RACE_PAUSE)
            continue
          }
          if (Option.isSome(holder)) yield* Effect.logWarning(`took over the fleet from a supervisor that no longer runs (${describe(holder.value)})`)
          return taken.right
        }
        if (waitingFor?.instance !== holder.value.instance) {
          waitingFor = holder.value
          yield* Effect.logWarning(
            `another supervisor runs this fleet on this NATS (${describe(holder.value)}); waiting for it to stop`,
          )
        }
        yield* Effect.sleep(RETRY_EVERY)
      }
    })

    const holding = yield* Deferred.make<void>()
    // Given back when the supervisor stops, after the fibers below have stopped; this layer is
    // under the fleet, so the sessions have stopped and saved by then.
    yield* Effect.addFinalizer(() => {
      const held = revision
      return held === undefined
        ? Effect.void
        : Effect.ignore(tryNats("give the lease back", () => kv.delete(LEASE_KEY, { previousSeq: held })))
    })

    const renew = Effect.gen(function* () {
      const renewed = yield* Effect.either(tryNats("renew the lease", () => kv.update(LEASE_KEY, value, revision!)))
      if (Either.isRight(renewed)) {
        revision = renewed.right
        return
      }
      // Not renewed: NATS away (try again next time), the lease expired meanwhile (take it
      // again), or another supervisor took it (stop).
      const entry = yield* Effect.option(tryNats("read the lease", () => kv.get(LEASE_KEY)))
      if (Option.isNone(entry)) return
      const current = entry.value === null || entry.value.operation !== "PUT" ? undefined : decodeHolder(entry.value.string())
      if (current === undefined) {
        const again = yield* Effect.either(tryNats("take the lease again", () => kv.create(LEASE_KEY, value)))
        if (Either.isRight(again)) revision = again.right
        return
      }
      if (Option.isSome(current) && current.value.instance === instance) {
        revision = entry.value!.revision
        return
      }
      yield* Effect.logError(
        `another supervisor took over this fleet${Option.isSome(current) ? ` (${describe(current.value)})` : ""}; stopping`,
      )
      process.kill(process.pid, "SIGTERM")
    })
    // Waiting does not hold up the health server: a standby supervisor answers /healthz.
    yield* Effect.gen(function* () {
      revision = yield* acquire
      waitingFor = undefined
      yield* Effect.logInfo(`holding the fleet's lease (${LEASE_BUCKET})`)
      yield* Deferred.succeed(holding, undefined)
      yield* renew.pipe(Effect.repeat(Schedule.spaced(RENEW_EVERY)))
    }).pipe(
      // A failure (NATS refused the reads), not the interruption of a supervisor that stops.
      Effect.catchAll((error) =>
        Effect.zipRight(Effect.logError("cannot take the fleet's lease; stopping", error), Effect.sync(() => process.kill(process.pid, "SIGTERM"))),
      ),
      Effect.forkScoped,
    )
    return {
      instance,
      /** Completes once this supervisor holds the lease: what starts accounts or serves them waits for it. */
      held: Deferred.await(holding),
      /** For /healthz: holding the lease, or waiting while the named supervisor holds it. */
      status: (): { readonly lease: "holding" | "waiting"; readonly heldBy?: string } =>
        revision !== undefined
          ? { lease: "holding" }
          : { lease: "waiting", ...(waitingFor === undefined ? {} : { heldBy: describe(waitingFor) }) },
    } as const
  }),
}) {}
