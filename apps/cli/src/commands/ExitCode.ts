import { ValidationError } from "@effect/cli"
import { Cause, Console, Data, Effect, Exit } from "effect"
import type { Teardown } from "@effect/platform/Runtime"
import type { FleetError } from "../fleet/FleetClient.js"

/**
 * What `wxfleet` exits with (documented in the README):
 * 0 done; 1 the fleet refused or failed (an error tag and message are printed); 2 a usage error:
 * the command line, or a file it names, is wrong; 3 NATS or the fleet cannot be reached.
 */
export const ExitCode = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** Ends the command with `code` after printing `message` on stderr. */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: ExitCode; readonly message: string }> {}

export const failed = (message: string) => new CliExit({ code: ExitCode.failed, message })
export const usage = (message: string) => new CliExit({ code: ExitCode.usage, message })

/** Maps the fleet client's errors to exit codes: refused → 1, unreachable → 3. */
export const fleetExit = (error: FleetError): CliExit => {
  switch (error._tag) {
    case "CommandRejected":
      return new CliExit({ code: ExitCode.failed, message: `${error.error.tag}: ${error.error.message}` })
    case "FleetUnreachable":
      return new CliExit({ code: ExitCode.unreachable, message: `FleetUnreachable: ${error.message}` })
    case "NatsError":
      return new CliExit({
        code: ExitCode.unreachable,
        message: `NatsUnreachable: ${error.message} (WXFLEET_NATS_URL=${process.env["WXFLEET_NATS_URL"] ?? "nats://127.0.0.1:4222"}; start a fleet with \`wxfleet up\`)`,
      })
  }
}

/**
 * Runs the whole CLI and turns how it ended into an exit code: @effect/cli has already printed
 * a usage error, a CliExit is printed here, anything else is a bug and printed in full.
 */
export const withExitCode = <R>(program: Effect.Effect<void, unknown, R>): Effect.Effect<ExitCode, never, R> =>
  program.pipe(
    Effect.as<ExitCode>(ExitCode.ok),
    Effect.catchAllCause((cause) => {
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some") {
        const error = failure.value
        if (ValidationError.isValidationError(error)) return Effect.succeed<ExitCode>(ExitCode.usage)
        if (error instanceof CliExit) return Effect.as(Console.error(`wxfleet: ${error.message}`), error.code)
      }
      if (Cause.isInterruptedOnly(cause)) return Effect.succeed<ExitCode>(ExitCode.ok)
      return Effect.as(Console.error(Cause.pretty(cause)), ExitCode.failed)
    }),
  )

/** Exits with the program's code; Ctrl-C (an interruption) is a normal stop. */
export const teardown: Teardown = (exit, onExit) =>
  onExit(
    Exit.isSuccess(exit)
      ? typeof exit.value === "number"
        ? exit.value
        : 0
      : Cause.isInterruptedOnly(exit.cause)
        ? 0
        : 1,
  )
