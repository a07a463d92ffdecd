import { graphemes, graphemeWidth } from "./width.js"

/** The line being typed: its graphemes (so a cursor never splits a CJK character or an emoji) and the cursor. */
export interface Draft {
  readonly text: ReadonlyArray<string>
  readonly cursor: number
}

export const emptyDraft: Draft = { text: [], cursor: 0 }

export const draftText = (draft: Draft): string => draft.text.join("")

export type Edit =
  | { readonly _tag: "Insert"; readonly text: string }
  | { readonly _tag: "DeleteBack" }
  | { readonly _tag: "DeleteForward" }
  | { readonly _tag: "Left" }
  | { readonly _tag: "Right" }
  | { readonly _tag: "Home" }
  | { readonly _tag: "End" }
  | { readonly _tag: "Clear" }

export const edit = (draft: Draft, e: Edit): Draft => {
  const { text, cursor } = draft
  switch (e._tag) {
    case "Insert": {
      // A pasted block arrives as one input: keep it on the one line.
      const inserted = graphemes(e.text.replace(/[\r\n]+/g, " ").replace(/\p{Cc}/gu, ""))
      return {
        text: [...text.slice(0, cursor), ...inserted, ...text.slice(cursor)],
        cursor: cursor + inserted.length,
      }
    }
    case "DeleteBack":
      return cursor === 0
        ? draft
        : { text: [...text.slice(0, cursor - 1), ...text.slice(cursor)], cursor: cursor - 1 }
    case "DeleteForward":
      return cursor === text.length
        ? draft
        : { text: [...text.slice(0, cursor), ...text.slice(cursor + 1)], cursor }
    case "Left":
      return { text, cursor: Math.max(0, cursor - 1) }
    case "Right":
      return { text, cursor: Math.min(text.length, cursor + 1) }
    case "Home":
      return { text, cursor: 0 }
    case "End":
      return { text, cursor: text.length }
    case "Clear":
      return emptyDraft
  }
}

/**
 * The part of the draft that fits in `width` columns with the cursor in view: the text before
 * the cursor, the grapheme under it (a space at the end) and the text after.
 */
export const draftWindow = (
  draft: Draft,
  width: number,
): { readonly before: string; readonly at: string; readonly after: string } => {
  const at = draft.text[draft.cursor] ?? " "
  const room = Math.max(0, width - graphemeWidth(at))
  let start = draft.cursor
  let used = 0
  // Show as much as fits before the cursor, then fill what is left with what follows it.
  while (start > 0 && used + graphemeWidth(draft.text[start - 1]!) <= room) {
    start--
    used += graphemeWidth(draft.text[start]!)
  }
  let end = draft.cursor + 1
  while (end < draft.text.length && used + graphemeWidth(draft.text[end]!) <= room) {
    used += graphemeWidth(draft.text[end]!)
    end++
  }
  return {
    before: draft.text.slice(start, draft.cursor).join(""),
    at,
    after: draft.text.slice(draft.cursor + 1, end).join(""),
  }
}

/** What Enter in the composer asks for. */
export type Submission =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Media"; readonly kind: "image" | "file"; readonly path: string }
  | { readonly _tag: "Revoke" }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Quit" }
  | { readonly _tag: "Nothing" }
  | { readonly _tag: "Invalid"; readonly reason: string }

/** Reads a submitted line: text to send, or a `/command` (`//` sends a text starting with `/`). */
export const parseSubmission = (line: string): Submission => {
  if (line.trim().length === 0) return { _tag: "Nothing" }
  if (line.startsWith("//")) return { _tag: "Text", text: line.slice(1) }
  if (!line.startsWith("/")) return { _tag: "Text", text: line }
  const [, name = "", rest = ""] = /^\/(\S*)\s*(.*)$/.exec(line.trim()) ?? []
  switch (name) {
    case "image":
    case "file":
      return rest.length === 0
        ? { _tag: "Invalid", reason: `/${name} needs a path: /${name} <path>` }
        : { _tag: "Media", kind: name, path: rest }
    case "revoke":
      return { _tag: "Revoke" }
    case "help":
      return { _tag: "Help" }
    case "quit":
      return { _tag: "Quit" }
    default:
      return {
        _tag: "Invalid",
        reason: `unknown command /${name}; /help lists them (// sends a text starting with /)`,
      }
  }
}
