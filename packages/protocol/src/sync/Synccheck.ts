import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Clock, Context, Effect, Either } from "effect"
import { retError, type SessionCallError } from "../Errors.js"
import { CGI } from "../http/call.js"
import { decodedWith, Transport, type CallOptions, type TextResponse } from "../http/Transport.js"
import { deviceId } from "../Ids.js"
import { ProtocolConfig, type ProtocolConfigShape } from "../ProtocolConfig.js"
import type { SyncKey } from "../session/SessionState.js"
import type { SessionData, WxSession } from "../session/WxSession.js"
import { parseSynccheck, type SynccheckAnswer } from "../wire/javascript.js"
import { traced } from "../Tracing.js"

/** `1_636444437|2_636444441|…`: the form synccheck takes a key in. */
const keyParam = (key: SyncKey): string => key.List.map(({ Key, Val }) => `${Key}_${Val}`).join("|")

/** What application/x-www-form-urlencoded leaves as it is. */
const FORM_SAFE = /^[\w*.-]*$/

/**
 * `value` as `URLSearchParams` writes it, without building one: a poll per round, and the
 * object and its encoder were ~1 % of a busy supervisor's CPU. (encodeURIComponent keeps
 * `!'()~`, which the form encoding escapes, and writes a space as `%20`, not `+`.)
 */
export const formValue = (value: string): string => {
  if (FORM_SAFE.test(value)) return value
  try {
    return encodeURIComponent(value)
      .replace(/%20/g, "+")
      .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  } catch {
    // A lone surrogate, which the form encoding writes as U+FFFD.
    return new URLSearchParams({ v: value }).toString().slice(2)
  }
}

/**
 * Sessions' skey and sid as the form writes them: the same two values go into every poll of a
 * session's login, and encoding them was ~1 % of a busy supervisor's CPU. Emptied when full
 * (logins come and go); ~120 bytes an entry.
 */
const encodedCredentials = new Map<string, string>()
const CREDENTIALS_KEPT = 65_536

const credentialValue = (value: string): string => {
  let encoded = encodedCredentials.get(value)
  if (encoded === undefined) {
    encoded = formValue(value)
    if (encodedCredentials.size >= CREDENTIALS_KEPT) encodedCredentials.clear()
    encodedCredentials.set(value, encoded)
  }
  return encoded
}

/** The synccheck URL of a session's poll on `host` at time `now`. */
export const synccheckUrl = (data: SessionData, host: string, now: number): string =>
  `https://${host}${CGI}/synccheck?r=${now}&skey=${credentialValue(data.skey)}&sid=${credentialValue(data.sid)}` +
  `&uin=${formValue(data.uin)}&deviceid=${deviceId()}&synckey=${formValue(keyParam(data.syncCheckKey ?? data.syncKey))}&_=${now}`

/** The options of a session's synccheck call. */
export const synccheckOptions = (session: WxSession, config: ProtocolConfigShape): CallOptions => ({
  endpoint: "synccheck",
  jar: session.jar,
  timeout: config.synccheckTimeout,
  desktop: session.desktop,
  lane: session.pollLane,
})

/** A synccheck answer read: unreadable is MalformedResponse, a non-zero retcode its typed error. */
export const judgeSynccheck = (response: TextResponse, host: string): Either.Either<SynccheckAnswer, SessionCallError> =>
  Either.flatMap(decodedWith(response, "synccheck", parseSynccheck), (answer) =>
    answer.retcode === 0 ? Either.right(answer) : Either.left(retError(answer.retcode, { endpoint: "synccheck", host })),
  )

/**
 * synccheck, the long poll on a webpush host: answers at once when something is pending
 * (selector ≠ 0), else after the server's hold (selector 0). It polls with the SyncCheckKey when
 * the session has one, since the official client does and the SyncKey can make the server report
 * the same changes forever. A non-zero retcode becomes its typed error.
 */
export const synccheck = (
  session: WxSession,
  host: string,
): Effect.Effect<SynccheckAnswer, SessionCallError, Transport | ProtocolConfig> =>
  // Plain calls rather than a generator: this effect's frames stay alive through the long poll,
  // 10,000 of them in a fleet, and a generator frame is ~1 KB more per poll.
  Effect.contextWithEffect((context: Context.Context<Transport | ProtocolConfig>) =>
    Effect.flatMap(Effect.zip(session.data.get, Clock.currentTimeMillis), ([data, now]) => {
      const response = Context.get(context, Transport).text(
        HttpClientRequest.get(synccheckUrl(data, host, now)),
        synccheckOptions(session, Context.get(context, ProtocolConfig)),
      )
      return Effect.flatMap(response, (answered) => judgeSynccheck(answered, host))
    }),
  ).pipe(traced("synccheck", { attributes: { host }, captureStackTrace: false }))
