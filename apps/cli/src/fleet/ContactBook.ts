import type { ContactView } from "@wxfleet/contracts"
import { Effect } from "effect"
import type { Names } from "../format/formatEvent.js"
import { FleetClient, type FleetEvent } from "./FleetClient.js"

/**
 * The names behind each account's UserNames, for showing events to people: the `contacts`
 * listing, the contact events stored before (the listing has rooms without their members) and
 * those that arrive. A new login renames everyone, so it starts the account's book again.
 */
export class ContactBook implements Names {
  private readonly books = new Map<string, Map<string, ContactView>>()
  private readonly selves = new Map<string, string>()

  contact(account: string, userName: string): string | undefined {
    const c = this.books.get(account)?.get(userName)
    return c === undefined ? undefined : c.displayName || c.nickName || undefined
  }

  member(account: string, room: string, userName: string): string | undefined {
    const m = this.books.get(account)?.get(room)?.members?.find((member) => member.userName === userName)
    return m === undefined ? undefined : m.displayName || m.nickName || undefined
  }

  self(account: string): string | undefined {
    return this.selves.get(account)
  }

  /** Whether the account's names were not read yet. */
  needs(account: string): boolean {
    return !this.books.has(account)
  }

  /** Keeps the book current with an event as it is shown. */
  observe(event: FleetEvent): void {
    if (event.kind === "session" && event.event.state === "logged_in") {
      this.books.delete(event.account)
      if (event.event.self !== undefined) this.selves.set(event.account, event.event.self.nickName)
    }
    if (event.kind === "contact") {
      const book = this.books.get(event.account)
      if (book !== undefined) apply(book, event)
    }
  }

  /**
   * Reads the account's names: stored contact events, then the listing over them. Best effort:
   * an account that is not logged in gets an empty book and its UserNames are shown.
   */
  load(account: string): Effect.Effect<void, never, FleetClient> {
    return Effect.gen(this, function* () {
      const fleet = yield* FleetClient
      const book = new Map<string, ContactView>()
      this.books.set(account, book)
      const stored = yield* Effect.orElseSucceed(fleet.storedEvents(account, "contact"), () => [])
      for (const event of stored) apply(book, event)
      const listed = yield* Effect.orElseSucceed(fleet.contacts(account), () => [])
      for (const c of listed) {
        const known = book.get(c.userName)
        book.set(c.userName, c.members === undefined && known?.members !== undefined ? { ...c, members: known.members } : c)
      }
    })
  }
}

const apply = (book: Map<string, ContactView>, event: FleetEvent): void => {
  if (event.kind !== "contact") return
  if (event.event.contact === undefined) book.delete(event.event.userName)
  else book.set(event.event.userName, event.event.contact)
}
