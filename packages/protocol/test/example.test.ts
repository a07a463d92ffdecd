import { expect, it } from "@effect/vitest"
import { Simulator } from "@wxfleet/simulator"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { clientLayer, echoBot } from "../examples/echo-bot.js"

const sim = await Simulator.start({ syncHoldMs: 500, loginPollHoldMs: 200 })
sim.world.addAccount({ wxid: "wxid_echo", nickName: "Echo" })
sim.world.addPerson({ wxid: "wxid_friend", nickName: "Friend" })
sim.world.befriend("wxid_echo", "wxid_friend")
afterAll(() => sim.close())

it.live("the README's echo bot answers a friend", () =>
  Effect.gen(function* () {
    yield* echoBot({
      replies: 1,
      onQr: (_payload, uuid) =>
        Effect.sync(() => {
          sim.world.scan(uuid, "wxid_echo")
          sim.world.confirm(uuid)
          sim.world.say("wxid_friend", "wxid_echo", { MsgType: 1, Content: "ping" })
        }),
    }).pipe(Effect.provide(clientLayer(sim.upstream)))
    const sent = sim.world.account("wxid_echo").activity.find((a) => a.type === "sent")
    expect(sent?.type === "sent" && sent.content).toBe("echo: ping")
  }),
)
