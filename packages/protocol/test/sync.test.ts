import { assert, describe, expect, it } from "@effect/vitest"
import { type Account, Simulator } from "@wxfleet/simulator"
import { Cause, Chunk, Clock, Deferred, Duration, Effect, Exit, Fiber, Option, Queue, Ref, type Scope, Stream } from "effect"
import { afterAll } from "vitest"
import { RetryPolicies, type RetryPolicy } from "../src/Schedules.js"
import type { WxSession } from "../src/session/WxSession.js"
import { synccheck } from "../src/sync/Synccheck.js"
import { makeHostWatch } from "../src/sync/HostWatch.js"
import { type FetchGate, type PlainChain, runSyncLoop, SyncEvent, syncLoop, type SyncLoopOptions } from "../src/sync/SyncLoop.js"
import type { SyncBatch } from "../src/sync/WebwxSync.js"
import { jsonBody, protocolLayer, recordingLayer } from "./support/layer.js"
import { loginAs } from "./support/session.js"

const sim = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 300, syncBatchSize: 3 })
afterAll(() => sim.close())
sim.world.addPerson({ wxid: "wxid_friend", nickName: "Friend" })
const layer = protocolLayer(sim, { synccheckTimeout: Duration.seconds(5) })
const fast: RetryPolicy = { base: "20 millis", max: "200 millis", times: 50 }
const recording = recordingLayer(sim)
// A server that holds polls 20 s, as the real one holds them ~25 s.
const slow = await Simulator.start({ loginPollHoldMs: 200, syncHoldMs: 20_000 })
afterAll(() => slow.close())
slow.world.addPerson({ wxid: "wxid_friend", nickName: "Friend" })
const slowLayer = protocolLayer(slow, { synccheckTimeout: Duration.seconds(30) })

// wx2.qq.com accounts poll these, in this order (the official client's choice first).
const WEBPUSH = "webpush.wx2.qq.com"
const WEBPUSH2 = "webpush2.wx2.qq.com"
const WEBPUSH1 = "webpush1.wx2.qq.com"

/** A fleet account of its own for each test (its log and hosts apply to it alone), logged in. */
const newAccount = (wxid: string, setup: (account: Account) => void = () => {}) => {
  setup(sim.world.addAccount({ wxid, nickName: wxid, home: "wx2.qq.com" }))
  sim.world.befriend(wxid, "wxid_friend")
  return Effect.map(loginAs(sim, wxid), ({ session }) => session)
}

const say = (to: string, texts: ReadonlyArray<string>) =>
  Effect.sync(() => {
    for (const text of texts) sim.world.say("wxid_friend", to, { MsgType: 1, Content: text })
  })

const batchesOf = (events: ReadonlyArray<SyncEvent>) =>
  events.filter(SyncEvent.$is("Batch")).map((e) => e.batch)

/** The texts the batches carried, in the order they came. */
const textsOf = (events: ReadonlyArray<SyncEvent>): ReadonlyArray<unknown> =>
  batchesOf(events)
    .flatMap((batch) => batch.addMsgList)
    .filter((message) => message["MsgType"] === 1)
    .map((message) => message["Content"])

/** A fetch gate that holds every fetch while closed, counting those that reached it. */
class ClosedGate implements FetchGate {
  reached = 0
  private isOpen = false
  private waiting: Array<() => void> = []
  private onReach: Array<() => void> = []

  readonly request = (granted: () => void) => {
    this.reached++
    for (const wake of this.onReach.splice(0)) wake()
    if (this.isOpen) granted()
    else this.waiting.push(granted)
    return () => {}
  }

  readonly withPermit = <A, E, R>(fetch: Effect.Effect<A, E, R>) =>
    Effect.zipRight(
      Effect.async<void>((resume) => {
        this.request(() => resume(Effect.void))
      }),
      fetch,
    )

  /** Waits until `count` fetches in all reached the gate. */
  untilReached(count: number): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const check = () => (this.reached >= count ? resume(Effect.void) : this.onReach.push(check))
      check()
    })
  }

  open(): void {
    this.isOpen = true
    for (const granted of this.waiting.splice(0)) granted()
  }

  close(): void {
    this.isOpen = false
  }
}

