import { FleetAdd } from "@wxfleet/contracts"
import { keyValue, tryNats, type NatsError } from "@wxfleet/nats"
import { Effect, Option, Schema } from "effect"

/** The KV bucket listing the fleet's accounts and their options (contract: survives restarts). */
export const ACCOUNTS_BUCKET = "wx_accounts"

export type AccountEntry = FleetAdd

const decodeEntry = Schema.decodeUnknownOption(Schema.parseJson(FleetAdd))

/** The fleet's account list, kept in KV so `wx.fleet.add` outlives the process. */
export class AccountRegistry extends Effect.Service<AccountRegistry>()("@wxfleet/supervisor/AccountRegistry", {
  effect: Effect.gen(function* () {
    const kv = yield* keyValue(ACCOUNTS_BUCKET, { history: 1 })

    const list: Effect.Effect<ReadonlyArray<AccountEntry>, NatsError> = Effect.gen(function* () {
      const keys = yield* tryNats("kv keys", async () => {
        const out: Array<string> = []
        for await (const key of await kv.keys()) out.push(key)
        return out
      })
      const entries = yield* Effect.forEach(keys, (key) => tryNats(`kv get ${key}`, () => kv.get(key)))
      return entries.flatMap((entry) =>
        entry && entry.operation === "PUT" ? Option.toArray(decodeEntry(entry.string())) : [],
      )
    })

    const put = (entry: AccountEntry): Effect.Effect<void, NatsError> =>
      tryNats(`kv put ${entry.account}`, () => kv.put(entry.account, JSON.stringify(entry))).pipe(Effect.asVoid)

    const remove = (account: string): Effect.Effect<void, NatsError> =>
      tryNats(`kv delete ${account}`, () => kv.delete(account))

    return { list, put, remove } as const
  }),
}) {}
