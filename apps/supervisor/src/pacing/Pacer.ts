import { ContractErrorTag } from "@wxfleet/contracts"
import { Data, Duration, Effect } from "effect"

export interface PacingPolicy {
  /** Minimum time between two sends, before jitter. */
  readonly interval: Duration.DurationInput
  /** Up to this fraction of the interval is added at random. */
  readonly jitter: number
  /** A 1205 multiplies the interval by this (capped at 64×); each paced send decays it back towards 1×. */
  readonly backoff: number
  /** Sends waiting for their turn at most; one more is refused with `SendBacklogFull`. */
  readonly backlog: number
}

/** The account already has `limit` sends waiting for their turn: this one was not sent. */
export class SendBacklogFull extends Data.TaggedError(ContractErrorTag.SendBacklogFull)<{
  readonly waiting: number
  readonly limit: number
}> {
  override get message(): string {
    return `${this.waiting} sends of this account are waiting for their turn (at most ${this.limit}, WXFLEET_SEND_BACKLOG); this one was not sent, try again later`
  }
}

/** Why a closed pacer refuses: the supervisor is stopping, or the account was removed or restarted. */
export type CloseReason = "shutdown" | "stopped"

/** The pacer was closed: this send had not begun and was not sent. */
export class PacerClosed extends Data.Error<{ readonly reason: CloseReason }> {
  /** ShuttingDown or AccountNotRunning: both mean "not sent", so a retry may send it. */
  get _tag(): string {
    return this.reason === "shutdown" ? ContractErrorTag.ShuttingDown : ContractErrorTag.AccountNotRunning
  }

  override get message(): string {
    return this.reason === "shutdown"
      ? "the supervisor is shutting down: this send had not begun and was not sent; try again once it is back"
      : "the account was removed or restarted while this send waited for its turn: it was not sent"
  }
}

/**
 * One account's send pacing: sends leave one at a time, spaced by the interval plus jitter, and
 * a 1205 answer slows the account down instead of failing it. The single interface behind which
 * a fleet-wide governor can later sit.
 */
export interface Pacer {
  /** Runs `send` in the account's next slot, or refuses it when the account's backlog is full. */
  readonly paced: <A, E, R>(send: Effect.Effect<A, E, R>) => Effect.Effect<A, E | SendBacklogFull | PacerClosed, R>
  /** The server throttled this account (1205): widen the spacing. */
  readonly throttled: Effect.Effect<void>
  /** The current multiplier of the interval (1 when unthrottled). */
  readonly slowdown: Effect.Effect<number>
  /** Sends waiting for their turn now (not the one being sent). */
  readonly waiting: () => number
  /**
   * Stopping (the supervisor, or this account): every send that has not begun, waiting or yet
   * to come, fails with `PacerClosed` at once instead of waiting out its turn (a backlog of 200
   * at 1.5 s would hold a shutdown for five minutes); a send already under way finishes.
   */
  readonly close: (reason: CloseReason) => void
}

const MAX_SLOWDOWN = 64
const DECAY = 0.85

export const makePacer = (policy: PacingPolicy): Effect.Effect<Pacer> =>
  Effect.gen(function* () {
    const intervalMs = Duration.toMillis(Duration.decode(policy.interval))
    // Plain state read and written in single steps: every send of the fleet passes through here.
    let nextAt = 0
    let slowdown = 1
    const turn = yield* Effect.makeSemaphore(1)
    let waiting = 0
    let closed: CloseReason | undefined
    const refused = Effect.suspend(() => Effect.fail(new PacerClosed({ reason: closed ?? "shutdown" })))

    /** Plans the slot after this one (from now, with jitter) and lets the interval decay. */
    const plan = Effect.clockWith((clock) =>
      Effect.sync(() => {
        nextAt = clock.unsafeCurrentTimeMillis() + intervalMs * slowdown * (1 + Math.random() * policy.jitter)
        slowdown = Math.max(1, slowdown * DECAY)
      }),
    )
    const waitForSlot = Effect.clockWith((clock) => {
      const wait = nextAt - clock.unsafeCurrentTimeMillis()
      return wait > 0 ? Effect.zipRight(Effect.sleep(Duration.millis(wait)), plan) : plan
    })
    /** In its turn: the send, unless the pacer closed meanwhile (checked again after the wait). */
    const inTurn = <A, E, R>(send: Effect.Effect<A, E, R>): Effect.Effect<A, E | PacerClosed, R> =>
      Effect.suspend((): Effect.Effect<A, E | PacerClosed, R> =>
        closed !== undefined
          ? refused
          : Effect.zipRight(
              waitForSlot,
              Effect.suspend((): Effect.Effect<A, E | PacerClosed, R> => (closed !== undefined ? refused : send)),
            ),
      )

    const paced = <A, E, R>(send: Effect.Effect<A, E, R>): Effect.Effect<A, E | SendBacklogFull | PacerClosed, R> =>
      Effect.suspend((): Effect.Effect<A, E | SendBacklogFull | PacerClosed, R> => {
        if (closed !== undefined) return refused
        if (waiting >= policy.backlog) return Effect.fail(new SendBacklogFull({ waiting, limit: policy.backlog }))
        waiting++
        // Counted until its turn comes, or until it is interrupted while waiting.
        let counted = true
        const uncount = Effect.sync(() => {
          if (counted) waiting--
          counted = false
        })
        return turn
          .withPermits(1)(Effect.zipRight(uncount, inTurn(send)))
          .pipe(Effect.onInterrupt(() => uncount))
      })

    return {
      paced,
      // The next send waits a whole widened interval from now, not from the slot already planned.
      throttled: Effect.clockWith((clock) =>
        Effect.sync(() => {
          slowdown = Math.min(MAX_SLOWDOWN, slowdown * policy.backoff)
          nextAt = Math.max(nextAt, clock.unsafeCurrentTimeMillis() + intervalMs * slowdown)
        }),
      ),
      slowdown: Effect.sync(() => slowdown),
      waiting: () => waiting,
      close: (reason) => {
        closed ??= reason
      },
    }
  })