/** Runs the loop, committing each batch as it comes, until `enough` holds for the events so far. */
const runUntil = (session: WxSession, enough: (seen: ReadonlyArray<SyncEvent>) => boolean) =>
  syncLoop(session, { reconnect: fast }).pipe(
    Stream.tap((event) => (event._tag === "Batch" ? event.commit : Effect.void)),
    Stream.runFoldWhile(
      [] as ReadonlyArray<SyncEvent>,
      (seen) => !enough(seen),
      (seen, event) => [...seen, event],
    ),
  )

/** Listens for the account's next held synccheck; the effect it returns waits for its host. */
const nextPollHeld = (wxid: string): Effect.Effect<Effect.Effect<string>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const held = yield* Deferred.make<string>()
    const listener = (account: string, host: string) => {
      if (account === wxid) Deferred.unsafeDone(held, Exit.succeed(host))
    }
    yield* Effect.acquireRelease(
      Effect.sync(() => sim.world.events.on("pollHeld", listener)),
      () => Effect.sync(() => sim.world.events.off("pollHeld", listener)),
    )
    return Deferred.await(held)
  })

/** Takes the hosts down until the test's scope ends (or the test brings them up itself). */
const hostsDown = (hosts: ReadonlyArray<string>, server: Simulator = sim) =>
  Effect.acquireRelease(
    Effect.sync(() => hosts.forEach((host) => server.faults.hostDown(host))),
    () => Effect.sync(() => hosts.forEach((host) => server.faults.hostUp(host))),
  )

/** Runs the loop for the rest of the test's scope, committing each batch and queueing its events in `out`. */
const runInBackground = (session: WxSession, options: SyncLoopOptions, out?: Queue.Queue<SyncEvent>) =>
  Effect.forkScoped(
    Stream.runForEach(syncLoop(session, options), (event) =>
      Effect.zipRight(
        event._tag === "Batch" ? event.commit : Effect.void,
        out === undefined ? Effect.void : Queue.offer(out, event),
      ),
    ),
  )

/** The next event of this kind in `events`, the others skipped. */
const nextIn = (events: Queue.Queue<SyncEvent>, tag: SyncEvent["_tag"]) =>
  Effect.iterate(undefined as SyncEvent | undefined, {
    while: (event) => event?._tag !== tag,
    body: () => Queue.take(events),
  })

