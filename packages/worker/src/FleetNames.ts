import { FleetListReply, SessionEvent, subjects } from "@wxfleet/contracts"
import { request } from "@wxfleet/nats"
import { Duration, Effect, Schedule, Schema } from "effect"
import { followEvents } from "./Subscriptions.js"
import { WorkerConfig } from "./WorkerConfig.js"

const decodeList = Schema.decodeUnknown(Schema.parseJson(FleetListReply))

/** Until a supervisor answers `fleet.list` (it may start after us), ask again, less and less often. */
const untilListed = Schedule.exponential("500 millis").pipe(
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(30))),
)

/**
 * The nicknames of the fleet's own accounts. UserNames are per session, so a name is the only
 * link between "a contact who wrote to bot1" and "the account bot2": a worker ignores messages
 * from these names unless configured otherwise.
 */
export class FleetNames extends Effect.Service<FleetNames>()("@wxfleet/worker/FleetNames", {
  scoped: Effect.gen(function* () {
    const s = subjects((yield* WorkerConfig).prefix)
    const byAccount = new Map<string, string>()

    yield* followEvents(`${s.prefix}.evt.*.session`, SessionEvent, (event) =>
      Effect.sync(() => {
        if (event.self !== undefined) byAccount.set(event.account, event.self.nickName)
      }),
    )
    yield* request(s.fleet("list"), "{}").pipe(
      Effect.flatMap((reply) => decodeList(reply.string())),
      Effect.tap((reply) =>
        Effect.sync(() => {
          for (const a of reply.accounts)
            if (a.self !== undefined && !byAccount.has(a.account))
              byAccount.set(a.account, a.self.nickName)
        }),
      ),
      Effect.retry(untilListed),
      Effect.forkScoped,
    )

    /** Whether one of `names` is the nickname of one of the fleet's accounts. */
    const isFleet = (names: ReadonlyArray<string>): boolean => {
      for (const nickName of byAccount.values()) if (names.includes(nickName)) return true
      return false
    }
    return { isFleet } as const
  }),
}) {}
