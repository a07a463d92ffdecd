import { ContactEvent, SessionEvent, subjects, type ContactView } from "@wxfleet/contracts"
import type { NatsError } from "@wxfleet/nats"
import { Cache, Duration, Effect, Exit, Option } from "effect"
import { Commands, type CommandFailed } from "./Commands.js"
import { followEvents } from "./Subscriptions.js"
import { WorkerConfig } from "./WorkerConfig.js"

export type Member = NonNullable<ContactView["members"]>[number]

/** The names someone goes by, in a group or as a contact: what configs and fleet matching use. */
export interface Names {
  /** What to @-mention them as: the group nickname, our remark, else their nickname. */
  readonly display: string
  readonly all: ReadonlyArray<string>
}

type Book = ReadonlyMap<string, ContactView>

const byUserName = (contacts: ReadonlyArray<ContactView>): Book =>
  new Map(contacts.map((c) => [c.userName, c]))

/**
 * Each account's contacts as its session names them (UserNames change when an account logs in
 * again): listed once with the `contacts` command and cached, kept fresh by contact events,
 * forgotten when the account logs in again. Group members come from contact events, since the
 * contact list carries rooms without their members.
 */
export class Directory extends Effect.Service<Directory>()("@wxfleet/worker/Directory", {
  scoped: Effect.gen(function* () {
    const config = yield* WorkerConfig
    const commands = yield* Commands
    const s = subjects(config.prefix)

    const listed = yield* Cache.makeWith({
      capacity: 100_000,
      lookup: (account: string) => Effect.map(commands.contacts(account), byUserName),
      // A failed listing (the account is not logged in yet) is asked again next time.
      timeToLive: (exit) => (Exit.isSuccess(exit) ? config.contactsTtl : Duration.zero),
    })
    /** What contact events said since the listing, newer than it; `null` is a removal. */
    const changes = new Map<string, Map<string, ContactView | null>>()

    yield* followEvents(`${s.prefix}.evt.*.contact`, ContactEvent, (event) =>
      Effect.sync(() => {
        const book = changes.get(event.account) ?? new Map<string, ContactView | null>()
        changes.set(event.account, book)
        book.set(event.userName, event.contact ?? null)
      }),
    )
    yield* followEvents(`${s.prefix}.evt.*.session`, SessionEvent, (event) =>
      event.state === "logged_in"
        ? Effect.zipRight(
            Effect.sync(() => changes.delete(event.account)),
            listed.invalidate(event.account),
          )
        : Effect.void,
    )

    const contact = (
      account: string,
      userName: string,
    ): Effect.Effect<Option.Option<ContactView>, CommandFailed | NatsError> => {
      const changed = changes.get(account)?.get(userName)
      if (changed !== undefined) return Effect.succeed(Option.fromNullable(changed))
      return Effect.map(listed.get(account), (book) => Option.fromNullable(book.get(userName)))
    }

    /** Someone as this account sees them, in a group when `room` is given. */
    const names = (account: string, userName: string, room?: string) =>
      Effect.gen(function* () {
        if (room !== undefined) {
          const group = yield* contact(account, room)
          const member = Option.flatMap(group, (g) =>
            Option.fromNullable(g.members?.find((m) => m.userName === userName)),
          )
          if (Option.isSome(member)) {
            const m = member.value
            return Option.some<Names>({
              display: m.displayName || m.nickName,
              all: distinct([m.displayName, m.nickName]),
            })
          }
        }
        return Option.map(yield* contact(account, userName), (c): Names => ({
          display: c.displayName,
          all: distinct([c.displayName, c.nickName, c.remarkName]),
        }))
      })

    /** A person or group found by one of its names (e.g. a configured admin to notify). */
    const findByName = (account: string, name: string) =>
      Effect.map(listed.get(account), (book) => {
        const changed = [...(changes.get(account)?.values() ?? [])].filter(
          (c): c is ContactView => c !== null,
        )
        const all = [...changed, ...book.values()]
        return Option.fromNullable(
          all.find((c) => c.userName === name || c.displayName === name || c.nickName === name),
        )
      })

    return { contact, names, findByName } as const
  }),
}) {}

const distinct = (names: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...new Set(names.filter((n) => n !== "")),
]
