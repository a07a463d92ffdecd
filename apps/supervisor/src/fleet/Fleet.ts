import type { FleetAccount, SessionStateName } from "@wxfleet/contracts"
import { FifoGate, type NatsError } from "@wxfleet/nats"
import { HostWatch, type WxSession } from "@wxfleet/protocol"
import { Effect, FiberMap, Option, Ref } from "effect"
import {
  DEFAULT_COMMAND_CONCURRENCY,
  DEFAULT_CONTACTS_TTL,
  DEFAULT_LOGIN_CONCURRENCY,
  DEFAULT_SEND_BACKLOG,
  DEFAULT_SYNC_CONCURRENCY,
  SupervisorConfig,
} from "../config/SupervisorConfig.js"
import { makeContactsListing } from "../commands/ContactsListing.js"
import { countTransition, Metrics } from "../metrics/Metrics.js"
import { applyHeapPolicy, heapPolicy } from "../heap.js"
import { makePacer } from "../pacing/Pacer.js"
import { accountFiber, type AccountHandle, type SessionDeps } from "../session/AccountSession.js"
import { AccountRegistry, type AccountEntry } from "../state/AccountRegistry.js"
import { SessionStore } from "../state/SessionStore.js"


/**
 * The accounts this supervisor runs: one supervised fiber per account in a FiberMap (a session
 * that dies never takes another down; removing an account interrupts its fiber), and their
 * handles for commands and listing. The account list itself lives in KV.
 */
export class Fleet extends Effect.Service<Fleet>()("@wxfleet/supervisor/Fleet", {
  scoped: Effect.gen(function* () {
    const config = yield* SupervisorConfig
    const registry = yield* AccountRegistry
    const store = yield* SessionStore
    const fibers = yield* FiberMap.make<string>()
    // Sessions are forked with this runtime's context, not under `Effect.provide`: a provide is a
    // frame each held session would keep on its stack.
    const runSession = yield* FiberMap.runtime(fibers)<SessionDeps>()
    const handles = new Map<string, AccountHandle>()
    const context = yield* Effect.context<SessionDeps>()
    const heap = heapPolicy(config.heapGrowingPercent ?? "auto")
    const syncGate = new FifoGate(config.syncConcurrency ?? DEFAULT_SYNC_CONCURRENCY)
    const commandSlots = new FifoGate(config.commandConcurrency ?? DEFAULT_COMMAND_CONCURRENCY)
    const loginSlots = new FifoGate(config.loginConcurrency ?? DEFAULT_LOGIN_CONCURRENCY)
    const metrics = yield* Metrics
    metrics.countWaitingSends(() => {
      let waiting = 0
      for (const handle of handles.values()) waiting += handle.pacer.waiting()
      return waiting
    })
    metrics.countWaitingAtGates({ sync: () => syncGate.waiting, login: () => loginSlots.waiting, command: () => commandSlots.waiting })
    // After a webpush outage, the first session answered wakes the others (spread over ≤ 5 s).
    const hostWatch = HostWatch.makeHostWatch()

    const start = (entry: AccountEntry): Effect.Effect<void> =>
      Effect.gen(function* () {
        const handle: AccountHandle = {
          entry,
          state: yield* Ref.make<SessionStateName>("starting"),
          session: yield* Ref.make(Option.none<WxSession>()),
          self: yield* Ref.make(Option.none<{ readonly userName: string; readonly nickName: string }>()),
          inviteStartCount: yield* Ref.make(40),
          pacer: yield* makePacer({
            interval: config.sendInterval,
            jitter: config.sendJitter,
            backoff: config.rateLimitBackoff,
            backlog: config.sendBacklog ?? DEFAULT_SEND_BACKLOG,
          }),
          commandSlots,
          syncGate,
          loginSlots,
          hostWatch,
          contacts: makeContactsListing(config.contactsTtl ?? DEFAULT_CONTACTS_TTL, (answer) => metrics.contactsListings.inc({ answer })),
        }
        yield* stop(entry.account)
        handles.set(entry.account, handle)
        applyHeapPolicy(heap, handles.size)
        yield* Effect.provide(countTransition(undefined, "starting"), context)
        runSession(entry.account, accountFiber(handle))
      })

    const stop = (account: string): Effect.Effect<void> =>
      Effect.gen(function* () {
        const handle = handles.get(account)
        if (!handle) return
        handles.delete(account)
        // Its queued sends would go out with a session that is being stopped: refuse them.
        handle.pacer.close("stopped")
        yield* FiberMap.remove(fibers, account)
        yield* Effect.provide(countTransition(yield* Ref.get(handle.state), undefined), context)
      })

    /** Adds (or restarts with new options) an account and remembers it in KV. */
    const add = (entry: AccountEntry): Effect.Effect<void, NatsError> =>
      Effect.zipRight(registry.put(entry), start(entry))

    /** Stops an account and forgets it and its stored session. */
    const remove = (account: string): Effect.Effect<boolean, NatsError> =>
      Effect.gen(function* () {
        const known = handles.has(account)
        yield* stop(account)
        yield* registry.remove(account)
        yield* store.remove(account)
        return known
      })

    const list: Effect.Effect<ReadonlyArray<FleetAccount>> = Effect.suspend(() =>
      Effect.forEach([...handles.values()], (handle) =>
      Effect.gen(function* () {
        const self = yield* Ref.get(handle.self)
        return {
          account: handle.entry.account,
          state: yield* Ref.get(handle.state),
          desktop: handle.entry.desktop ?? false,
          ...(Option.isSome(self) ? { self: self.value } : {}),
        }
      }),
      ),
    )

    const get = (account: string): Option.Option<AccountHandle> => Option.fromNullable(handles.get(account))

    /** Starts every account of the KV list and of `extra` (e.g. the config file). */
    const startAll = (extra: ReadonlyArray<AccountEntry>): Effect.Effect<void, NatsError> =>
      Effect.gen(function* () {
        for (const entry of extra) yield* registry.put(entry)
        const entries = yield* registry.list
        yield* Effect.forEach(entries, start, { discard: true })
      })

    /** Stopping: sends that have not begun are refused at once (`Pacer.close`), every account's. */
    const refuseWaitingSends = Effect.sync(() => {
      for (const handle of handles.values()) handle.pacer.close("shutdown")
    })

    return { add, remove, list, get, startAll, refuseWaitingSends } as const
  }),
}) {}
