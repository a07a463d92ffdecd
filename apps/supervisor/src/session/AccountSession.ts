import {
  ContactEvent,
  MessageEvent,
  SessionEvent,
  type ContactView,
  type SessionStateName,
} from "@wxfleet/contracts"
import { FifoGate, type Nats } from "@wxfleet/nats"
import {
  Contact,
  Contacts,
  Messages,
  type HostWatch,
  type ProtocolConfig,
  Session,
  SyncLoop,
  type Transport,
  WebwxSync,
  type SessionData,
  type WxSession,
} from "@wxfleet/protocol"
import { Duration, Effect, FiberRef, HashMap, Option, Ref, Schedule, Schema } from "effect"
import { DEFAULT_STATE_SAVE_INTERVAL, SupervisorConfig } from "../config/SupervisorConfig.js"
import { EventPublisher, type OutboundEvent } from "../events/EventPublisher.js"
import { countTransition, Metrics } from "../metrics/Metrics.js"
import type { Pacer } from "../pacing/Pacer.js"
import type { AccountEntry } from "../state/AccountRegistry.js"
import { SessionStore } from "../state/SessionStore.js"
import { StateSaver } from "../state/StateSaver.js"
import { type LoggedIn, logInAfresh, type LoginReport, resume } from "./AccountLogin.js"
import type { ContactsListing } from "../commands/ContactsListing.js"
import type { Reply } from "../commands/operations.js"
import { replyError } from "../errors/replyError.js"
import { KnownContacts } from "./KnownContacts.js"
import { canMove } from "./SessionStateMachine.js"

/** What the rest of the supervisor (commands, fleet listing) sees of a running account. */
export interface AccountHandle {
  readonly entry: AccountEntry
  readonly state: Ref.Ref<SessionStateName>
  /** The live session while logged in. */
  readonly session: Ref.Ref<Option.Option<WxSession>>
  readonly self: Ref.Ref<Option.Option<{ readonly userName: string; readonly nickName: string }>>
  /** webwxinit's InviteStartCount: rooms this big take invitations instead of direct adds. */
  readonly inviteStartCount: Ref.Ref<number>
  readonly pacer: Pacer
  /**
   * The fleet's command slots (`WXFLEET_COMMAND_CONCURRENCY`), shared by every account: an
   * operation holds one while it runs; a paced send only once its turn has come.
   */
  readonly commandSlots: FifoGate
  /** The fleet's webwxsync calls in flight (SyncLoopOptions.fetchGate), shared by every account. */
  readonly syncGate: FifoGate
  /**
   * The fleet's logins and resumes under way (`WXFLEET_LOGIN_CONCURRENCY`): a session holds one
   * while it checks a stored session, runs webwxinit and lists its contacts, none while a person
   * scans or confirms.
   */
  readonly loginSlots: FifoGate
  /** The fleet's news of webpush hosts (SyncLoopOptions.hostWatch), shared by every account. */
  readonly hostWatch: HostWatch.HostWatch
  /** The account's `contacts` answers, shared and briefly kept; told when contacts change. */
  readonly contacts: ContactsListing<Reply>
}

/** What a session runs on. */
export type SessionDeps =
  | Transport
  | ProtocolConfig
  | Nats
  | SupervisorConfig
  | EventPublisher
  | SessionStore
  | StateSaver
  | Metrics

const encodeSession = Schema.encodeSync(SessionEvent)
/**
 * A message event is its own wire form: the message Schemas transform nothing, which this
 * signature checks at compile time; the decoders produce only valid messages (tested there), so
 * a Schema encode per message would only re-check them, at a cost fleets notice.
 */
const encodeMessage = (event: MessageEvent): typeof MessageEvent.Encoded => event
const encodeContact = Schema.encodeSync(ContactEvent)

let isoAt = 0
let iso = ""
/** The time as an ISO string; the same string for the batches of one millisecond (a busy fleet has several). */
const now = (): string => {
  const ms = Date.now()
  if (ms !== isoAt) {
    isoAt = ms
    iso = new Date(ms).toISOString()
  }
  return iso
}

