import type { SessionStateName } from "@wxfleet/contracts"
import {
  CookieJar,
  Login,
  LoginRefused,
  type ProtocolConfig,
  type SessionState,
  SessionExpired,
  type Transport,
  WebwxSync,
  WxSession,
} from "@wxfleet/protocol"
import { Duration, Effect, Option, Schedule, Stream } from "effect"

/** What a login step tells the outside (a state change with its details). */
export type LoginReport = (
  state: SessionStateName,
  details?: { readonly qr?: { readonly payload: string; readonly uuid: string } },
) => Effect.Effect<void>

export interface LoggedIn {
  readonly session: WxSession
  /** A new login (webwxinit needed), not a resumed stored session. */
  readonly fresh: boolean
}

/** How long the phone has to confirm a push login before we fall back to a QR code. */
export const PUSH_CONFIRM_TIMEOUT = Duration.minutes(2)

/** Network trouble while checking a stored session is waited out: the session may well be alive. */
const checkRetry = Schedule.exponential("500 millis").pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(30))),
)

/**
 * A stored session is alive if webwxsync answers with its stored key; `whenAlive` then makes it
 * ready. The batch is not committed, so anything it carries comes again through the sync loop.
 * Each attempt, with `whenAlive` after a good one, runs `inSlot` (one of the fleet's login slots);
 * the waits between attempts hold none, so sessions of a host that is down do not keep the
 * slots from every other account. None when the session ended (or does not restore).
 */
export const resume = <A, R>(
  state: SessionState.SessionState,
  inSlot: <B, E, R2>(effect: Effect.Effect<B, E, R2>) => Effect.Effect<B, E, R2>,
  whenAlive: (session: WxSession) => Effect.Effect<A, never, R>,
): Effect.Effect<Option.Option<A>, never, Transport | ProtocolConfig | R> =>
  Effect.gen(function* () {
    const session = yield* Effect.option(WxSession.restore(state))
    if (Option.isNone(session)) return Option.none()
    const attempt = inSlot(
      WebwxSync.webwxsync(session.value).pipe(
        Effect.matchEffect({
          onSuccess: () => Effect.map(whenAlive(session.value), Option.some),
          // Ended: none. Anything else (the network) fails the attempt, to be tried again.
          onFailure: (error) => (error instanceof SessionExpired ? Effect.succeedNone : Effect.fail(error)),
        }),
      ),
    )
    // The retry's waits run outside `inSlot`. It retries for ever; the fallback only types it.
    return yield* attempt.pipe(Effect.retry(checkRetry), Effect.orElseSucceed(() => Option.none<A>()))
  })

/** Push login with the stored cookies: the phone confirms, no QR. None when it cannot be done. */
const push = (
  state: SessionState.SessionState,
  report: LoginReport,
): Effect.Effect<Option.Option<WxSession>, never, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    const jar = CookieJar.restore(state.cookies)
    if (!jar) return Option.none()
    const options = { desktop: state.desktop, jar }
    const uuid = yield* Login.pushLogin(options, state.home, state.uin)
    yield* report("starting")
    const confirmed = yield* Stream.runLast(Login.awaitConfirmation(options, uuid)).pipe(
      Effect.timeoutFail({ duration: PUSH_CONFIRM_TIMEOUT, onTimeout: () => "timeout" as const }),
    )
    if (Option.isNone(confirmed) || confirmed.value._tag !== "Confirmed") return Option.none()
    return Option.some(yield* Login.completeLogin(options, confirmed.value.redirectUri))
  }).pipe(
    Effect.catchAll((error) =>
      error instanceof LoginRefused
        ? Effect.succeed(Option.none())
        : Effect.logInfo("push login did not go through; a QR code is next", error).pipe(
            Effect.as(Option.none()),
          ),
    ),
  )

/**
 * QR login: a code is shown (awaiting_scan, with its payload); an expired or cancelled code is
 * renewed and published again until someone scans and confirms. LoginRefused (e.g. 1203) ends it.
 */
const byQrCode = (
  desktop: boolean,
  report: LoginReport,
): Effect.Effect<WxSession, LoginRefused, Transport | ProtocolConfig> => {
  const attempt = Effect.gen(function* () {
    const options = { desktop, jar: CookieJar.empty() }
    const uuid = yield* Login.requestUuid(options)
    yield* report("awaiting_scan", { qr: { payload: Login.qrPayload(uuid), uuid } })
    const confirmed = yield* Login.awaitConfirmation(options, uuid).pipe(
      Stream.tap((progress) => (progress._tag === "Scanned" ? report("scanned") : Effect.void)),
      Stream.runLast,
    )
    if (Option.isNone(confirmed) || confirmed.value._tag !== "Confirmed") {
      return yield* Effect.fail("not confirmed" as const)
    }
    return yield* Login.completeLogin(options, confirmed.value.redirectUri)
  })
  return attempt.pipe(
    Effect.retry({
      while: (error) => !(error instanceof LoginRefused),
      schedule: Schedule.spaced("1 second"),
    }),
    Effect.catchAll((error) =>
      error instanceof LoginRefused ? Effect.fail(error) : Effect.die(error),
    ),
  )
}

/**
 * The login order of ARCHITECTURE.md after the stored session (`resume`) did not answer: push
 * login with its uin, then a QR code.
 */
export const logInAfresh = (
  stored: Option.Option<SessionState.SessionState>,
  desktop: boolean,
  report: LoginReport,
): Effect.Effect<LoggedIn, LoginRefused, Transport | ProtocolConfig> =>
  Effect.gen(function* () {
    if (Option.isSome(stored)) {
      const pushed = yield* push(stored.value, report)
      if (Option.isSome(pushed)) return { session: pushed.value, fresh: true }
    }
    return { session: yield* byQrCode(desktop, report), fresh: true }
  })
