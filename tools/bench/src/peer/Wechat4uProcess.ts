import { NodeChild } from "./NodeChild.js"

/** What the bots' process tells the harness; `bot` is the bot's index. */
export type BotReport =
  | { readonly type: "ready" }
  | { readonly type: "uuid"; readonly bot: number; readonly uuid: string }
  /** wechat4u's `login`: after webwxinit, when its sync loop starts (again after each restart). */
  | { readonly type: "login"; readonly bot: number }
  | { readonly type: "logout"; readonly bot: number }
  | { readonly type: "error"; readonly bot: number; readonly message: string }
  | { readonly type: "echoFailed"; readonly bot: number; readonly message: string }

/** What the harness tells the bots' process. */
export type BotCommand = { readonly type: "start"; readonly count: number }

/**
 * N wechat4u bots in one Node process of their own (`wechat4uBots.ts`), each echoing the texts
 * it is sent, their HTTP sent to the simulator at `upstream` (the `WXFLEET_UPSTREAM` template).
 */
export class Wechat4uProcess {
  private constructor(private readonly child: NodeChild<BotReport, BotCommand>) {}

  /** Starts the process; it has loaded wechat4u and holds no bot yet. */
  static async start(upstream: string): Promise<Wechat4uProcess> {
    return new Wechat4uProcess(
      await NodeChild.start<BotReport, BotCommand>(
        "the wechat4u bots' process",
        "wechat4uBots.ts",
        {
          WXFLEET_UPSTREAM: upstream,
        },
      ),
    )
  }

  get pid(): number {
    return this.child.pid
  }

  get running(): boolean {
    return this.child.running
  }

  onReport(listener: (report: BotReport) => void): void {
    this.child.onReport(listener)
  }

  /** Starts bots 0 … count − 1: each asks for a QR code at once and reports its uuid. */
  startBots(count: number): void {
    this.child.send({ type: "start", count })
  }

  failure(what: string): Error {
    return this.child.failure(what)
  }

  stop(): Promise<void> {
    return this.child.stop()
  }
}
