import { NodeChild } from "./NodeChild.js"

/** What the echo worker tells the harness. */
export type EchoReport =
  | { readonly type: "ready" }
  | { readonly type: "echoFailed"; readonly account: string; readonly message: string }

/**
 * The wxfleet side's bot: a NATS client in its own process (`echoWorker.ts`) that answers every
 * text event of `wx.evt.*.message` with `wx.cmd.<account>.send_text` of the same text.
 */
export class EchoWorkerProcess {
  private constructor(private readonly child: NodeChild<EchoReport, never>) {}

  /** Starts the worker; it resolves once the worker is subscribed. */
  static async start(natsUrl: string): Promise<EchoWorkerProcess> {
    return new EchoWorkerProcess(
      await NodeChild.start<EchoReport, never>("the echo worker", "echoWorker.ts", {
        WXFLEET_NATS_URL: natsUrl,
      }),
    )
  }

  get pid(): number {
    return this.child.pid
  }

  get running(): boolean {
    return this.child.running
  }

  onReport(listener: (report: EchoReport) => void): void {
    this.child.onReport(listener)
  }

  failure(what: string): Error {
    return this.child.failure(what)
  }

  stop(): Promise<void> {
    return this.child.stop()
  }
}
