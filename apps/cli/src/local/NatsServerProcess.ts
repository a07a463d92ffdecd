import type { ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { connect } from "node:net"
import { natsServerBinary, spawnNatsServer } from "@wxfleet/testing"
import { Data, Duration, Effect, type Scope } from "effect"

/** nats-server is neither on the PATH nor at /usr/sbin/nats-server. */
export class NatsServerMissing extends Data.TaggedError("NatsServerMissing")<{ readonly looked: string }> {
  override get message(): string {
    return (
      `nats-server is not installed (looked on the PATH and at ${this.looked}). Install it — ` +
      "Debian/Ubuntu: `sudo apt install nats-server`, macOS: `brew install nats-server`, elsewhere: a " +
      "release binary from https://github.com/nats-io/nats-server/releases on your PATH — or point " +
      "WXFLEET_NATS_URL at a running server (with JetStream, -js)."
    )
  }
}

/** nats-server was started but did not come up. */
export class NatsServerFailed extends Data.TaggedError("NatsServerFailed")<{ readonly reason: string }> {
  override get message(): string {
    return `nats-server did not start: ${this.reason}`
  }
}

export interface LocalNatsServer {
  readonly pid: number
  readonly url: string
  readonly storeDir: string
}

/** Whether something accepts TCP connections at host:port (a NATS server, we assume). */
export const answers = (host: string, port: number, timeoutMs = 1_000): Effect.Effect<boolean> =>
  Effect.async<boolean>((resume) => {
    const socket = connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resume(Effect.succeed(ok))
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
    return Effect.sync(() => socket.destroy())
  })

/** Host and port of `nats://host:port` (the first of a comma-separated list). */
export const hostPort = (url: string): { readonly host: string; readonly port: number } => {
  const first = url.split(",")[0]!.trim()
  const parsed = new URL(first.includes("://") ? first : `nats://${first}`)
  return { host: parsed.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1", port: parsed.port === "" ? 4222 : Number(parsed.port) }
}

export const isLoopback = (host: string): boolean => ["127.0.0.1", "localhost", "::1", "0.0.0.0"].includes(host) || host.startsWith("127.")

/**
 * A nats-server with JetStream for as long as the scope lives: its store in `storeDir`, on
 * `host:port`. It runs in its own process group, so Ctrl-C at the terminal reaches us and not
 * it: we stop it last, after everything that uses it has drained.
 */
export const startNatsServer = (options: {
  readonly host: string
  readonly port: number
  readonly storeDir: string
}): Effect.Effect<LocalNatsServer, NatsServerMissing | NatsServerFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const binary = natsServerBinary()
    if (!existsSync(binary)) return yield* new NatsServerMissing({ looked: binary })
    yield* Effect.promise(() => mkdir(options.storeDir, { recursive: true }))
    const host = options.host === "localhost" ? "127.0.0.1" : options.host
    const started = yield* Effect.acquireRelease(
      Effect.suspend(() => {
        const { child, ready } = spawnNatsServer({ host, port: options.port, storeDir: options.storeDir, detached: true })
        return Effect.tryPromise({
          try: () => ready,
          catch: (error) => new NatsServerFailed({ reason: error instanceof Error ? error.message : String(error) }),
        }).pipe(
          Effect.as({ server: { pid: child.pid!, url: `nats://${host}:${options.port}`, storeDir: options.storeDir }, child }),
        )
      }),
      ({ child }) => stopChild(child),
    )
    return started.server
  })

/** SIGTERM, then SIGKILL if it has not exited after a few seconds. */
const stopChild = (child: ChildProcess): Effect.Effect<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return Effect.void
  const exited = Effect.async<void>((resume) => {
    child.once("exit", () => resume(Effect.void))
  })
  return Effect.sync(() => child.kill("SIGTERM")).pipe(
    Effect.zipRight(Effect.timeout(exited, Duration.seconds(5))),
    Effect.catchAll(() => Effect.zipRight(Effect.sync(() => child.kill("SIGKILL")), exited)),
  )
}
