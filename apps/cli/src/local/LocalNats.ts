import { Console, Effect, type Scope } from "effect"
import { answers, hostPort, isLoopback, startNatsServer, type LocalNatsServer, type NatsServerFailed, type NatsServerMissing } from "./NatsServerProcess.js"
import { Data } from "effect"

/** Nothing answers at a NATS URL that is not on this machine, so we cannot start one there. */
export class NatsNotAnswering extends Data.TaggedError("NatsNotAnswering")<{ readonly url: string }> {
  override get message(): string {
    return `no NATS server answers at ${this.url}, and it is not on this machine, so none is started there`
  }
}

/**
 * The NATS server at `url` if one answers, else a nats-server started here on its port with
 * its store in `storeDir` (stopped with the scope).
 */
export const ensureNats = (
  url: string,
  storeDir: string,
): Effect.Effect<LocalNatsServer | undefined, NatsNotAnswering | NatsServerMissing | NatsServerFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const { host, port } = hostPort(url)
    if (yield* answers(host, port)) {
      yield* Console.error(`using the NATS server at ${url}`)
      return undefined
    }
    if (!isLoopback(host)) return yield* new NatsNotAnswering({ url })
    yield* Console.error(`no NATS server at ${url}; starting nats-server -js (store ${storeDir})…`)
    const server = yield* startNatsServer({ host, port, storeDir })
    yield* Console.error(`nats-server (pid ${server.pid}) is ready on ${server.url}`)
    return server
  })
