import { Chunk, Data, Effect, Exit, Fiber, Option, Schedule, Stream } from "effect"
import type { SessionCallError, SessionExpired } from "../Errors.js"
import { webpushOrder, type HostSet } from "../Hosts.js"
import type { Call } from "../http/LeanUndiciClient.js"
import { exitOf, Transport, type PlainTransport } from "../http/Transport.js"
import { ProtocolConfig } from "../ProtocolConfig.js"
import { backoff, RetryPolicies, type RetryPolicy } from "../Schedules.js"
import type { WxSession } from "../session/WxSession.js"
import { tracing } from "../Tracing.js"
import type { HostWatch } from "./HostWatch.js"
import type { SynccheckAnswer } from "../wire/javascript.js"
import { judgeSynccheck, synccheck, synccheckOptions, synccheckUrl } from "./Synccheck.js"
import { commitKeys, commitKeysNow, webwxsync, webwxsyncThen, type SyncBatch } from "./WebwxSync.js"

/** What the sync loop reports: changes to handle, and the state of its connection. */
export type SyncEvent = Data.TaggedEnum<{
  /**
   * A webpush host answered synccheck: the first answer, or the first after a failure. After a
   * failure, a poll the host has held for a second counts (its answer is then awaited by the next
   * round), so a reconnect is reported at once rather than when the hold ends.
   */
  Connected: { readonly host: string }
  /** A call failed; the loop waits out the reconnect schedule, then polls `host`. */
  Reconnecting: {
    readonly host: string
    readonly error: SessionCallError
    readonly attempt: number
  }
  /**
   * Changes to handle. Run `commit` once they are handled (e.g. acknowledged downstream): the
   * loop fetches the next batch only when pulled again, from the key committed by then, so a
   * batch that is not committed comes again.
   */
  Batch: { readonly batch: SyncBatch; readonly commit: Effect.Effect<void> }
}>
export const SyncEvent: Data.TaggedEnum.Constructor<SyncEvent> = Data.taggedEnum<SyncEvent>()

/**
 * A limit on webwxsync calls in flight, e.g. fleet-wide: a fleet whose synccheck polls all
 * answer at once queues its fetches there, before their deadlines start, instead of in the HTTP
 * pool, where they would time out and send sessions reconnecting. (`FifoGate` of @wxfleet/nats.)
 */
