import { Data } from "effect"

/**
 * Handling this message can never succeed (e.g. the supervisor refused the command as invalid):
 * it is dead-lettered at once instead of being tried again.
 */
export class Unprocessable extends Data.TaggedError("Unprocessable")<{ readonly reason: string }> {
  override get message(): string {
    return this.reason
  }
}
