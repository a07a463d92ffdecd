import {
  ContactEvent,
  ContactView,
  EVENTS_STREAM,
  FleetAccount,
  MessageEvent,
  ModerationEvent,
  ReplyError,
  SentReply,
  SessionEvent,
  subjects,
  type CommandOp,
  type CommandRequest,
  type EventKind,
} from "@wxfleet/contracts"
import { Nats, tryNats, type NatsError } from "@wxfleet/nats"
import { Config, Data, Effect, Either, Queue, Schema, Stream } from "effect"

/** No supervisor answered the request: none is running on this NATS, or it is stuck. */
export class FleetUnreachable extends Data.TaggedError("FleetUnreachable")<{
  readonly subject: string
  readonly reason: string
}> {
  override get message(): string {
    return `no supervisor answered ${this.subject} (${this.reason}); is one running on this NATS server?`
  }
}

/** The supervisor answered `{ok:false}`; `error.tag` says why (UnknownAccount, AccountNotRunning…). */
export class CommandRejected extends Data.TaggedError("CommandRejected")<{
  readonly subject: string
  readonly error: ReplyError
}> {
  override get message(): string {
    return `${this.subject}: ${this.error.tag}: ${this.error.message}`
  }
}

export type FleetError = FleetUnreachable | CommandRejected | NatsError

/** Which live events to follow: one account or all, some kinds or all. */
export interface EventFilter {
  readonly account?: string
  readonly kinds?: ReadonlyArray<EventKind>
}

/** One event read from `<prefix>.evt.<account>.<kind>`, decoded by its kind. */
export type FleetEvent =
  | { readonly kind: "session"; readonly account: string; readonly event: SessionEvent }
  | { readonly kind: "message"; readonly account: string; readonly event: MessageEvent }
  | { readonly kind: "contact"; readonly account: string; readonly event: ContactEvent }
  | { readonly kind: "moderation"; readonly account: string; readonly event: ModerationEvent }
  /** An event this CLI cannot decode (a newer supervisor, a foreign publisher): shown, not fatal. */
  | { readonly kind: "undecodable"; readonly account: string; readonly subject: string; readonly reason: string }

const Outcome = Schema.parseJson(Schema.Struct({ ok: Schema.Boolean, error: Schema.optional(ReplyError) }))
const decodeOutcome = Schema.decodeUnknownEither(Outcome)
const ContactsReply = Schema.Struct({ ok: Schema.Literal(true), contacts: Schema.Array(ContactView) })
const ListReply = Schema.Struct({ ok: Schema.Literal(true), accounts: Schema.Array(FleetAccount) })

const eventDecoders = {
  session: Schema.decodeUnknownEither(Schema.parseJson(SessionEvent)),
  message: Schema.decodeUnknownEither(Schema.parseJson(MessageEvent)),
  contact: Schema.decodeUnknownEither(Schema.parseJson(ContactEvent)),
  moderation: Schema.decodeUnknownEither(Schema.parseJson(ModerationEvent)),
} as const

/** Decodes one event by its subject (`<prefix>.evt.<account>.<kind>`); never throws. */
export const decodeEvent = (subject: string, body: string): FleetEvent => {
  const parts = subject.split(".")
  const account = parts[2] ?? "?"
  const kind = parts[3] as EventKind | undefined
  if (kind === undefined || !Object.hasOwn(eventDecoders, kind))
    return { kind: "undecodable", account, subject, reason: `unknown event kind ${kind ?? "(none)"}` }
  const failed = (error: { readonly message: string }): FleetEvent => ({
    kind: "undecodable",
    account,
    subject,
    reason: error.message,
  })
  switch (kind) {
    case "session":
      return Either.match(eventDecoders.session(body), { onLeft: failed, onRight: (event) => ({ kind, account, event }) })
    case "message":
      return Either.match(eventDecoders.message(body), { onLeft: failed, onRight: (event) => ({ kind, account, event }) })
    case "contact":
      return Either.match(eventDecoders.contact(body), { onLeft: failed, onRight: (event) => ({ kind, account, event }) })
    case "moderation":
      return Either.match(eventDecoders.moderation(body), { onLeft: failed, onRight: (event) => ({ kind, account, event }) })
  }
}

/**
 * What the CLI asks of a running fleet, over NATS only: `wx.fleet.*` and `wx.cmd.*` requests with
 * typed replies, and the live `wx.evt.*` events.
 */
