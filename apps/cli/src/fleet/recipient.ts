import type { ContactView } from "@wxfleet/contracts"
import { Either } from "effect"

/** UserNames the server gives special accounts; they are the same in every session. */
const SPECIAL = new Set(["filehelper", "weixin", "newsapp", "fmessage", "medianote"])

/** Whether `to` is already a UserName (`@…`, `@@…`, `filehelper`…), not a name to look up. */
export const isUserName = (to: string): boolean => to.startsWith("@") || SPECIAL.has(to)

export type RecipientProblem =
  | { readonly _tag: "NoSuchContact"; readonly name: string }
  | { readonly _tag: "AmbiguousContact"; readonly name: string; readonly candidates: ReadonlyArray<ContactView> }

const namesOf = (c: ContactView): ReadonlyArray<string> => [c.displayName, c.remarkName, c.nickName].filter((n) => n !== "")

/**
 * The contact a person means by `name`: one whose display name, remark or nickname is exactly
 * it, else the same ignoring case. More than one is ambiguous: the caller lists them.
 */
export const findRecipient = (
  contacts: ReadonlyArray<ContactView>,
  name: string,
): Either.Either<ContactView, RecipientProblem> => {
  const lower = name.toLowerCase()
  for (const matches of [
    (c: ContactView) => namesOf(c).includes(name),
    (c: ContactView) => namesOf(c).some((n) => n.toLowerCase() === lower),
  ]) {
    const found = contacts.filter(matches)
    if (found.length === 1) return Either.right(found[0]!)
    if (found.length > 1) return Either.left({ _tag: "AmbiguousContact", name, candidates: found })
  }
  return Either.left({ _tag: "NoSuchContact", name })
}

/** `Alice (remark Ally, @1a2b3c…, person)`: enough to tell candidates apart. */
export const describeContact = (c: ContactView): string => {
  const also = [c.remarkName && c.remarkName !== c.displayName ? `remark ${c.remarkName}` : "", c.nickName && c.nickName !== c.displayName ? `nickname ${c.nickName}` : ""].filter((s) => s !== "")
  return `${c.displayName || c.nickName} (${[...also, c.userName, c.kind].join(", ")})`
}
