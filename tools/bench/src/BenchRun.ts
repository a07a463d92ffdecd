import { setTimeout as sleep } from "node:timers/promises"

/**
 * What every scenario run needs around its steps: failures collected (not thrown, so a run
 * still reports its figures), a deadline for the whole run, a polling wait that honours it, and
 * cleanups run in reverse order however the run ends.
 */
export class BenchRun {
  readonly failures: Array<string> = []
  private readonly cleanups: Array<() => Promise<unknown>> = []
  private readonly deadlineAt: number

  constructor(private readonly deadlineSeconds: number) {
    this.deadlineAt = performance.now() + deadlineSeconds * 1000
  }

  /** Records a failure (the first 100). */
  readonly fail = (message: string): void => {
    if (this.failures.length < 100) this.failures.push(message)
  }

  /** Throws once the run's deadline has passed. */
  readonly checkDeadline = (): void => {
    if (performance.now() > this.deadlineAt) throw new Error(`deadline of ${this.deadlineSeconds} s passed`)
  }

  /** Polls `done` until it holds or `timeoutMs` passes; returns whether it held. */
  readonly waitFor = async (done: () => boolean, timeoutMs: number): Promise<boolean> => {
    const until = performance.now() + timeoutMs
    while (!done()) {
      this.checkDeadline()
      if (performance.now() > until) return false
      await sleep(50)
    }
    return true
  }

  /** Runs `cleanup` when the run ends, before the ones registered earlier. */
  onCleanup(cleanup: () => Promise<unknown>): void {
    this.cleanups.push(cleanup)
  }

  /** Runs every cleanup, newest first; one that fails does not stop the others. */
  async cleanUp(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined)
  }
}