export class FleetClient extends Effect.Service<FleetClient>()("@wxfleet/cli/FleetClient", {
  effect: Effect.gen(function* () {
    const nats = yield* Nats
    const prefix = yield* Config.string("WXFLEET_PREFIX").pipe(Config.withDefault("wx"))
    const s = subjects(prefix)

    /** A request whose reply is `{ok:true,…}` decoded by `schema`, or a typed failure. */
    const ask = <A, I>(
      subject: string,
      body: object,
      schema: Schema.Schema<A, I>,
      timeoutMs = 30_000,
    ): Effect.Effect<A, FleetError> =>
      Effect.gen(function* () {
        const reply = yield* Effect.tryPromise({
          try: () => nats.connection.request(subject, JSON.stringify(body), { timeout: timeoutMs }),
          catch: (cause) =>
            new FleetUnreachable({ subject, reason: cause instanceof Error ? cause.message : String(cause) }),
        })
        const text = reply.string()
        const outcome = decodeOutcome(text)
        if (Either.isLeft(outcome))
          return yield* new CommandRejected({ subject, error: { tag: "MalformedReply", message: outcome.left.message } })
        if (!outcome.right.ok)
          return yield* new CommandRejected({
            subject,
            error: outcome.right.error ?? { tag: "UnknownError", message: "the supervisor gave no reason" },
          })
        return yield* Schema.decodeUnknown(Schema.parseJson(schema))(text).pipe(
          Effect.mapError(
            (error) => new CommandRejected({ subject, error: { tag: "MalformedReply", message: error.message } }),
          ),
        )
      })

    const Done = Schema.Struct({ ok: Schema.Literal(true) })

    /**
     * A subscription whose messages queue up from the moment it returns. Callback-based, so
     * closing the scope unsubscribes at once instead of waiting on an async iterator.
     */
    const subscribe = (filter: EventFilter = {}) => {
      const subject = `${prefix}.evt.${filter.account ?? "*"}.*`
      return Effect.gen(function* () {
        const queue = yield* Effect.acquireRelease(Queue.unbounded<FleetEvent>(), Queue.shutdown)
        yield* Effect.acquireRelease(
          tryNats(`subscribe ${subject}`, async () => {
            const sub = nats.connection.subscribe(subject, {
              callback: (error, msg) => {
                if (error === null) queue.unsafeOffer(decodeEvent(msg.subject, msg.string()))
              },
            })
            await nats.connection.flush()
            return sub
          }),
          (sub) => Effect.sync(() => sub.unsubscribe()),
        )
        return Stream.fromQueue(queue).pipe(
          Stream.filter((e) => filter.kinds === undefined || e.kind === "undecodable" || filter.kinds.includes(e.kind)),
        )
      })
    }

    return {
      subjects: s,
      /** Every account of the fleet and its state. */
      list: () => Effect.map(ask(s.fleet("list"), {}, ListReply), (r) => r.accounts),
      add: (account: string, options: { readonly desktop?: boolean } = {}) =>
        ask(s.fleet("add"), { account, ...options }, Schema.Unknown),
      remove: (account: string) => ask(s.fleet("remove"), { account }, Done),
      /** `<prefix>.cmd.<account>.<op>`; the reply decoded by `schema`. */
      command: <Op extends CommandOp, A, I>(
        account: string,
        op: Op,
        body: CommandRequest<Op>,
        schema: Schema.Schema<A, I>,
        timeoutMs?: number,
      ) => ask(s.command(account, op), body, schema, timeoutMs),
      sendText: (account: string, to: string, text: string) =>
        ask(s.command(account, "send_text"), { to, text }, SentReply),
      contacts: (account: string) =>
        Effect.map(ask(s.command(account, "contacts"), {}, ContactsReply), (r) => r.contacts),
      /**
       * Live events from now on (core NATS, so nothing is replayed), of one account or all, of
       * some kinds or all. Undecodable events come through as `undecodable`.
       */
      events: (filter: EventFilter = {}) => Stream.unwrapScoped(subscribe(filter)),
      /**
       * The same live events, subscribed (and the server told) when this effect returns: what
       * happens after it is seen, e.g. the QR code of an account added next.
       */
      subscribe,
      /** The events stored in WX_EVENTS for one account and kind, oldest first. */
      storedEvents: (account: string, kind: EventKind) =>
        tryNats(`read ${s.event(account, kind)}`, async () => {
          const subject = s.event(account, kind)
          const info = await nats.manager.streams.info(EVENTS_STREAM, { subjects_filter: subject }).catch(() => null)
          const stored = info?.state.subjects?.[subject] ?? 0
          if (stored === 0) return [] as ReadonlyArray<FleetEvent>
          const consumer = await nats.jetstream.consumers.get(EVENTS_STREAM, { filter_subjects: subject })
          const events: Array<FleetEvent> = []
          // Each batch asks for exactly what is left, so it ends as soon as it is delivered.
          for (let left = stored; left > 0; ) {
            const batch = await consumer.fetch({ max_messages: Math.min(left, 500), expires: 2_000 })
            let got = 0
            for await (const m of batch) {
              got++
              events.push(decodeEvent(m.subject, m.string()))
            }
            if (got === 0) break
            left -= got
          }
          return events
        }),
      /** The last event stored for one subject (e.g. an account's last session event), if any. */
      lastEvent: (account: string, kind: EventKind) =>
        Effect.tryPromise({
          try: () => nats.manager.streams.getMessage(EVENTS_STREAM, { last_by_subj: s.event(account, kind) }),
          catch: (cause) => cause,
        }).pipe(
          Effect.map((m) => (m === null ? undefined : decodeEvent(m.subject, m.string()))),
          Effect.orElseSucceed(() => undefined),
        ),
    } as const
  }),
}) {}
