import { Cause, Clock, Deferred, Duration, Effect, Exit, FiberId } from "effect"

/**
 * One account's answers to the `contacts` command. A listing is several of WeChat's heaviest
 * calls (webwxgetcontact, page by page, then webwxbatchgetcontact for the rooms' members), and a
 * fleet's workers ask for it together: every copy of a worker on its first event for an
 * account, every restart of a worker for every account. So:
 * - callers asking while a listing runs share it (no second listing);
 * - a finished listing answers for `ttl`, unless something says the contacts changed since:
 *   the session saw a contact change in a sync batch, or a command changed contacts, or the
 *   account logged in again (another session: its UserNames differ).
 * A failed listing is not kept; the next caller asks WeChat again.
 */
export interface ContactsListing<A> {
  /** The listing of `session`'s contacts: shared, kept, or `list` run now. */
  readonly get: <E, R>(session: object, list: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The contacts changed: what was listed before is not to be answered again. */
  readonly invalidate: () => void
}

interface Listing<A> {
  readonly session: object
  readonly done: Deferred.Deferred<A, unknown>
  /** When it succeeded, for a listing that answers again until its ttl passes. */
  succeededAt?: number
  value?: A
}

/** How a caller was answered: its own call to WeChat, one in flight, or one kept. */
export type ListingAnswer = "listed" | "shared" | "kept"

export const makeContactsListing = <A>(
  ttl: Duration.Duration,
  answered: (how: ListingAnswer) => void = () => {},
): ContactsListing<A> => {
  const ttlMs = Duration.toMillis(ttl)
  // The listing that answers (in flight or kept); one a change made stale is no longer here.
  let current: Listing<A> | undefined

  const lead = <E, R>(session: object, list: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    const listing: Listing<A> = { session, done: Deferred.unsafeMake(FiberId.none) }
    current = listing
    answered("listed")
    return Effect.onExit(list, (exit) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (Exit.isSuccess(exit) && current === listing && ttlMs > 0) {
          listing.succeededAt = now
          listing.value = exit.value
          // A fleet's listings are large (every contact, rooms with members): none is kept
          // past its ttl for an account nobody asks about again.
          setTimeout(() => {
            if (current === listing) current = undefined
          }, ttlMs).unref()
        } else if (current === listing) {
          current = undefined
        }
        return Deferred.done(listing.done, exit as Exit.Exit<A, unknown>)
      }),
    )
  }

  const get = <E, R>(session: object, list: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const listing = current
      if (listing === undefined || listing.session !== session) {
        return lead(session, list)
      }
      if (listing.succeededAt !== undefined) {
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          now - listing.succeededAt! < ttlMs ? Effect.sync(() => (answered("kept"), listing.value as A)) : lead(session, list),
        )
      }
      // Joins the listing in flight. Its caller's failure is this caller's too (same account,
      // same moment); its caller being interrupted is not, so this one asks again.
      answered("shared")
      return Deferred.await(listing.done).pipe(
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause) ? get(session, list) : (Effect.failCause(cause) as Effect.Effect<never, E>),
        ),
      )
    })

  return {
    get,
    invalidate: () => {
      current = undefined
    },
  }
}
