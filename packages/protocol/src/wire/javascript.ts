import { Either } from "effect"

/**
 * Login and synccheck answer with JavaScript assignments (`window.code=201;`,
 * `window.QRLogin.uuid = "…";`, `window.synccheck={retcode:"0",selector:"2"}`). They are read
 * with patterns, never evaluated.
 */
const assignment = (text: string, name: string): string | undefined => {
  const escaped = name.replace(/\./g, "\\.")
  const match = new RegExp(`${escaped}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^;\\s]+))\\s*;?`).exec(text)
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined
}

export interface JsLoginAnswer {
  readonly code: number
  readonly uuid: string | undefined
}

export const parseJsLogin = (text: string): Either.Either<JsLoginAnswer, string> => {
  const code = Number(assignment(text, "window.QRLogin.code"))
  return Number.isInteger(code)
    ? Either.right({ code, uuid: assignment(text, "window.QRLogin.uuid") })
    : Either.left("no window.QRLogin.code")
}

export interface LoginPollAnswer {
  readonly code: number
  readonly redirectUri: string | undefined
  readonly userAvatar: string | undefined
}

export const parseLoginPoll = (text: string): Either.Either<LoginPollAnswer, string> => {
  const code = Number(assignment(text, "window.code"))
  return Number.isInteger(code)
    ? Either.right({
        code,
        redirectUri: assignment(text, "window.redirect_uri"),
        userAvatar: assignment(text, "window.userAvatar"),
      })
    : Either.left("no window.code")
}

export interface SynccheckAnswer {
  readonly retcode: number
  readonly selector: number
}

const SYNCCHECK = /window\.synccheck\s*=\s*\{\s*retcode\s*:\s*"(\d+)"\s*,\s*selector\s*:\s*"(\d+)"\s*\}/

export const parseSynccheck = (text: string): Either.Either<SynccheckAnswer, string> => {
  const match = SYNCCHECK.exec(text)
  return match ? Either.right({ retcode: Number(match[1]), selector: Number(match[2]) }) : Either.left("no window.synccheck")
}
