import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import { Nats } from "@wxfleet/nats"
import { Cause, Deferred, Effect, Exit, FiberSet, Logger, LogLevel, Stream } from "effect"
import { FleetClient, type FleetEvent } from "../fleet/FleetClient.js"
import { renderChat, viewportOf } from "./ChatApp.js"
import { describeError, loadContacts, perform } from "./intents.js"
import { initialState, type Action, type NatsState } from "./model.js"
import { makeStore, type ChatStore } from "./store.js"

type Needs = FleetClient | Nats | FileSystem.FileSystem | Path.Path

/** Where the fleet's live events go in the chat. */
const toActions = (event: FleetEvent): ReadonlyArray<Action> => {
  switch (event.kind) {
    case "message":
      return [{ _tag: "MessageReceived", message: event.event.message }]
    case "contact":
      return [{ _tag: "ContactChanged", event: event.event }]
    case "session":
      return [{ _tag: "SessionChanged", state: event.event.state, self: event.event.self }]
    case "moderation":
      return []
    case "undecodable":
      return [{ _tag: "Failed", error: `an event this client cannot read: ${event.reason}` }]
  }
}

/** Hands every live event of the account to `onEvent` until interrupted. */
const followEvents = (account: string, onEvent: (event: FleetEvent) => void) =>
  Effect.gen(function* () {
    const fleet = yield* FleetClient
    const events = yield* fleet.subscribe({ account })
    return yield* Stream.runForEach(events, (event) => Effect.sync(() => onEvent(event)))
  }).pipe(Effect.scoped)

const natsStates: Partial<Record<string, NatsState>> = {
  disconnect: "disconnected",
  reconnecting: "reconnecting",
  reconnect: "connected",
}

/** Follows the NATS connection's state until interrupted (the same care as above with its iterator). */
const watchConnection = (store: ChatStore) =>
  Effect.flatMap(Nats, ({ connection }) =>
    Effect.async<never>(() => {
      let watching = true
      void (async () => {
        for await (const status of connection.status()) {
          if (!watching) return
          const nats = natsStates[status.type]
          if (nats !== undefined) store.dispatch({ _tag: "NatsChanged", nats })
        }
      })()
      return Effect.sync(() => {
        watching = false
      })
    }),
  )

/** The account's state in the fleet when the client starts, or why it is unknown. */
const initialSession = (account: string) =>
  Effect.flatMap(FleetClient, (fleet) => fleet.list()).pipe(
    Effect.map((accounts): Action => {
      const found = accounts.find((a) => a.account === account)
      return found === undefined
        ? { _tag: "Failed", error: `the fleet has no account ${account}` }
        : { _tag: "SessionChanged", state: found.state, self: found.self }
    }),
    Effect.catchAll((error) =>
      Effect.succeed<Action>({ _tag: "Failed", error: describeError(error) }),
    ),
  )

/**
 * The terminal chat client of one account until the user quits: draws the store, feeds it the
 * account's live events and the connection's state, and carries out what the keys ask.
 */
export const runChat = (account: string) =>
  Effect.gen(function* () {
    const quit = yield* Deferred.make<void>()
    const run = yield* FiberSet.makeRuntime<Needs>()
    /** Runs `effect` in the background, its outcome to the store; even a defect only reaches the status line. */
    const background = <E>(effect: Effect.Effect<Action | ReadonlyArray<Action>, E, Needs>) =>
      run(
        effect.pipe(
          Effect.catchAllCause((cause) =>
            Effect.succeed<Action>({
              _tag: "Failed",
              error: Cause.pretty(cause).split("\n")[0] ?? "failed",
            }),
          ),
          Effect.tap((outcome) =>
            Effect.sync(() =>
              (Array.isArray(outcome) ? outcome : [outcome]).forEach(store.dispatch),
            ),
          ),
        ),
      )
    const store: ChatStore = makeStore(
      initialState(account, viewportOf(process.stdout)),
      (intent) =>
        intent._tag === "Quit"
          ? Deferred.unsafeDone(quit, Exit.void)
          : background(perform(account, intent)),
    )

    background(
      Effect.as(
        followEvents(account, (event) => {
          const before = store.getState().session
          toActions(event).forEach(store.dispatch)
          // A new login renames every contact (UserNames are per session): read them again.
          if (
            event.kind === "session" &&
            event.event.state === "logged_in" &&
            before !== "logged_in"
          )
            background(loadContacts(account))
        }),
        [],
      ),
    )
    background(Effect.as(watchConnection(store), []))
    background(Effect.all([initialSession(account), loadContacts(account)], { concurrency: 2 }))

    const ui = yield* Effect.acquireRelease(
      Effect.sync(() => renderChat(store)),
      (ui) => Effect.sync(ui.close),
    )
    yield* Effect.raceFirst(
      Deferred.await(quit),
      Effect.promise(() => ui.instance.waitUntilExit()),
    )
  }).pipe(
    Effect.scoped,
    // Logs would draw over the screen: the status line says what went wrong.
    Logger.withMinimumLogLevel(LogLevel.None),
  )