describe("SyncLoop", () => {
  it.scopedLive(
    "delivers messages in order, each fetch starting from the key committed before it",
    () =>
      Effect.gen(function* () {
        const session = yield* newAccount("wxid_order")
        const held = yield* nextPollHeld("wxid_order")
        yield* say("wxid_order", ["m1", "m2"])
        const loop = yield* Effect.fork(runUntil(session, (seen) => textsOf(seen).length >= 7))
        expect(yield* held).toBe(WEBPUSH)
        yield* say("wxid_order", ["m3", "m4", "m5", "m6", "m7"])
        const events = yield* Fiber.join(loop)
        expect(textsOf(events)).toEqual(["m1", "m2", "m3", "m4", "m5", "m6", "m7"])
        expect(events[0]).toEqual(SyncEvent.Connected({ host: WEBPUSH }))
        expect(events.some(SyncEvent.$is("Reconnecting"))).toBe(false)
        expect((yield* session.data.get).webpushHost).toBe(WEBPUSH)
      }).pipe(Effect.provide(layer)),
  )

  it.live("drains a backlog through ContinueFlag before polling again", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_backlog")
      const texts = Array.from({ length: 10 }, (_, i) => `b${i + 1}`)
      yield* say("wxid_backlog", texts)
      const events = yield* runUntil(session, (seen) => textsOf(seen).length >= 10)
      const batches = batchesOf(events)
      expect(batches.map((batch) => batch.continueFlag)).toEqual([1, 1, 1, 0])
      expect(batches.map((batch) => batch.addMsgList.length)).toEqual([3, 3, 3, 1])
      expect(textsOf(events)).toEqual(texts)
      // The committed key is past everything: synccheck holds and reports nothing pending.
      expect((yield* synccheck(session, WEBPUSH)).selector).toBe(0)
    }).pipe(Effect.provide(layer)),
  )

  it.scopedLive(
    "moves to another webpush host when its host goes down mid long poll, losing nothing",
    () =>
      Effect.gen(function* () {
        const session = yield* newAccount("wxid_hostdown")
        const held = yield* nextPollHeld("wxid_hostdown")
        const loop = yield* Effect.fork(runUntil(session, (seen) => textsOf(seen).length >= 3))
        const downHost = yield* held
        yield* Effect.acquireRelease(
          Effect.sync(() => sim.faults.hostDown(downHost)),
          () => Effect.sync(() => sim.faults.hostUp(downHost)),
        )
        yield* say("wxid_hostdown", ["d1", "d2", "d3"])
        const events = yield* Fiber.join(loop)
        expect(textsOf(events)).toEqual(["d1", "d2", "d3"])
        const reconnecting = events.filter(SyncEvent.$is("Reconnecting"))
        expect(reconnecting.map((e) => [e.host, e.attempt, e.error._tag, e.error.host])).toEqual([
          [WEBPUSH2, 1, "TransportError", downHost],
        ])
        expect(events.filter(SyncEvent.$is("Connected")).map((e) => e.host)).toEqual([WEBPUSH2])
        expect((yield* session.data.get).webpushHost).toBe(WEBPUSH2)
      }).pipe(Effect.provide(layer)),
  )

  it.live(
    "rotates away from webpush hosts that answer 1100 because they do not serve the account",
    () =>
      Effect.gen(function* () {
        const session = yield* newAccount("wxid_wronghost", (account) => {
          account.servingWebpushHosts = new Set([WEBPUSH1])
        })
        yield* say("wxid_wronghost", ["w1"])
        const events = yield* runUntil(session, (seen) => seen.some(SyncEvent.$is("Connected")))
        const reconnecting = events.filter(SyncEvent.$is("Reconnecting"))
        expect(reconnecting.map((e) => [e.host, e.error._tag, e.error.host])).toEqual([
          [WEBPUSH2, "SessionExpired", WEBPUSH],
          [WEBPUSH1, "SessionExpired", WEBPUSH2],
        ])
        expect(events.at(-1)).toEqual(SyncEvent.Connected({ host: WEBPUSH1 }))
        // The webwxsync that showed the session alive delivered its batch; nothing came twice.
        expect(textsOf(events)).toEqual(["w1"])
        expect((yield* session.data.get).webpushHost).toBe(WEBPUSH1)
      }).pipe(Effect.provide(layer)),
  )

  it.scopedLive("ends with SessionExpired when the account is logged out", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_logout")
      const held = yield* nextPollHeld("wxid_logout")
      const loop = yield* Effect.fork(
        Effect.flip(Stream.runDrain(syncLoop(session, { reconnect: fast }))),
      )
      yield* held
      sim.world.logout("wxid_logout", 1101)
      const error = yield* Fiber.join(loop)
      assert(error._tag === "SessionExpired", `ended with ${error._tag}`)
      expect(error.code).toBe(1101)
      // Confirmed by the home host, not taken from the webpush host's word.
      expect([error.endpoint, error.host]).toEqual(["webwxsync", "wx2.qq.com"])
    }).pipe(Effect.provide(layer)),
  )

  it.live("runs each webwxsync through the fetch gate, which may hold it back, on the first round and the steady ones", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_gated")
      const gate = new ClosedGate()
      const batches = yield* Queue.unbounded<SyncBatch>()
      const loop = yield* syncLoop(session, { reconnect: fast, fetchGate: gate }).pipe(
        Stream.runForEach((event) => (event._tag === "Batch" ? Effect.zipRight(event.commit, Queue.offer(batches, event.batch)) : Effect.void)),
        Effect.fork,
      )
      // The first round (not yet connected) and a later one (connected, the steady round) alike.
      for (const text of ["g1", "g2"]) {
        const reached = gate.reached
        yield* say("wxid_gated", [text])
        yield* gate.untilReached(reached + 1)
        expect(yield* Queue.size(batches)).toBe(0)
        gate.open()
        const batch = yield* Queue.take(batches)
        expect(batch.addMsgList.map((m) => m["Content"])).toEqual([text])
        gate.close()
      }
      yield* Fiber.interrupt(loop)
    }).pipe(Effect.provide(layer)),
  )

  it.scopedLive("closes its held poll at once when interrupted in a steady round", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_stopped")
      const batches = yield* Queue.unbounded<SyncBatch>()
      // The first round connects; after the batch the loop is steady and holds its next poll.
      yield* say("wxid_stopped", ["s1"])
      const loop = yield* syncLoop(session, { reconnect: fast }).pipe(
        Stream.runForEach((event) => (event._tag === "Batch" ? Effect.zipRight(event.commit, Queue.offer(batches, event.batch)) : Effect.void)),
        Effect.fork,
      )
      const steadyPoll = yield* nextPollHeld("wxid_stopped")
      expect((yield* Queue.take(batches)).addMsgList.map((m) => m["Content"])).toEqual(["s1"])
      yield* steadyPoll
      const abandoned = yield* Deferred.make<void>()
      const listener = (account: string) => {
        if (account === "wxid_stopped") Deferred.unsafeDone(abandoned, Exit.void)
      }
      yield* Effect.acquireRelease(
        Effect.sync(() => sim.world.events.on("pollAbandoned", listener)),
        () => Effect.sync(() => sim.world.events.off("pollAbandoned", listener)),
      )
      yield* Fiber.interrupt(loop)
      // The server sees the client leave. Left open, the poll would end with an answer when its
      // 300 ms hold is over, never as abandoned.
      yield* Deferred.await(abandoned).pipe(Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("the held poll stayed open") }))
    }).pipe(Effect.provide(layer)),
  )

  it.live("ends with a defect, not a crash, when its own code throws inside a steady round's callback", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_thrower")
      const watch = makeHostWatch()
      let answers = 0
      // The first answer comes on the Effect path; the second, in a steady round's callback, throws.
      const hostWatch = {
        ...watch,
        answered: (host: string) => {
          if (++answers >= 2) throw new Error("a broken host watch")
          watch.answered(host)
        },
      }
      yield* say("wxid_thrower", ["t1"])
      const exit = yield* syncLoop(session, { reconnect: fast, hostWatch }).pipe(
        Stream.runForEach((event) => (event._tag === "Batch" ? event.commit : Effect.void)),
        Effect.exit,
      )
      assert(Exit.isFailure(exit))
      const defect = Cause.dieOption(exit.cause)
      assert(Option.isSome(defect), Cause.pretty(exit.cause))
      expect((defect.value as Error).message).toBe("a broken host watch")
      expect(answers).toBe(2)
    }).pipe(Effect.provide(layer)),
  )

  it.live("gives its fetch permit back when its fetch throws in the callback that granted it", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_permit")
      // One permit, granted at once (inside `request`), as a free FifoGate does.
      let free = 1
      const gate: FetchGate = {
        request: (granted) => {
          free--
          let over = false
          granted()
          return () => {
            if (!over) free++
            over = true
          }
        },
        withPermit: (fetch) => Effect.suspend(() => (free--, Effect.ensuring(fetch, Effect.sync(() => free++)))),
      }
      yield* say("wxid_permit", ["p1"])
      const loop = yield* syncLoop(session, { reconnect: fast, fetchGate: gate }).pipe(
        Stream.runForEach((event) =>
          event._tag === "Batch"
            ? Effect.zipRight(
                event.commit,
                // A SyncKey JSON cannot write: the next webwxsync throws while building its body.
                Effect.sync(() => session.data.updateNow((d) => ({ ...d, syncKey: { Count: 1, List: [{ Key: 1, Val: 1n as unknown as number }] } }))),
              )
            : Effect.void,
        ),
        Effect.exit,
        Effect.fork,
      )
      yield* yield* nextPollHeld("wxid_permit")
      yield* say("wxid_permit", ["p2"])
      const exit = yield* Fiber.join(loop)
      assert(Exit.isFailure(exit) && Option.isSome(Cause.dieOption(exit.cause)), String(exit))
      expect(free).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(layer)),
  )

  it.live("fetches a batch again while its key is not committed", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_uncommitted")
      yield* say("wxid_uncommitted", ["u1", "u2"])
      const batches = yield* syncLoop(session, { reconnect: fast }).pipe(
        Stream.filter(SyncEvent.$is("Batch")),
        Stream.zipWithIndex,
        // The first batch is "lost" before it was handled: its key is never committed.
        Stream.tap(([event, index]) => (index === 0 ? Effect.void : event.commit)),
        Stream.take(2),
        Stream.runCollect,
        Effect.map(Chunk.toArray),
      )
      const [first, second] = batches.map(([event]) => event.batch.addMsgList)
      expect(first?.map((m) => m["Content"])).toEqual(["u1", "u2"])
      expect(second?.map((m) => m["MsgId"])).toEqual(first?.map((m) => m["MsgId"]))
      // Once committed, the loop moves on.
      yield* say("wxid_uncommitted", ["u3"])
      expect(textsOf(yield* runUntil(session, (seen) => textsOf(seen).length >= 1))).toEqual(["u3"])
    }).pipe(Effect.provide(layer)),
  )

  it.live("survives a malformed synccheck answer by counting it as a host failure", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_malformed")
      sim.faults.malformNext({ host: WEBPUSH, path: "/synccheck", kind: "html" })
      yield* say("wxid_malformed", ["x1"])
      const events = yield* runUntil(session, (seen) => textsOf(seen).length >= 1)
      const reconnecting = events.filter(SyncEvent.$is("Reconnecting"))
      expect(reconnecting.map((e) => [e.host, e.error._tag])).toEqual([
        [WEBPUSH2, "MalformedResponse"],
      ])
      expect(textsOf(events)).toEqual(["x1"])
    }).pipe(Effect.provide(layer)),
  )

  it.scopedLive(
    "backs off while every webpush host is down, then connects to the first that comes back",
    () =>
      Effect.gen(function* () {
        const session = yield* newAccount("wxid_alldown")
        const hosts = session.hosts.webpush
        yield* hostsDown(hosts)
        const seen = yield* syncLoop(session, { reconnect: fast }).pipe(
          Stream.mapEffect((event) => Effect.map(Clock.currentTimeMillis, (at) => ({ event, at }))),
          Stream.tap(({ event }) =>
            Effect.sync(() => {
              if (event._tag === "Reconnecting" && event.attempt === 6)
                sim.faults.hostUp(event.host)
            }),
          ),
          Stream.takeUntil(({ event }) => event._tag === "Connected"),
          Stream.runCollect,
          Effect.map(Chunk.toArray),
        )
        const reconnecting = seen.flatMap(({ event, at }) =>
          event._tag === "Reconnecting" ? [{ ...event, at }] : [],
        )
        expect(reconnecting.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6])
        expect(reconnecting.map((e) => e.host)).toEqual([
          WEBPUSH2,
          WEBPUSH1,
          WEBPUSH,
          WEBPUSH2,
          WEBPUSH1,
          WEBPUSH,
        ])
        // Each retry waited out its backoff: 20 ms doubling, capped at 200 ms, jitter ≥ -20 %.
        reconnecting.slice(1).forEach((e, n) => {
          expect(e.at - reconnecting[n]!.at).toBeGreaterThanOrEqual(
            Math.floor(0.8 * Math.min(20 * 2 ** n, 200)),
          )
        })
        expect(seen.at(-1)?.event).toEqual(SyncEvent.Connected({ host: WEBPUSH }))
        expect((yield* session.data.get).webpushHost).toBe(WEBPUSH)
      }).pipe(Effect.provide(layer)),
  )

  it.live("polls with webwxinit's SyncKey at first, then with the SyncCheckKey webwxsync answered; DeviceIDs are e + 15 digits", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_checkkey")
      yield* say("wxid_checkkey", ["k1"])
      yield* runUntil(session, (seen) => textsOf(seen).length >= 1)
      expect((yield* synccheck(session, WEBPUSH)).selector).toBe(0)
      const keysOf = (param: string | null) => (param ?? "").split("|").map((pair) => Number(pair.split("_")[0]))
      const polls = recording.requestsTo("synccheck").map((r) => new URL(r.url).searchParams)
      expect(keysOf(polls[0]!.get("synckey"))).toEqual([1, 2, 3, 1000])
      const committed = yield* session.data.get
      expect(committed.syncCheckKey?.List.map((k) => k.Key)).toEqual([1, 2, 3, 11, 13, 201, 203, 1000, 1001, 1002])
      expect(polls.at(-1)!.get("synckey")).toBe(committed.syncCheckKey!.List.map((k) => `${k.Key}_${k.Val}`).join("|"))
      const sync = jsonBody(recording.requestsTo("webwxsync").at(-1))
      expect((sync["SyncKey"] as { List: ReadonlyArray<{ Key: number }> }).List.map((k) => k.Key)).not.toContain(13)
      const deviceIds = [
        ...polls.map((q) => q.get("deviceid")),
        ...recording.requestsTo("webwxsync").map((r) => (jsonBody(r)["BaseRequest"] as { DeviceID: string }).DeviceID),
      ]
      expect(deviceIds.length).toBeGreaterThanOrEqual(3)
      for (const id of deviceIds) expect(id).toMatch(/^e\d{15}$/)
      expect(new Set(deviceIds).size).toBe(deviceIds.length)
    }).pipe(Effect.provide(recording.layer)),
  )

  it.scopedLive("reconnects under RetryPolicies' syncReconnect and fails with the last error once it gives up", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_giveup")
      const hosts = session.hosts.webpush
      yield* hostsDown(hosts)
      const attempts = yield* Ref.make<ReadonlyArray<number>>([])
      const error = yield* syncLoop(session).pipe(
        Stream.tap((event) =>
          event._tag === "Reconnecting" ? Ref.update(attempts, (a) => [...a, event.attempt]) : Effect.void,
        ),
        Stream.runDrain,
        Effect.flip,
        Effect.provide(RetryPolicies.layer({ syncReconnect: { base: "5 millis", max: "5 millis", times: 2 } })),
      )
      expect(yield* Ref.get(attempts)).toEqual([1, 2, 3])
      assert(error._tag === "TransportError", `ended with ${error._tag}`)
      expect([error.endpoint, error.host]).toEqual(["synccheck", WEBPUSH1])
    }).pipe(Effect.provide(layer)),
  )

  it.live("retries a webwxsync whose answer was garbage on the same host, then delivers the batch once", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_badsync")
      sim.faults.malformNext({ host: "wx2.qq.com", path: "/webwxsync", kind: "truncated" })
      yield* say("wxid_badsync", ["s1"])
      const events = yield* runUntil(session, (seen) => textsOf(seen).length >= 1)
      const reconnecting = events.filter(SyncEvent.$is("Reconnecting"))
      expect(reconnecting.map((e) => [e.host, e.attempt, e.error._tag, e.error.endpoint])).toEqual([
        [WEBPUSH, 1, "MalformedResponse", "webwxsync"],
      ])
      expect(textsOf(events)).toEqual(["s1"])
    }).pipe(Effect.provide(layer)),
  )

  /** After `throttle`, the account's two next answers of `endpoint` are 1205; one text then. */
  const waitsOut1205 = (wxid: string, endpoint: "synccheck" | "webwxsync", throttle: () => void) =>
    Effect.gen(function* () {
      const session = yield* newAccount(wxid)
      throttle()
      yield* say(wxid, ["t1"])
      const events = yield* runUntil(session, (seen) => textsOf(seen).length >= 1)
      const reconnecting = events.filter(SyncEvent.$is("Reconnecting"))
      expect(reconnecting.map((e) => [e.host, e.attempt, e.error._tag, e.error.endpoint])).toEqual([
        [WEBPUSH, 1, "RateLimited", endpoint],
        [WEBPUSH, 2, "RateLimited", endpoint],
      ])
      expect(textsOf(events)).toEqual(["t1"])
      expect((yield* session.data.get).webpushHost).toBe(WEBPUSH)
    }).pipe(Effect.provide(layer))

  it.live("waits out a 1205 frequency block on the same host (no rotation), then syncs", () =>
    waitsOut1205("wxid_throttled", "synccheck", () => sim.world.rateLimitSyncchecks("wxid_throttled", 2)),
  )

  it.live("waits out a webwxsync answered 1205 on the same host, then delivers the batch once", () =>
    waitsOut1205("wxid_syncthrottled", "webwxsync", () => sim.world.rateLimitSyncs("wxid_syncthrottled", 2)),
  )

  it.scopedLive(
    "wakes a session in a long backoff as soon as another session of the fleet is answered again",
    () =>
      Effect.gen(function* () {
        const patientSession = yield* newAccount("wxid_patient")
        const eagerSession = yield* newAccount("wxid_eager")
        const hostWatch = makeHostWatch()
        // Without the watch this session would next try in 24–36 s.
        const patient: RetryPolicy = { base: "30 seconds", max: "30 seconds", times: 10 }
        const seen = yield* Queue.unbounded<SyncEvent>()
        const next = (tag: SyncEvent["_tag"]) => nextIn(seen, tag)
        yield* runInBackground(patientSession, { reconnect: patient, hostWatch }, seen)
        yield* runInBackground(eagerSession, { reconnect: fast, hostWatch })
        yield* next("Connected")
        const hosts = patientSession.hosts.webpush
        yield* hostsDown(hosts)
        yield* next("Reconnecting")
        hosts.forEach((host) => sim.faults.hostUp(host))
        const upAt = yield* Clock.currentTimeMillis
        // The eager session gets through within its 200 ms backoff, and wakes this one.
        const connected = yield* next("Connected").pipe(Effect.timeout("10 seconds"))
        expect((yield* Clock.currentTimeMillis) - upAt).toBeLessThan(5_000)
        expect(hosts).toContain((connected as Extract<SyncEvent, { _tag: "Connected" }>).host)
        yield* say("wxid_patient", ["after the outage"])
        const batch = yield* next("Batch").pipe(Effect.timeout("10 seconds"))
        expect(batch?._tag).toBe("Batch")
      }).pipe(Effect.provide(layer)),
  )

  it.scopedLive(
    "says Connected once a host holds a reconnecting session's poll, not when the hold ends, and goes on with that poll",
    () =>
      Effect.gen(function* () {
        slow.world.addAccount({ wxid: "wxid_held", nickName: "Held", home: "wx2.qq.com" })
        slow.world.befriend("wxid_held", "wxid_friend")
        const { session } = yield* loginAs(slow, "wxid_held")
        const seen = yield* Queue.unbounded<SyncEvent>()
        const next = (tag: SyncEvent["_tag"]) => nextIn(seen, tag)
        yield* runInBackground(session, { reconnect: fast }, seen)
        const hosts = session.hosts.webpush
        yield* hostsDown(hosts, slow)
        yield* next("Reconnecting")
        hosts.forEach((host) => slow.faults.hostUp(host))
        const upAt = yield* Clock.currentTimeMillis
        yield* next("Connected").pipe(Effect.timeout("10 seconds"))
        expect((yield* Clock.currentTimeMillis) - upAt).toBeLessThan(5_000)
        // The held poll answers as soon as there is news, and the batch follows.
        slow.world.say("wxid_friend", "wxid_held", { MsgType: 1, Content: "while held" })
        const batch = yield* next("Batch").pipe(Effect.timeout("5 seconds"))
        expect(batch?._tag === "Batch" ? batch.batch.addMsgList.map((m) => m["Content"]) : []).toContain("while held")
      }).pipe(Effect.provide(slowLayer)),
  )
})

