import type { Simulator } from "@wxfleet/simulator"
import { Chunk, Effect, Stream } from "effect"
import { CookieJar } from "../../src/http/CookieJar.js"
import { awaitConfirmation, completeLogin, requestUuid } from "../../src/login/Login.js"
import { init } from "../../src/session/Session.js"

/** A QR login played from both ends (the simulator's phone scans and confirms) and webwxinit. */
export const loginAs = (sim: Simulator, account: string, options: { desktop?: boolean } = {}) =>
  Effect.gen(function* () {
    const login = { desktop: options.desktop ?? false, jar: CookieJar.empty() }
    const uuid = yield* requestUuid(login)
    sim.world.scan(uuid, account)
    sim.world.confirm(uuid)
    const progress = Chunk.toArray(yield* Stream.runCollect(awaitConfirmation(login, uuid)))
    const confirmed = progress.at(-1)
    if (confirmed?._tag !== "Confirmed") return yield* Effect.die(new Error("login was not confirmed"))
    const session = yield* completeLogin(login, confirmed.redirectUri)
    const initResult = yield* init(session)
    return { session, init: initResult }
  })
