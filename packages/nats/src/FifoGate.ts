import { Effect } from "effect"

interface Waiter {
  readonly wake: () => void
  /**
   * From joining the line until woken or given up, whichever comes first: counted in `waiting`.
   * One still in the queue but no longer in line gave up its place (a woken one is past the head).
   */
  inLine: boolean
}

/**
 * A counting gate that hands each freed permit to the longest waiter: O(1) per release however
 * many wait. Effect's Semaphore wakes every waiter on each release (each re-checks and most wait
 * again): with 10,000 sessions waiting for a webwxsync turn the supervisor did nothing else, and
 * a burst of commands queued behind `serve`'s limit paid the same, quadratically.
 */
export class FifoGate {
  private free: number
  private queue: Array<Waiter> = []
  private head = 0
  /** Waiters in line that have not given up (the queue also holds given-up ones until passed). */
  private lineLength = 0

  constructor(permits: number) {
    this.free = permits
  }

  /** Callers waiting for a permit (not those that gave up their place). */
  get waiting(): number {
    return this.lineLength
  }

  /** Takes a free permit (true), or puts `waiter` in line for the next one (false). */
  private enter(waiter: Waiter): boolean {
    if (this.free > 0) {
      this.free--
      return true
    }
    this.queue.push(waiter)
    waiter.inLine = true
    this.lineLength++
    return false
  }

  /** `waiter` is out of line: woken, or given up. */
  private out(waiter: Waiter): void {
    if (!waiter.inLine) return
    waiter.inLine = false
    this.lineLength--
  }

  private readonly acquire: Effect.Effect<void> = Effect.async<void>((resume) => {
    const waiter: Waiter = { wake: () => resume(Effect.void), inLine: false }
    if (this.enter(waiter)) return resume(Effect.void)
    // Interrupted while waiting: the waiter gives up its place (a permit handed over already
    // resumed it, and the caller's ensuring gives that one back).
    return Effect.sync(() => this.out(waiter))
  })

  private release(): void {
    while (this.head < this.queue.length) {
      const next = this.queue[this.head++]!
      if (this.head > 1_024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head)
        this.head = 0
      }
      if (!next.inLine) continue
      this.out(next)
      return next.wake()
    }
    this.free++
  }

  /**
   * Without Effect: calls `granted` once a permit is held (at once when one is free). The
   * answer gives the place in line up, or the permit back once granted; calling it again does
   * nothing.
   */
  readonly request = (granted: () => void): (() => void) => {
    let held = false
    let over = false
    const waiter: Waiter = {
      wake: () => {
        held = true
        granted()
      },
      inLine: false,
    }
    if (this.enter(waiter)) waiter.wake()
    return () => {
      if (over) return
      over = true
      if (held) this.release()
      else this.out(waiter)
    }
  }

  /** Runs `effect` holding a permit, waiting (interruptibly) for one in line. */
  readonly withPermit = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.zipRight(
        restore(this.acquire),
        Effect.ensuring(
          restore(effect),
          Effect.sync(() => this.release()),
        ),
      ),
    )
}
