import { emojiToUnicode } from "./emoji.js"
import { decodeEntities } from "./entities.js"

/**
 * A name or short text as people read it: emoji spans first (so a literal `&lt;span…` typed by
 * someone stays text), then HTML entities, decoded once.
 */
export const readable = (raw: string): string => decodeEntities(emojiToUnicode(raw))
