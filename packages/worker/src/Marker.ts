/**
 * Ends every text a worker sends. Invisible to people, it lets every worker recognise a bot's
 * message and never answer it, so two bots (ours or another fleet's running wxfleet) cannot
 * talk to each other forever.
 */
export const MARKER = "\u200b\u200c\u200b"

export const withMarker = (text: string): string =>
  text.endsWith(MARKER) ? text : `${text}${MARKER}`

export const hasMarker = (text: string): boolean => text.includes(MARKER)
