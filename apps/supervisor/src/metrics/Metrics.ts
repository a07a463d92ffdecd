import { Effect, Layer, Context } from "effect"
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client"

/** The fleet's permits shared by every session: webwxsync calls, logins and resumes, commands. */
const FLEET_GATES = ["sync", "login", "command"] as const
type FleetGate = (typeof FLEET_GATES)[number]

/**
 * The supervisor's Prometheus metrics, with prom-client (the maintained Node client for the
 * text exposition format). One registry per supervisor, so tests can run several.
 */
export const makeMetrics = () => {
  const registry = new Registry()
  // process_* and nodejs_* (RSS, heap, event-loop lag, handles): what an operator sizes a fleet by.
  collectDefaultMetrics({ register: registry })
  const sessions = new Gauge({
    name: "wxfleet_sessions",
    help: "Account sessions by state",
    labelNames: ["state"] as const,
    registers: [registry],
  })
  // The fleet says how to count its waiting sends once it runs; read only when scraped.
  let waitingSends: () => number = () => 0
  let waitingAtGates: Readonly<Record<FleetGate, () => number>> = { sync: () => 0, login: () => 0, command: () => 0 }
  return {
    registry,
    sessions,
    sendsWaiting: new Gauge({
      name: "wxfleet_sends_waiting",
      help: "Sends waiting for their account's pacing turn, all accounts (each account holds at most WXFLEET_SEND_BACKLOG)",
      registers: [registry],
      collect() {
        this.set(waitingSends())
      },
    }),
    /** How `wxfleet_sends_waiting` counts, read at each scrape. */
    countWaitingSends: (count: () => number): void => {
      waitingSends = count
    },
    gateWaiting: new Gauge({
      name: "wxfleet_gate_waiting",
      help:
        "Sessions or commands waiting for a fleet-wide permit: gate=sync, a webwxsync whose synccheck answered " +
        "(WXFLEET_SYNC_CONCURRENCY; a line here delays every message behind it); gate=login, a resume or login " +
        "(WXFLEET_LOGIN_CONCURRENCY); gate=command, a command (WXFLEET_COMMAND_CONCURRENCY)",
      labelNames: ["gate"] as const,
      registers: [registry],
      collect() {
        for (const gate of FLEET_GATES) this.set({ gate }, waitingAtGates[gate]())
      },
    }),
    /** How `wxfleet_gate_waiting` counts, read at each scrape. */
    countWaitingAtGates: (count: Readonly<Record<FleetGate, () => number>>): void => {
      waitingAtGates = count
    },
    synccheckFailures: new Counter({
      name: "wxfleet_synccheck_failures_total",
      help: "synccheck/webwxsync failures, by webpush host",
      labelNames: ["host"] as const,
      registers: [registry],
    }),
    messagesIn: new Counter({
      name: "wxfleet_messages_in_total",
      help: "Messages received and published to NATS",
      registers: [registry],
    }),
    eventsOversized: new Counter({
      name: "wxfleet_events_oversized_total",
      help:
        "Events larger than the NATS server's max_payload, by kind: not published (each is logged with its account " +
        "and id) so that the account's later events are; raise max_payload if this grows",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    messageDelay: new Histogram({
      name: "wxfleet_message_delay_seconds",
      help:
        "From a message's CreateTime to JetStream's acknowledgement of its event: how late messages reach NATS " +
        "(CreateTime has whole seconds, so this reads up to 1 s long; a fleet behind on its messages, or catching " +
        "up after a restart or an outage, shows here)",
      buckets: [1, 2, 3, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    }),
    messagesOut: new Counter({
      name: "wxfleet_messages_out_total",
      help: "Messages sent by commands",
      labelNames: ["op"] as const,
      registers: [registry],
    }),
    sendLatency: new Histogram({
      name: "wxfleet_send_latency_seconds",
      help: "Time from a send command's arrival to the server's answer, pacing included",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    contactsListings: new Counter({
      name: "wxfleet_contacts_listings_total",
      help: "Answers to the contacts command: listed (asked WeChat), shared (joined a listing in flight), kept (a recent listing, contacts unchanged)",
      labelNames: ["answer"] as const,
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: "wxfleet_rate_limited_total",
      help: "1205 answers (the server throttled an account)",
      registers: [registry],
    }),
    stateSaves: new Counter({
      name: "wxfleet_state_saves_total",
      help: "Encrypted session states written to KV, by reason (changed: cookies or keys; routine: the SyncKey moved on; stop)",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    unsavedSessions: new Gauge({
      name: "wxfleet_state_unsaved_sessions",
      help: "Sessions whose newest SyncKey waits for a routine save",
      registers: [registry],
    }),
    commands: new Counter({
      name: "wxfleet_commands_total",
      help: "Commands answered, by operation and outcome",
      labelNames: ["op", "outcome"] as const,
      registers: [registry],
    }),
  }
}

export type MetricsShape = ReturnType<typeof makeMetrics>

export class Metrics extends Context.Tag("@wxfleet/supervisor/Metrics")<Metrics, MetricsShape>() {
  static readonly layer: Layer.Layer<Metrics> = Layer.sync(Metrics, makeMetrics)
}

/** Counts a session moving between states in the sessions gauge. */
export const countTransition = (from: string | undefined, to: string | undefined) =>
  Effect.flatMap(Metrics, ({ sessions }) =>
    Effect.sync(() => {
      if (from !== undefined) sessions.dec({ state: from })
      if (to !== undefined) sessions.inc({ state: to })
    }),
  )
