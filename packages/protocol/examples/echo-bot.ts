/**
 * An echo bot in a page of code: QR login, webwxinit, then every text a friend sends comes back.
 * Run it against the simulator (its phone scans the QR code by itself):
 *
 *   npm run -w @wxfleet/protocol example
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Simulator } from "@wxfleet/simulator"
import { Console, Effect, Layer, Option, Stream } from "effect"
import { CookieJar, LeanUndiciClient, Login, makeClient, Messages, ProtocolConfig, Transport, Upstream } from "../src/index.js"

/** Logs in by QR code, then answers `replies` texts with an echo and stops. */
export const echoBot = (options: { readonly onQr: (payload: string, uuid: string) => Effect.Effect<void>; readonly replies: number }) =>
  Effect.gen(function* () {
    const login = { desktop: false, jar: CookieJar.empty() }
    const uuid = yield* Login.requestUuid(login)
    yield* options.onQr(Login.qrPayload(uuid), uuid)
    const confirmed = yield* Stream.runLast(Login.awaitConfirmation(login, uuid))
    if (Option.isNone(confirmed) || confirmed.value._tag !== "Confirmed") return yield* Effect.dieMessage("not confirmed")
    const client = makeClient(yield* Login.completeLogin(login, confirmed.value.redirectUri))
    const { self } = yield* client.init()
    yield* client.statusNotify(3)
    yield* Console.log(`logged in as ${self.nickName}`)

    yield* client.sync().pipe(
      Stream.mapEffect((event) =>
        Effect.gen(function* () {
          if (event._tag !== "Batch") return []
          const messages = Messages.decodeBatch(event.batch.addMsgList, { selfUserName: self.userName })
          const texts = messages.filter((m): m is Messages.Text => m._tag === "Text" && !m.isSelf)
          for (const text of texts) yield* client.sendText(text.chat, `echo: ${text.text}`)
          yield* event.commit // the SyncKey moves on only once the batch is handled
          return texts
        }),
      ),
      Stream.flattenIterables,
      Stream.take(options.replies),
      Stream.runDrain,
    )
  })

/** The client's layers: HTTP on undici, sent to the simulator through the upstream template. */
export const clientLayer = (upstream: string) =>
  Layer.mergeAll(Transport.Default, ProtocolConfig.layer()).pipe(
    Layer.provide(Layer.mergeAll(LeanUndiciClient.layer, Upstream.layer(upstream))),
  )

if (import.meta.url === `file://${process.argv[1]}`) {
  const sim = await Simulator.start({ syncHoldMs: 5_000 })
  sim.world.addAccount({ wxid: "wxid_echo", nickName: "Echo" })
  sim.world.addPerson({ wxid: "wxid_friend", nickName: "Friend" })
  sim.world.befriend("wxid_echo", "wxid_friend")
  const scanWithThePhone = (payload: string, uuid: string) =>
    Effect.sync(() => {
      console.log(`QR code: ${payload} (the simulator's phone scans it)`)
      sim.world.scan(uuid, "wxid_echo")
      sim.world.confirm(uuid)
      setTimeout(() => sim.world.say("wxid_friend", "wxid_echo", { MsgType: 1, Content: "hello bot" }), 500)
    })
  sim.world.events.on("activity", (_account, activity: { type: string; content?: string }) => {
    if (activity.type === "sent") console.log(`sent: ${activity.content}`)
  })
  NodeRuntime.runMain(
    echoBot({ onQr: scanWithThePhone, replies: 1 }).pipe(
      Effect.provide(clientLayer(sim.upstream)),
      Effect.ensuring(Effect.promise(() => sim.close())),
    ),
  )
}