describe("runSyncLoop with a plain chain", () => {
  /** A chain that records the batches it takes, commits them, and declines the texts it is told to. */
  const recordingChain = (decline: (text: unknown) => boolean) => {
    const taken = Effect.runSync(Queue.unbounded<ReadonlyArray<unknown>>())
    let due = false
    const chain: PlainChain = {
      batch: (batch, commit, done) => {
        const texts = batch.addMsgList.map((m) => m["Content"])
        Queue.unsafeOffer(taken, texts)
        if (texts.some(decline)) return done(false)
        commit()
        done(true)
      },
      due: () => due,
    }
    return { chain, taken, setDue: (value: boolean) => (due = value) }
  }

  it.scopedLive("hands steady rounds' batches to the chain, and steps through the fiber only when it declines or has work due", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_chained")
      const { chain, taken, setDue } = recordingChain((text) => text === "declined")
      const handled = yield* Queue.unbounded<SyncEvent>()
      const rounds = yield* Queue.unbounded<void>()
      const afterRound = Queue.offer(rounds, undefined)
      yield* say("wxid_chained", ["first"])
      yield* Effect.forkScoped(
        runSyncLoop(
          session,
          (event) => Effect.zipRight(event._tag === "Batch" ? event.commit : Effect.void, Queue.offer(handled, event)),
          { reconnect: fast, plain: chain, afterRound },
        ),
      )
      // The first round is not steady yet (nothing connected): its batch comes as an event.
      const first = yield* nextIn(handled, "Batch")
      expect(first?._tag === "Batch" ? first.batch.addMsgList.map((m) => m["Content"]) : []).toEqual(["first"])
      // Steady now: batches go to the chain, committed there, and the fiber stays out of it,
      // through new batches and through polls the server ends empty (every 300 ms here).
      yield* say("wxid_chained", ["second"])
      expect(yield* Queue.take(taken)).toEqual(["second"])
      // (The fiber's last round, with its afterRound, was over before this one began.)
      yield* Queue.takeAll(rounds)
      yield* yield* nextPollHeld("wxid_chained")
      yield* yield* nextPollHeld("wxid_chained")
      yield* say("wxid_chained", ["third"])
      expect(yield* Queue.take(taken)).toEqual(["third"])
      expect(yield* Queue.size(rounds)).toBe(0)
      expect(yield* Queue.size(handled)).toBe(0)
      // A batch the chain declines comes to the handler, uncommitted, exactly once.
      yield* say("wxid_chained", ["declined"])
      expect(yield* Queue.take(taken)).toEqual(["declined"])
      const declined = yield* nextIn(handled, "Batch")
      expect(declined?._tag === "Batch" ? declined.batch.addMsgList.map((m) => m["Content"]) : []).toEqual(["declined"])
      yield* say("wxid_chained", ["fourth"])
      expect(yield* Queue.take(taken)).toEqual(["fourth"])
      // Work due: the next round ends in the fiber, which runs afterRound.
      yield* Queue.takeAll(rounds)
      setDue(true)
      yield* Queue.take(rounds).pipe(Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("afterRound never ran") }))
      // Nothing was handled twice, by either side.
      expect(yield* Queue.takeAll(taken).pipe(Effect.map(Chunk.toReadonlyArray))).toEqual([])
      expect(yield* Queue.size(handled)).toBe(0)
    }).pipe(Effect.provide(layer)),
  )

  it.live("ends with a defect, not a crash, when the chain throws", () =>
    Effect.gen(function* () {
      const session = yield* newAccount("wxid_chain_throws")
      const chain: PlainChain = {
        batch: () => {
          throw new Error("a broken chain")
        },
        due: () => false,
      }
      yield* say("wxid_chain_throws", ["one"])
      const loop = yield* Effect.fork(
        runSyncLoop(session, (event) => (event._tag === "Batch" ? event.commit : Effect.void), { reconnect: fast, plain: chain }),
      )
      // The first batch comes through the fiber; the next, in a steady round, reaches the chain.
      yield* yield* nextPollHeld("wxid_chain_throws")
      yield* say("wxid_chain_throws", ["two"])
      const exit = yield* Fiber.await(loop)
      assert(Exit.isFailure(exit))
      const defect = Cause.dieOption(exit.cause)
      assert(Option.isSome(defect), Cause.pretty(exit.cause))
      expect((defect.value as Error).message).toBe("a broken chain")
    }).pipe(Effect.scoped, Effect.provide(layer)),
  )
})