/** A login that failed half-way is tried again after this, never in a tight loop. */
const RETRY_LOGIN_AFTER = Duration.seconds(5)

/** Persisting after a batch waits out a NATS outage: the key must not move on unsaved. */
const untilSaved = Schedule.exponential("100 millis").pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
)

const toView = (contact: Contact.Contact): ContactView => ({
  userName: contact.userName,
  kind: contact.kind,
  nickName: contact.nickName,
  remarkName: contact.remarkName,
  displayName: contact.displayName,
  pinned: contact.pinned,
  muted: contact.muted,
  ...(contact.kind === "group"
    ? {
        members: contact.members.map((m) => ({
          userName: m.userName,
          nickName: m.nickName,
          displayName: m.displayName,
        })),
        isOwner: contact.isOwner,
      }
    : {}),
})

export { toView as contactView }

/**
 * One account's life as a supervised loop: log in (stored session, push, QR), then sync,
 * publishing every batch's events and moving the SyncKey on only once JetStream acknowledged
 * them; when the server ends the session, publish logged_out and log in again.
 */
export const runAccount = (handle: AccountHandle): Effect.Effect<void, never, SessionDeps> =>
  Effect.gen(function* () {
    const account = handle.entry.account
    const publisher = yield* EventPublisher
    const store = yield* SessionStore
    const saver = yield* StateSaver
    const metrics = yield* Metrics

    const setState = (
      next: SessionStateName,
      details: Omit<SessionEvent, "account" | "state" | "at"> = {},
    ): Effect.Effect<void, never, Nats | Metrics> =>
      Effect.gen(function* () {
        const previous = yield* Ref.get(handle.state)
        if (!canMove(previous, next)) {
          return yield* Effect.logError(`impossible session state change ${previous} → ${next}`)
        }
        yield* Ref.set(handle.state, next)
        if (previous !== next) yield* countTransition(previous, next)
        yield* publisher.publishAll([
          {
            account,
            kind: "session",
            payload: encodeSession({
              account: handle.entry.account,
              state: next,
              at: now(),
              ...details,
            }),
          },
        ])
      })

    const context = yield* Effect.context<Nats | Metrics>()
    const report: LoginReport = (state, details) =>
      Effect.provide(setState(state, details?.qr ? { qr: details.qr } : {}), context)

    /** What was saved last: a batch that changed only the SyncKey leaves the save to the StateSaver. */
    let saved: { readonly at: number; readonly jar: number; readonly keys: string } | undefined
    const keysOf = (d: SessionData) => `${d.sid}|${d.skey}|${d.passTicket}|${d.webpushHost ?? ""}`
    // One save at a time, so an older snapshot never lands after a newer one. (A FifoGate: an
    // Effect Semaphore per session is ~1.5 KB of closures that a fleet keeps for every account.)
    const saving = new FifoGate(1)

    /** Saves the session's state now; `still` false (the session has stopped) skips a late routine save. */
    const persist = (session: WxSession, reason: "changed" | "routine" | "stop", still: () => boolean = () => true) =>
      saving.withPermit(
        Effect.gen(function* () {
          if (!still()) return
          saver.forget(account)
          const state = yield* session.snapshot()
          const at = Date.now()
          yield* store.save(account, state, knownListed ? known.serialize() : undefined).pipe(Effect.retry(untilSaved), Effect.orDie)
          saved = { at, jar: session.jar.version, keys: keysOf(yield* session.data.get) }
          metrics.stateSaves.inc({ reason })
        }),
      )

    /**
     * After a batch: save at once when the keys or cookies changed (the stored ones would no
     * longer work); a SyncKey alone is saved by the StateSaver (within the interval while the
     * fleet's save rate allows), or at once when the interval is zero. `routineSave` is the
     * session's `persist(session, "routine", live)`, built once rather than per batch.
     */
    const persistAfterBatch = (session: WxSession, interval: Duration.Duration, routineSave: Effect.Effect<void>) =>
      Effect.suspend(() => {
        const save = saveAfterBatch(session, interval, routineSave)
        return save === undefined ? Effect.void : persist(session, save)
      })
    /** The save `persistAfterBatch` runs now, if any; a SyncKey alone is marked unsaved here. */
    const saveAfterBatch = (
      session: WxSession,
      interval: Duration.Duration,
      routineSave: Effect.Effect<void>,
    ): "changed" | "routine" | undefined => {
      const data = session.data.current()
      if (saved === undefined || saved.jar !== session.jar.version || saved.keys !== keysOf(data)) return "changed"
      if (Duration.toMillis(interval) === 0) return "routine"
      saver.markUnsaved(account, saved.at, routineSave)
      return undefined
    }

    // NATS being away is waited out (the stored session must not be mistaken for missing);
    // a record that does not open (another key, damage) means logging in afresh.
    // Built when called (here and below): an effect built once is kept by this function's
    // context for the session's whole life, and a fleet holds thousands of sessions.
    const loadStored = () => store.load(account).pipe(
      Effect.retry({ schedule: untilSaved, while: (error) => error._tag === "NatsError" }),
      Effect.catchAll((error) =>
        Effect.logWarning(
          `stored session of ${account} not usable; logging in afresh`,
          error.message,
        ).pipe(Effect.as(Option.none())),
      ),
    )

    /** Known contacts, to tell an added contact from a changed one. */
    const known = new KnownContacts()
    /** Whether `known` is this session's (listed or restored), and so worth storing with it. */
    let knownListed = false

    const batchEvents = (
      batch: WebwxSync.SyncBatch,
      self: { readonly userName: string; readonly nickName: string },
    ): Array<OutboundEvent> => {
      const at = now()
      const events: Array<OutboundEvent> = []
      for (const message of Messages.decodeBatch(batch.addMsgList, {
        selfUserName: self.userName,
        selfDisplayNames: [self.nickName],
      })) {
        if (message._tag === "StatusNotify") continue
        events.push({
          account,
          kind: "message",
          payload: encodeMessage({ account: handle.entry.account, at, message }),
          msgId: `${account}.msg.${message.id}`,
          createdAt: message.createTime,
        })
      }
      // What a `contacts` listing said before this batch may be out of date now.
      if (batch.modContactList.length > 0 || batch.delContactList.length > 0) handle.contacts.invalidate()
      for (const raw of batch.modContactList) {
        const decoded = Contact.decodeContact(raw, { self: { userName: self.userName, uin: 0 } })
        if (decoded._tag === "Left") continue
        const contact = decoded.right
        const change = known.has(contact.userName) ? "changed" : "added"
        known.add(contact.userName)
        events.push({
          account,
          kind: "contact",
          payload: encodeContact({
            account: handle.entry.account,
            at,
            change,
            userName: contact.userName,
            contact: toView(contact),
          }),
        })
      }
      for (const raw of batch.delContactList) {
        const userName = typeof raw["UserName"] === "string" ? raw["UserName"] : undefined
        if (userName === undefined) continue
        known.delete(userName)
        events.push({
          account,
          kind: "contact",
          payload: encodeContact({
            account: handle.entry.account,
            at,
            change: "removed",
            userName,
          }),
        })
      }
      return events
    }

    /** Logged in: heartbeat and sync until the server ends the session. */
    const online = (session: WxSession) =>
      Effect.gen(function* () {
        const config = yield* SupervisorConfig
        const self = Option.getOrThrow(yield* Ref.get(handle.self))
        const saveInterval = config.stateSaveInterval ?? DEFAULT_STATE_SAVE_INTERVAL
        // Stopping (shutdown, removal) saves the newest SyncKey, so a restart refetches nothing;
        // after it no routine save of this session may land (a removed account stays removed).
        let live = true
        const stopped = Effect.zipRight(Effect.sync(() => (live = false)), persist(session, "stop")).pipe(
          Effect.timeout("3 seconds"),
          Effect.ignore,
          // The session's long-poll connection goes with it.
          Effect.ensuring(Effect.promise(() => session.pollLane.close())),
        )
        // The status-notify heartbeat runs between sync rounds (at least one per synccheck hold):
        // a timer fiber per session would cost memory a fleet of thousands notices.
        const heartbeatMs = Duration.toMillis(config.heartbeatInterval)
        let heartbeatAt = Date.now() + heartbeatMs
        const routineSave = persist(session, "routine", () => live)
        const afterBatch = persistAfterBatch(session, saveInterval, routineSave)
        /** A save a batch handled by `plain` needs, made before the next round (as `afterBatch` would). */
        let saveDue: "changed" | "routine" | undefined
        const afterRound = Effect.suspend(() => {
          const save = saveDue === undefined ? Effect.void : persist(session, saveDue)
          saveDue = undefined
          if (Date.now() < heartbeatAt) return save
          heartbeatAt = Date.now() + heartbeatMs
          return Effect.zipRight(save, Session.statusNotify(session, 3).pipe(Effect.ignoreLogged))
        })
        const countIn = (events: ReadonlyArray<OutboundEvent>) => {
          const now = Date.now() / 1_000
          let messages = 0
          for (const event of events) {
            if (event.kind !== "message") continue
            messages++
            if (event.createdAt !== undefined) metrics.messageDelay.observe(Math.max(0, now - event.createdAt))
          }
          if (messages > 0) metrics.messagesIn.inc(messages)
        }
        // A steady round's batch as callbacks (the Batch case below, step for step): most of a
        // fleet's CPU goes to these rounds. Any failure hands the batch to the Effect path.
        const plain: SyncLoop.PlainChain = {
          due: () => saveDue !== undefined || Date.now() >= heartbeatAt,
          batch: (batch, commit, done) => {
            const events = batchEvents(batch, self)
            publisher.publishAllThen(events, (acknowledged) => {
              if (!acknowledged) return done(false)
              try {
                commit()
                saveDue = saveAfterBatch(session, saveInterval, routineSave)
                countIn(events)
              } catch {
                // Done again by the Effect path, where a defect ends the session as it should.
                return done(false)
              }
              done(true)
            })
          },
        }
        return yield* SyncLoop.runSyncLoop(
          session,
          (event) => {
            switch (event._tag) {
              case "Connected":
                return Effect.gen(function* () {
                  if ((yield* Ref.get(handle.state)) === "reconnecting")
                    yield* setState("logged_in", { host: event.host, self })
                  yield* persist(session, "changed")
                })
              case "Reconnecting":
                return Effect.gen(function* () {
                  metrics.synccheckFailures.inc({ host: event.error.host })
                  yield* setState("reconnecting", {
                    host: event.host,
                    attempt: event.attempt,
                    reason: replyError(event.error),
                  })
                })
              case "Batch": {
                // Steps rather than a generator: every message is a round of this at a fleet's rate.
                const events = batchEvents(event.batch, self)
                return Effect.zipRight(
                  publisher.publishAll(events),
                  Effect.zipRight(
                    event.commit,
                    Effect.zipRight(afterBatch, Effect.sync(() => countIn(events))),
                  ),
                )
              }
            }
          },
          { afterRound, plain, fetchGate: handle.syncGate, hostWatch: handle.hostWatch },
        ).pipe(
          // The loop only ends by failing: the error is what ended the session.
          Effect.flip,
          // (`ensuring`, not a Scope: a held session keeps every frame of its stack.)
          Effect.ensuring(stopped),
        )
      })

    /**
     * Logs in (stored session, push, QR), runs webwxinit on a fresh session and lists contacts;
     * the logged-in session, or none when it should be tried again shortly. A function of its
     * own, so the init answer and the contact list are garbage once it returns, not kept by the
     * loop below for as long as the session lives.
     */
    const connect = (): Effect.Effect<Option.Option<WxSession>, never, SessionDeps> => Effect.gen(function* () {
      const stored = yield* loadStored()
      if (Option.isSome(stored)) {
        // Checked and made ready in one of the fleet's login slots: a restart resumes the whole
        // fleet, and all of it at once timed out its own calls.
        const resumed = yield* resume(stored.value, handle.loginSlots.withPermit, (session) =>
          ready({ session, fresh: false }, stored.value.knownContacts),
        )
        if (Option.isSome(resumed)) return resumed.value
      }
      const loggedIn = yield* logInAfresh(stored, handle.entry.desktop ?? false, report).pipe(
        Effect.either,
      )
      if (loggedIn._tag === "Left") {
        yield* setState("failed", { reason: replyError(loggedIn.left) })
        return yield* Effect.never
      }
      return yield* handle.loginSlots.withPermit(ready(loggedIn.right))
    })

    /**
     * A logged-in session made ready: webwxinit when fresh, saved, contacts known, published. A
     * resumed session knows its contacts from its stored record when it has them (its UserNames
     * are the same); any other lists them.
     */
    const ready = (
      { session, fresh }: LoggedIn,
      storedContacts?: string,
    ): Effect.Effect<Option.Option<WxSession>, never, SessionDeps> => Effect.gen(function* () {
      knownListed = false
      if (fresh) {
        const init = yield* Session.init(session).pipe(Effect.either)
        if (init._tag === "Left") {
          yield* Effect.logWarning(
            `webwxinit failed for ${account}; logging in again shortly`,
            init.left.message,
          )
          return Option.none()
        }
        yield* Ref.set(handle.inviteStartCount, init.right.inviteStartCount)
        yield* Session.statusNotify(session, 3).pipe(Effect.ignoreLogged)
      }
      const data = yield* session.data.get
      if (data.self === undefined) return Option.none()
      yield* Ref.set(handle.self, Option.some(data.self))
      // A new login's cookies are saved first: a crash while listing contacts must not need a scan.
      if (fresh) yield* persist(session, "changed")
      if (!fresh && storedContacts !== undefined && known.restore(storedContacts)) knownListed = true
      else {
        const contacts = yield* Effect.option(Contacts.allContacts(session))
        known.reset(Option.isSome(contacts) ? contacts.value.map((contact) => contact.userName) : [])
        knownListed = Option.isSome(contacts)
      }
      yield* persist(session, "changed")
      yield* Ref.set(handle.session, Option.some(session))
      yield* setState("logged_in", {
        self: data.self,
        ...(data.webpushHost ? { host: data.webpushHost } : {}),
      })
      return Option.some(session)
    })

    yield* Effect.forever(
      Effect.gen(function* () {
        yield* setState("starting")
        const connected = yield* connect()
        if (Option.isNone(connected)) return yield* Effect.sleep(RETRY_LOGIN_AFTER)
        const ended = yield* online(connected.value)
        yield* Ref.set(handle.session, Option.none())
        yield* setState("logged_out", { reason: replyError(ended) })
      }),
    )
  })

/**
 * `runAccount` as the body of the account's own fiber: its logs carry the account. Set on the
 * fiber rather than with `annotateLogs`, whose frame (and the closures it keeps) a held session
 * would carry on its stack for its whole life.
 */
export const accountFiber = (handle: AccountHandle): Effect.Effect<never, never, SessionDeps> =>
  Effect.zipRight(
    FiberRef.update(FiberRef.currentLogAnnotations, HashMap.set<string, unknown>("account", handle.entry.account)),
    runAccount(handle).pipe(
      // A defect in one session restarts that session only.
      Effect.catchAllCause((cause) => Effect.logError("session crashed; restarting it", cause)),
      Effect.forever,
    ),
  )
