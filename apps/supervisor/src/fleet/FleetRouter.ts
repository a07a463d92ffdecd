import { ContractErrorTag, failure, FleetAdd, FleetRemove, subjects, type FleetOp } from "@wxfleet/contracts"
import { serve } from "@wxfleet/nats"
import { Effect, Schema } from "effect"
import { SupervisorConfig } from "../config/SupervisorConfig.js"
import { replyError } from "../errors/replyError.js"
import { Fleet } from "./Fleet.js"

const decodeAdd = Schema.decodeUnknownEither(Schema.parseJson(FleetAdd))
const decodeRemove = Schema.decodeUnknownEither(Schema.parseJson(FleetRemove))

const invalid = (op: FleetOp, message: string) =>
  failure({ tag: ContractErrorTag.InvalidCommand, message: `invalid fleet ${op} request: ${message}` })

/** Serves `<prefix>.fleet.add|remove|list`. */
export const serveFleet = Effect.gen(function* () {
  const config = yield* SupervisorConfig
  const fleet = yield* Fleet
  const s = subjects(config.prefix)
  const text = (data: Uint8Array) => (data.length === 0 ? "{}" : Buffer.from(data).toString("utf8"))
  const reply = (effect: Effect.Effect<unknown>) => Effect.map(effect, (answer) => JSON.stringify(answer))

  yield* serve(s.fleet("add"), (msg) =>
    reply(
      Effect.gen(function* () {
        const request = decodeAdd(text(msg.data))
        if (request._tag === "Left") return invalid("add", request.left.message)
        return yield* fleet.add(request.right).pipe(
          Effect.as({ ok: true, account: request.right.account }),
          Effect.catchAll((error) => Effect.succeed(failure(replyError(error)))),
        )
      }),
    ),
  )
  yield* serve(s.fleet("remove"), (msg) =>
    reply(
      Effect.gen(function* () {
        const request = decodeRemove(text(msg.data))
        if (request._tag === "Left") return invalid("remove", request.left.message)
        return yield* fleet.remove(request.right.account).pipe(
          Effect.map((known) =>
            known
              ? { ok: true, account: request.right.account }
              : failure({ tag: ContractErrorTag.UnknownAccount, message: `no account "${request.right.account}" in this fleet` }),
          ),
          Effect.catchAll((error) => Effect.succeed(failure(replyError(error)))),
        )
      }),
    ),
  )
  yield* serve(s.fleet("list"), () => reply(Effect.map(fleet.list, (accounts) => ({ ok: true, accounts }))))
})
