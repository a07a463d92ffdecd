import { Deferred, Effect, FiberId } from "effect"

/**
 * Fleet-wide news of webpush hosts. A session waiting out its reconnect backoff is woken as soon
 * as another session's synccheck gets an answer from one of its candidate hosts, and tries that
 * host: after an outage the fleet is back within moments instead of each session sleeping out the
 * rest of its backoff (up to 30 s). The wake-ups are spread over a time that grows with the number
 * of sessions woken, so a host that comes back is not hit by the whole fleet in one millisecond.
 */
export interface HostWatch {
  /** `host` answered a synccheck. Cheap when nobody waits: called on every answer. */
  readonly answered: (host: string) => void
  /**
   * Completes with the first of `hosts` to answer someone's synccheck from now on, after this
   * session's share of the spread. Interrupting it leaves nothing behind.
   */
  readonly recovered: (hosts: ReadonlyArray<string>) => Effect.Effect<string>
}

export interface HostWatchOptions {
  /** Spread of the wake-ups per session woken (default 1 ms: 1,000 sessions over a second). */
  readonly spreadPerWaiterMs?: number
  /** The longest spread, however many are woken (default 5 s). */
  readonly maxSpreadMs?: number
}

interface Waiter {
  /** The host that answered, and how many sessions it woke. */
  readonly woken: Deferred.Deferred<readonly [string, number]>
  readonly hosts: ReadonlyArray<string>
}

export const makeHostWatch = (options: HostWatchOptions = {}): HostWatch => {
  const perWaiter = options.spreadPerWaiterMs ?? 1
  const maxSpread = options.maxSpreadMs ?? 5_000
  const waiting = new Map<string, Set<Waiter>>()

  const forget = (waiter: Waiter, except?: string) => {
    for (const host of waiter.hosts) {
      if (host === except) continue
      const set = waiting.get(host)
      set?.delete(waiter)
      if (set?.size === 0) waiting.delete(host)
    }
  }

  const answered = (host: string): void => {
    const set = waiting.get(host)
    if (set === undefined) return
    waiting.delete(host)
    for (const waiter of set) {
      forget(waiter, host)
      Deferred.unsafeDone(waiter.woken, Effect.succeed([host, set.size] as const))
    }
  }

  const recovered = (hosts: ReadonlyArray<string>): Effect.Effect<string> =>
    Effect.suspend(() => {
      const waiter: Waiter = { woken: Deferred.unsafeMake(FiberId.none), hosts }
      for (const host of hosts) {
        const set = waiting.get(host) ?? new Set<Waiter>()
        waiting.set(host, set.add(waiter))
      }
      return Deferred.await(waiter.woken).pipe(
        Effect.onInterrupt(() => Effect.sync(() => forget(waiter))),
        Effect.flatMap(([host, woken]) =>
          Effect.as(Effect.sleep(Math.random() * Math.min(maxSpread, woken * perWaiter)), host),
        ),
      )
    })

  return { answered, recovered }
}
