import type { ReplyError } from "@wxfleet/contracts"

/** Fields of protocol errors worth giving a program (never secrets: errors carry none). */
const DETAIL_FIELDS = ["code", "ret", "errMsg", "endpoint", "host", "status", "serverMessage", "reason", "waiting", "limit"] as const

/** Any tagged error as the contract's `{tag, message, details}`. */
export const replyError = (error: { readonly _tag: string; readonly message: string }): ReplyError => {
  const details: Record<string, unknown> = {}
  for (const field of DETAIL_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field]
    if (typeof value === "string" || typeof value === "number") details[field] = value
  }
  return { tag: error._tag, message: error.message, ...(Object.keys(details).length > 0 ? { details } : {}) }
}
