import { Command, Options } from "@effect/cli"
import { buildDemoWorld, DEMO_ACCOUNTS, Simulator, startChatter, type Activity } from "@wxfleet/simulator"
import { freePort } from "@wxfleet/testing"
import { randomBytes } from "node:crypto"
import { mkdir, rm, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { Console, Effect, Layer, Logger, LogLevel, Option, Redacted, Runtime, Stream } from "effect"
import { FleetClient } from "../fleet/FleetClient.js"
import { clock } from "../format/formatEvent.js"
import { styleFor } from "../format/Style.js"
import { DEMO_AUTO_REPLY, DEMO_MODERATION } from "../local/DemoFiles.js"
import { autoReplyLayer, moderationLayer, supervisorLayer } from "../local/LocalFleet.js"
import { startNatsServer } from "../local/NatsServerProcess.js"
import { patientSignals } from "../local/signals.js"
import { FleetLiveAt } from "./shared.js"
import { printEvents } from "./tail.js"
import { dataDir, startFailure } from "./up.js"

const chatEvery = Options.integer("chat-every-ms").pipe(
  Options.withDescription("How often a demo friend says something"),
  Options.withDefault(4_000),
)
const natsUrlOption = Options.text("nats-url").pipe(
  Options.withDescription("Use this NATS server (with JetStream) instead of starting a fresh one"),
  Options.optional,
)

/** How long the demo's phone "looks" at a QR code before scanning, and then before confirming. */
const SCAN_AFTER = "2 seconds"
const CONFIRM_AFTER = "1500 millis"

/** The simulator's accounts sent this through their web sessions: the bot's replies. */
const sentText = (activity: Activity): string | undefined =>
  activity.type === "sent" && activity.msgType === 1 ? activity.content.replace(/[\u200b\u200c]/g, "") : undefined

/**
 * `wxfleet demo`: a whole fleet on this machine against the simulator — its own nats-server,
 * the supervisor, an auto-reply bot and moderation — whose phones scan their QR codes by
 * themselves and whose friends chat.
 */
export const demoCommand = Command.make("demo", { dataDir, chatEvery, natsUrl: natsUrlOption }, (args) =>
  Effect.scoped(
    Effect.gen(function* () {
      yield* patientSignals
      const style = styleFor(process.stdout)
      const say = (who: string, text: string) =>
        Effect.suspend(() => Console.log(`${style.dim(clock(new Date().toISOString()))} ${style.info(who)} ${text}`))
      const dir = join(resolve(args.dataDir), "demo")
      // A fresh start each time: the demo's NATS store and files never mix with another run's.
      yield* Effect.promise(() => rm(dir, { recursive: true, force: true }).then(() => mkdir(dir, { recursive: true })))
      yield* Effect.addFinalizer(() => Effect.promise(() => rm(join(dir, "nats"), { recursive: true, force: true })))

      const url = yield* Option.match(args.natsUrl, {
        onSome: (url) => Effect.succeed(url),
        onNone: () =>
          Effect.gen(function* () {
            const server = yield* startNatsServer({ host: "127.0.0.1", port: yield* Effect.promise(freePort), storeDir: join(dir, "nats") })
            yield* say("demo", `nats-server pid ${server.pid} on ${server.url} (store ${server.storeDir})`)
            return server.url
          }),
      }).pipe(Effect.mapError(startFailure("NATS")))

      const sim = yield* Effect.acquireRelease(Effect.promise(() => Simulator.start({ port: 0 })), (sim) => Effect.promise(() => sim.close()))
      const { roomId } = buildDemoWorld(sim.world)
      yield* say("demo", `simulator on ${sim.url} (WXFLEET_UPSTREAM=${sim.upstream})`)
      const runtime = yield* Effect.runtime<never>()
      const onActivity = (account: string, activity: Activity) => {
        const text = sentText(activity)
        if (text !== undefined) Runtime.runSync(runtime)(say("bot", `${style.account(account)} replied through its web session: ${text}`))
      }
      sim.world.events.on("activity", onActivity)
      yield* Effect.addFinalizer(() => Effect.sync(() => sim.world.events.off("activity", onActivity)))

      const autoReplyFile = join(dir, "auto-reply.yaml")
      const moderationFile = join(dir, "moderation.yaml")
      yield* Effect.promise(() => Promise.all([writeFile(autoReplyFile, DEMO_AUTO_REPLY), writeFile(moderationFile, DEMO_MODERATION)]))

      const quiet = <A, E, R>(layer: Layer.Layer<A, E, R>) => Layer.provide(layer, Logger.minimumLogLevel(LogLevel.Error))
      yield* Layer.build(
        quiet(
          supervisorLayer({
            natsUrl: url,
            secretKey: Redacted.make(randomBytes(32).toString("hex")),
            upstream: sim.upstream,
            settings: { WXFLEET_HTTP_PORT: "0" },
          }),
        ),
      ).pipe(Effect.mapError(startFailure("supervisor")))

      const client = yield* Layer.build(FleetLiveAt(url)).pipe(Effect.mapError(startFailure("NATS")))
      yield* Effect.gen(function* () {
        const fleet = yield* FleetClient
        const events = yield* fleet.subscribe()
        const [log, phone] = yield* Stream.broadcast(events, 2, 1_024)
        yield* Effect.forkScoped(printEvents(log, { json: false }))
        // The phones: each QR code is scanned and confirmed after a moment, for people to follow.
        const loggedIn = new Set<string>()
        yield* Effect.forkScoped(
          Stream.runForEach(phone, (event) =>
            Effect.gen(function* () {
              if (event.kind !== "session") return
              const e = event.event
              if (e.state === "logged_in") {
                loggedIn.add(event.account)
                if (loggedIn.size === DEMO_ACCOUNTS.length)
                  yield* Console.log(
                    [
                      "",
                      style.good(`All ${DEMO_ACCOUNTS.length} demo accounts are logged in; their friends chat, the bot answers. Try, in another terminal:`),
                      `  WXFLEET_NATS_URL=${url} npx wxfleet chat ${DEMO_ACCOUNTS[0]}`,
                      `  WXFLEET_NATS_URL=${url} npx wxfleet tail --kind message`,
                      `  WXFLEET_NATS_URL=${url} npx wxfleet send ${DEMO_ACCOUNTS[0]} Alice "hello from the CLI"`,
                      style.dim(`Rules: ${autoReplyFile}, ${moderationFile}. Ctrl-C stops everything.`),
                      "",
                    ].join("\n"),
                  )
              }
              if (e.state !== "awaiting_scan" || e.qr === undefined) return
              const uuid = e.qr.uuid
              const wxid = event.account
              yield* Effect.forkScoped(
                Effect.gen(function* () {
                  yield* say("phone", `${style.account(wxid)}'s phone sees the QR code and scans it…`).pipe(Effect.delay(SCAN_AFTER))
                  yield* Effect.try(() => sim.world.scan(uuid, wxid))
                  yield* Effect.sleep(CONFIRM_AFTER)
                  yield* Effect.try(() => sim.world.confirm(uuid))
                  yield* say("phone", `${style.account(wxid)}'s phone confirms the login`)
                }).pipe(Effect.catchAll(() => Effect.void)),
              )
            }),
          ),
        )
        for (const account of DEMO_ACCOUNTS) yield* fleet.add(account)
      }).pipe(Effect.provide(client), Effect.mapError(startFailure("fleet")))

      yield* Layer.build(quiet(autoReplyLayer(url, autoReplyFile))).pipe(Effect.mapError(startFailure("auto-reply")))
      yield* Layer.build(quiet(moderationLayer(url, moderationFile))).pipe(Effect.mapError(startFailure("moderation")))
      const stopChatter = startChatter(sim.world, roomId, args.chatEvery, () => undefined)
      yield* Effect.addFinalizer(() => Effect.sync(stopChatter))
      yield* say("demo", "the fleet is starting; the phones will scan the QR codes. Ctrl-C stops everything.")
      yield* Effect.addFinalizer(() => Console.log("stopping: chatter, workers, supervisor, simulator, then NATS…"))
      return yield* Effect.never
    }),
  ).pipe(Effect.onInterrupt(() => Console.log("wxfleet demo: stopped"))),
).pipe(Command.withDescription("The whole fleet on this machine against the Web WeChat simulator: phones scan by themselves, friends chat, a bot replies"))
