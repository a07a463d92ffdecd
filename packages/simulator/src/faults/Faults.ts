import type { IncomingMessage } from "node:http"

export type MalformedKind = "truncated" | "html" | "empty"

interface MalformedRule {
  readonly host: string | undefined
  readonly path: string | undefined
  readonly kind: MalformedKind
  remaining: number
}

interface HeldPoll {
  readonly host: string
  readonly account: string
  readonly request: IncomingMessage
}

/** Transport-level misbehaviour the simulator can be told to show. */
export class Faults {
  private readonly down = new Set<string>()
  private readonly latency = new Map<string, number>()
  private readonly malformed: Array<MalformedRule> = []
  private readonly held = new Set<HeldPoll>()

  /** Requests to a host that is down have their connection reset before any byte is answered. */
  hostDown(host: string): void {
    this.down.add(host)
    for (const poll of [...this.held]) if (poll.host === host) poll.request.socket.destroy()
  }

  hostUp(host: string): void {
    this.down.delete(host)
  }

  isDown(host: string): boolean {
    return this.down.has(host)
  }

  /** Adds a delay before every answer of a host ("*" for all hosts). */
  setLatency(host: string, ms: number): void {
    if (ms <= 0) this.latency.delete(host)
    else this.latency.set(host, ms)
  }

  latencyFor(host: string): number {
    return (this.latency.get(host) ?? 0) + (this.latency.get("*") ?? 0)
  }

  /** The next `count` answers matching host and path (a suffix such as `/webwxsync`) are broken. */
  malformNext(options: { host?: string; path?: string; kind?: MalformedKind; count?: number }): void {
    this.malformed.push({
      host: options.host,
      path: options.path,
      kind: options.kind ?? "truncated",
      remaining: options.count ?? 1,
    })
  }

  /** Takes one matching malformed rule, if any, for an answer about to be written. */
  takeMalformed(host: string, path: string): MalformedKind | undefined {
    const rule = this.malformed.find(
      (r) => r.remaining > 0 && (r.host === undefined || r.host === host) && (r.path === undefined || path.endsWith(r.path)),
    )
    if (!rule) return undefined
    rule.remaining -= 1
    if (rule.remaining === 0) this.malformed.splice(this.malformed.indexOf(rule), 1)
    return rule.kind
  }

  /** Registers a held long poll so a fault can cut it; returns the function that unregisters it. */
  holdPoll(host: string, account: string, request: IncomingMessage): () => void {
    const poll = { host, account, request }
    this.held.add(poll)
    return () => this.held.delete(poll)
  }

  /** Cuts the connections of held synccheck polls (all, or one host's, or one account's). */
  dropLongPolls(filter: { host?: string; account?: string } = {}): number {
    let dropped = 0
    for (const poll of [...this.held]) {
      if ((filter.host === undefined || poll.host === filter.host) && (filter.account === undefined || poll.account === filter.account)) {
        poll.request.socket.destroy()
        this.held.delete(poll)
        dropped++
      }
    }
    return dropped
  }

  get heldPolls(): number {
    return this.held.size
  }

  clear(): void {
    this.down.clear()
    this.latency.clear()
    this.malformed.length = 0
  }
}
