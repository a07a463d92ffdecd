import { ContractErrorTag } from "@wxfleet/contracts"
import { FifoGate } from "@wxfleet/nats"
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

/**
 * A pacer as a plain object whose effects are built when asked for: a fleet keeps one per account
 * for its whole life, mostly idle, and a closure-built one (a Semaphore and a dozen prebuilt
 * effects) was ~2 KB of it.
 */
class AccountPacer implements Pacer {
  private readonly intervalMs: number
  // Plain state read and written in single steps: every send of the fleet passes through here.
  private nextAt = 0
  private currentSlowdown = 1
  private waitingNow = 0
  private closed: CloseReason | undefined
  /** One send at a time, in the order they came (FIFO, so sends leave in order). */
  private readonly turn = new FifoGate(1)

  constructor(private readonly policy: PacingPolicy) {
    this.intervalMs = Duration.toMillis(Duration.decode(policy.interval))
  }

  private refused(): Effect.Effect<never, PacerClosed> {
    return Effect.fail(new PacerClosed({ reason: this.closed ?? "shutdown" }))
  }

  /** Waits for the planned slot, then plans the one after it (from now, with jitter) and lets the interval decay. */
  private waitForSlot(): Effect.Effect<void> {
    return Effect.clockWith((clock) => {
      const plan = Effect.sync(() => {
        this.nextAt =
          clock.unsafeCurrentTimeMillis() + this.intervalMs * this.currentSlowdown * (1 + Math.random() * this.policy.jitter)
        this.currentSlowdown = Math.max(1, this.currentSlowdown * DECAY)
      })
      const wait = this.nextAt - clock.unsafeCurrentTimeMillis()
      return wait > 0 ? Effect.zipRight(Effect.sleep(Duration.millis(wait)), plan) : plan
    })
  }

  /** In its turn: the send, unless the pacer closed meanwhile (checked again after the wait). */
  private inTurn<A, E, R>(send: Effect.Effect<A, E, R>): Effect.Effect<A, E | PacerClosed, R> {
    return Effect.suspend((): Effect.Effect<A, E | PacerClosed, R> =>
      this.closed !== undefined
        ? this.refused()
        : Effect.zipRight(
            this.waitForSlot(),
            Effect.suspend((): Effect.Effect<A, E | PacerClosed, R> => (this.closed !== undefined ? this.refused() : send)),
          ),
    )
  }

  paced<A, E, R>(send: Effect.Effect<A, E, R>): Effect.Effect<A, E | SendBacklogFull | PacerClosed, R> {
    return Effect.suspend((): Effect.Effect<A, E | SendBacklogFull | PacerClosed, R> => {
      if (this.closed !== undefined) return this.refused()
      const { backlog } = this.policy
      if (this.waitingNow >= backlog) return Effect.fail(new SendBacklogFull({ waiting: this.waitingNow, limit: backlog }))
      this.waitingNow++
      // Counted until its turn comes, or until it is interrupted while waiting.
      let counted = true
      const uncount = Effect.sync(() => {
        if (counted) this.waitingNow--
        counted = false
      })
      return this.turn.withPermit(Effect.zipRight(uncount, this.inTurn(send))).pipe(Effect.onInterrupt(() => uncount))
    })
  }

  // The next send waits a whole widened interval from now, not from the slot already planned.
  get throttled(): Effect.Effect<void> {
    return Effect.clockWith((clock) =>
      Effect.sync(() => {
        this.currentSlowdown = Math.min(MAX_SLOWDOWN, this.currentSlowdown * this.policy.backoff)
        this.nextAt = Math.max(this.nextAt, clock.unsafeCurrentTimeMillis() + this.intervalMs * this.currentSlowdown)
      }),
    )
  }

  get slowdown(): Effect.Effect<number> {
    return Effect.sync(() => this.currentSlowdown)
  }

  waiting(): number {
    return this.waitingNow
  }

  close(reason: CloseReason): void {
    this.closed ??= reason
  }
}

export const makePacer = (policy: PacingPolicy): Effect.Effect<Pacer> => Effect.sync(() => new AccountPacer(policy))