export interface FetchGate {
  /** Runs `fetch` holding a permit. */
  readonly withPermit: <A, E, R>(fetch: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * The same without Effect: `granted` is called once a permit is held; the answer gives the
   * place in line up, or the permit back once granted (again: nothing).
   */
  readonly request: (granted: () => void) => () => void
}

export interface SyncLoopOptions {
  /** Waits between failed calls, given up after `times`; the `syncReconnect` of RetryPolicies by default. */
  readonly reconnect?: RetryPolicy
  /** Where each webwxsync call waits for its turn; none by default. */
  readonly fetchGate?: FetchGate
  /**
   * Shared by the sessions of a fleet: a session in reconnect backoff tries its next host as soon
   * as another session's synccheck is answered there, instead of sleeping out its backoff.
   */
  readonly hostWatch?: HostWatch
}

interface LoopState {
  /** The webpush host the next synccheck goes to. */
  readonly host: string
  /** Whether `host` answered since the last failure (Connected was reported). */
  readonly connected: boolean
  /** The last webwxsync said ContinueFlag ≠ 0: fetch again before polling. */
  readonly draining: boolean
  /** Failures in a row, reported as the Reconnecting attempt. */
  readonly failures: number
  /** The failure the next step waits out before it calls anything. */
  readonly waitFor: SessionCallError | undefined
  /** A synccheck still held by its host, already reported as Connected: the next poll awaits it. */
  readonly pending?: Fiber.RuntimeFiber<SynccheckAnswer, SessionCallError> | undefined
}

/** A reconnecting session's poll that its host has held this long: the host is back. */
const HELD_MEANS_UP_MS = 1_000

type Step = Effect.Effect<
  readonly [ReadonlyArray<SyncEvent>, LoopState],
  SessionCallError,
  Transport | ProtocolConfig
>

/** Connected (or draining) with no failure since the last success: the round `plainRound` runs. */
const steady = (state: LoopState): boolean =>
  state.failures === 0 && state.pending === undefined && (state.draining || state.connected)

/**
 * How `runSyncLoop`'s caller takes a steady round's batch without a fiber step: most of a
 * fleet's CPU goes to such rounds, and each step through the fiber (resume, the handler's
 * effects, the next round) costs more than the batch's own work.
 */
export interface PlainChain {
  /**
   * Handles `batch`: its events out, then `commit()` (the keys move on), then `done(true)`; or
   * `done(false)` without committing, when it needs the Effect path (the batch then comes as a
   * Batch event, and may be published again: events carry ids for that). Must not throw.
   */
  readonly batch: (batch: SyncBatch, commit: () => void, done: (handled: boolean) => void) => void
  /** Whether the caller's `afterRound` has work now: the loop then steps through the fiber. */
  readonly due: () => boolean
}

/** The candidate after `current`, wrapping around; the first one when `current` is none of them. */
const hostAfter = (hosts: HostSet, current: string): string =>
  webpushOrder(hosts, current).find((host) => host !== current) ?? current

/**
 * The loop's state machine: `step` runs one synccheck/webwxsync round (after waiting out the
 * reconnect schedule when the last one failed) and answers its events and the next state.
 */
const makeStepper = (session: WxSession, options: SyncLoopOptions, chain?: PlainChain) =>
  Effect.gen(function* () {
    const policies = yield* RetryPolicies
    const schedule = backoff(options.reconnect ?? policies.syncReconnect)
    // The reconnect schedule's driver exists only between a failure and the next success: a
    // driver per connected session is ~3 KB that thousands of held sessions would keep for nothing.
    let driver: Schedule.ScheduleDriver<unknown, unknown> | undefined
    const reset = Effect.sync(() => {
      driver = undefined
    })
    const waitOut = (error: SessionCallError) =>
      Effect.suspend(() =>
        driver === undefined
          ? Effect.flatMap(Schedule.driver(schedule), (made) => {
              driver = made
              return made.next(error)
            })
          : driver.next(error),
      )
    const { webpushHost } = yield* session.data.get
    const config = yield* ProtocolConfig
    const clock = yield* Effect.clock
    // The steady round runs as callbacks where it can (see `plainRound`); spans need the Effect path.
    const plain = (yield* tracing) ? undefined : (yield* Transport).plain

    const { fetchGate } = options
    const gate = fetchGate === undefined ? <A, E, R>(fetch: Effect.Effect<A, E, R>) => fetch : fetchGate.withPermit
    const batchEvent = (batch: SyncBatch): SyncEvent =>
      SyncEvent.Batch({ batch, commit: commitKeys(session, batch) })

    const failed = (state: LoopState, error: SessionCallError, host: string, draining = false) =>
      [
        [SyncEvent.Reconnecting({ host, error, attempt: state.failures + 1 })],
        { host, connected: false, draining, failures: state.failures + 1, waitFor: error },
      ] as const

    /** The round after a fetched batch. */
    const fetched = (state: LoopState, batch: SyncBatch) =>
      [[batchEvent(batch)], { ...state, draining: batch.continueFlag !== 0, failures: 0 }] as const

    /**
     * What a failed fetch leads to: the home host answers the real Ret, so a session end is
     * final; anything else is retried.
     */
    const fetchFailed = (state: LoopState, error: SessionCallError): Step =>
      error._tag === "SessionExpired" ? Effect.fail(error) : Effect.succeed(failed(state, error, state.host))

    const fetch = (state: LoopState): Step =>
      gate(webwxsync(session)).pipe(
        Effect.matchEffect({
          onSuccess: (batch) => Effect.as(reset, fetched(state, batch)),
          onFailure: (error) => fetchFailed(state, error),
        }),
      )

    // A webpush host that does not serve the account says 1100 as well: only webwxsync can tell.
    const confirmEnd = (state: LoopState, error: SessionExpired): Step =>
      gate(webwxsync(session)).pipe(
        Effect.matchEffect({
          onSuccess: (batch) => {
            const [events, next] = failed(
              state,
              error,
              hostAfter(session.hosts, state.host),
              batch.continueFlag !== 0,
            )
            return Effect.succeed([[...events, batchEvent(batch)], next] as const)
          },
          onFailure: (confirmed) =>
            confirmed._tag === "SessionExpired"
              ? Effect.fail(confirmed)
              : Effect.succeed(failed(state, error, hostAfter(session.hosts, state.host))),
        }),
      )

    /** `host` took this session's poll: the fleet hears of it, and the session polls there next time. */
    const hostAnsweredNow = (host: string) => {
      options.hostWatch?.answered(host)
      session.data.updateNow((d) => (d.webpushHost === host ? d : { ...d, webpushHost: host }))
    }
    const hostAnswered = (host: string) => Effect.sync(() => hostAnsweredNow(host))

    /** The round after a synccheck answer (or failure). */
    const afterSynccheck = (
      state: LoopState,
      check: Effect.Effect<SynccheckAnswer, SessionCallError, Transport | ProtocolConfig>,
    ): Step =>
      check.pipe(
        Effect.matchEffect({
          onSuccess: ({ selector }) =>
            Effect.gen(function* () {
              yield* hostAnswered(state.host)
              const connected = state.connected ? [] : [SyncEvent.Connected({ host: state.host })]
              if (selector === 0) {
                yield* reset
                return [connected, { ...state, connected: true, failures: 0 }] as const
              }
              const [events, next] = yield* fetch({ ...state, connected: true })
              return [[...connected, ...events], next] as const
            }),
          onFailure: (error) => {
            switch (error._tag) {
              case "SessionExpired":
                return confirmEnd(state, error)
              case "RateLimited":
                return Effect.succeed(failed(state, error, state.host))
              default:
                return Effect.succeed(failed(state, error, hostAfter(session.hosts, state.host)))
            }
          },
        }),
      )

    const poll = (state: LoopState): Step => {
      const { pending } = state
      if (pending !== undefined) return afterSynccheck({ ...state, pending: undefined }, Fiber.join(pending))
      // Built only when run: an effect's continuation frames keep what they wrap (built effects
      // included) through the whole long poll.
      if (state.connected || state.failures === 0) return afterSynccheck(state, Effect.suspend(() => synccheck(session, state.host)))
      // Reconnecting: a poll the host holds for a second means the host is back. Say so (and wake
      // the fleet's sessions waiting for it) now, not when the hold ends (~25 s on the real server).
      return Effect.gen(function* () {
        const check = yield* Effect.fork(synccheck(session, state.host))
        const early = yield* Effect.timeoutOption(Fiber.await(check), HELD_MEANS_UP_MS)
        if (Option.isSome(early)) return yield* afterSynccheck(state, early.value)
        yield* hostAnswered(state.host)
        yield* reset
        return [
          [SyncEvent.Connected({ host: state.host })],
          { ...state, connected: true, failures: 0, pending: check },
        ] as const
      })
    }

    /**
     * The steady round (connected or draining, no failure since the last success) as callbacks:
     * the synccheck, the wait for a fetch permit and the webwxsync, with one Effect step for the
     * whole round instead of a chain of them per call; a fleet's CPU goes mostly to such rounds.
     * Its results and failures are those of `poll` and `fetch`, and anything unusual goes on
     * through them. (No schedule reset: nothing failed since the last one.) With a `chain`, a
     * batch goes to its handler here and, while the loop stays steady and the chain has nothing
     * due, the next round starts here too: the fiber steps only for what is not routine.
     */
    const plainRound = (first: LoopState, transport: PlainTransport): Step =>
      Effect.async((resume) => {
        let state = first
        let call: Call | undefined
        let leave: (() => void) | undefined
        let thrown = false
        /** Set by the canceler: a batch handled after it starts no further round. */
        let stopped = false
        /**
         * Runs a callback's work; a throw ends the round as a defect, as a throw inside an effect
         * would, instead of reaching undici or another session's gate release.
         */
        const guarded = (work: () => void) => {
          try {
            work()
          } catch (defect) {
            thrown = true
            stopped = true
            call = undefined
            leave?.()
            resume(Effect.die(defect))
          }
        }
        const fetchNow = () =>
          guarded(() => {
            call = webwxsyncThen(session, transport, config, (result) => {
              call = undefined
              leave?.()
              leave = undefined
              if (Exit.isFailure(result)) {
                return resume(
                  Effect.matchEffect(result, {
                    onSuccess: (batch) => Effect.succeed(fetched(state, batch)),
                    onFailure: (error) => fetchFailed(state, error),
                  }),
                )
              }
              const round = fetched(state, result.value)
              if (chain === undefined) return resume(Effect.succeed(round))
              // Handled without a fiber step when the session's handler can; else as an event.
              guarded(() =>
                chain.batch(result.value, commitKeysNow(session, result.value), (handled) =>
                  guarded(() => {
                    if (stopped) return
                    if (!handled) return resume(Effect.succeed(round))
                    next(round[1])
                  }),
                ),
              )
            })
          })
        const fetchInTurn = () => {
          if (fetchGate === undefined) return fetchNow()
          leave = fetchGate.request(fetchNow)
          // A permit granted at once, to a fetch that threw before `leave` was known: give it back.
          if (thrown) leave()
        }
        const start = () => {
          if (state.draining) return fetchInTurn()
          const url = synccheckUrl(session.data.current(), state.host, clock.unsafeCurrentTimeMillis())
          call = transport.textThen({ method: "GET", url }, synccheckOptions(session, config), (result) =>
            guarded(() => {
              call = undefined
              const answer = Exit.flatMap(result, (response) => exitOf(() => judgeSynccheck(response, state.host)))
              // A failure (or a defect) goes on as the Effect path's round would take it.
              if (Exit.isFailure(answer)) return resume(afterSynccheck(state, answer))
              hostAnsweredNow(state.host)
              if (answer.value.selector === 0) return chain === undefined ? resume(Effect.succeed([[], state] as const)) : next(state)
              fetchInTurn()
            }),
          )
        }
        /** After a round handled here: the next one, while steady and the caller has nothing due. */
        const next = (after: LoopState) => {
          if (stopped) return
          if (!steady(after) || chain?.due() !== false) return resume(Effect.succeed([[], after] as const))
          state = after
          start()
        }
        start()
        return Effect.sync(() => {
          stopped = true
          call?.stop()
          leave?.()
        })
      })

    const go = (state: LoopState): Step =>
      plain !== undefined && steady(state)
        ? plainRound(state, plain)
        : state.draining
          ? fetch(state)
          : poll(state)

    // Plain calls rather than a generator: the frames of a round stay alive through its long
    // poll, and a generator frame is ~1 KB that the young generation copies, per round.
    const step = (state: LoopState): Step => {
      const { waitFor, host } = state
      if (waitFor === undefined) return go(state)
      const backoffOver = waitOut(waitFor).pipe(Effect.orElseFail(() => waitFor), Effect.as(host))
      const { hostWatch } = options
      // A host that failed may be woken early by another session's answer; a 1205 is this
      // account's own to wait out, and a failed fetch is not about the webpush hosts.
      const hostFailed = waitFor._tag !== "RateLimited" && !state.draining
      const waited = hostWatch === undefined || !hostFailed
        ? backoffOver
        : Effect.raceFirst(backoffOver, hostWatch.recovered(webpushOrder(session.hosts, host)))
      return Effect.flatMap(waited, (next) => go({ ...state, host: next, waitFor: undefined }))
    }

    const initial: LoopState = {
      // The host that worked last time, else the first candidate.
      host: webpushHost ?? hostAfter(session.hosts, session.hosts.home),
      connected: false,
      draining: false,
      failures: 0,
      waitFor: undefined,
    }
    return { step, initial } as const
  })

/**
 * The session's changes as a stream: synccheck on a webpush host, webwxsync whenever it reports
 * something (again while ContinueFlag ≠ 0). A host that fails (connection, deadline, bad status,
 * unreadable answer) is left for the next candidate; so is a host that says the session ended
 * (1100…1102) unless the home host confirms it. Every failure waits out the reconnect schedule
 * first, so the loop never spins. The stream fails with SessionExpired when the session ended, or
 * with the last error once the schedule gives up.
 */
export const syncLoop = (
  session: WxSession,
  options: SyncLoopOptions = {},
): Stream.Stream<SyncEvent, SessionCallError, Transport | ProtocolConfig> =>
  Stream.unwrap(
    Effect.map(makeStepper(session, options), ({ step, initial }) =>
      Stream.unfoldChunkEffect(initial, (state) =>
        Effect.map(step(state), ([events, next]) =>
          Option.some([Chunk.fromIterable(events), next] as const),
        ),
      ),
    ),
  )

/**
 * The same loop as `syncLoop`, handing each event to `handle` before the next round: for a
 * fleet, where a Stream per session costs memory that thousands of sessions notice. Fails like
 * the stream, or with `handle`'s error.
 */
export const runSyncLoop = <E, R, R2 = never>(
  session: WxSession,
  handle: (event: SyncEvent) => Effect.Effect<void, E, R>,
  options: RunSyncLoopOptions<R2> = {},
): Effect.Effect<never, SessionCallError | E, Transport | ProtocolConfig | R | R2> =>
  Effect.gen(function* () {
    const { step, initial } = yield* makeStepper(session, options, options.plain)
    // One round in a scope of its own: its batch is garbage once handled, not held by this
    // generator through the next long poll (thousands of sessions would each keep one).
    const { afterRound } = options
    const round = (state: LoopState) =>
      Effect.flatMap(Effect.suspend(() => step(state)), ([events, next]) => {
        const handled = events.length === 1 ? handle(events[0]!) : Effect.forEach(events, handle, { discard: true })
        return Effect.as(afterRound === undefined ? handled : Effect.zipRight(handled, afterRound), next)
      })
    let state = initial
    for (;;) state = yield* round(state)
  })

export interface RunSyncLoopOptions<R> extends SyncLoopOptions {
  /**
   * Runs after every round (a synccheck answer, at least every hold of ~25 s): periodic work such
   * as a heartbeat, without a fiber of its own per session.
   */
  readonly afterRound?: Effect.Effect<void, never, R>
  /** Handles steady rounds' batches as callbacks, going through `handle` only when it declines. */
  readonly plain?: PlainChain
}
