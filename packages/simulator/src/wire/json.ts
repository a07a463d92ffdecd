/**
 * JSON as the Web WeChat servers write it: no indentation, a newline before the comma that
 * follows a nested object or array (`}\n,`), raw UTF-8, and 64-bit integers (`NewMsgId`) as bare
 * numbers — which `JSON.stringify` cannot produce, so values of type `bigint` are written bare.
 */
export type WireValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | ReadonlyArray<WireValue>
  | { readonly [key: string]: WireValue }

export const writeWireJson = (value: WireValue): string => write(value)

const isNested = (value: WireValue): boolean => typeof value === "object" && value !== null

/** `"key":` for each key seen: the servers' answers use a few hundred keys, over and over. */
const quotedKeys = new Map<string, string>()
const KEYS_REMEMBERED = 10_000
const quotedKey = (key: string): string => {
  let quoted = quotedKeys.get(key)
  if (quoted === undefined) {
    quoted = JSON.stringify(key) + ":"
    if (quotedKeys.size < KEYS_REMEMBERED) quotedKeys.set(key, quoted)
  }
  return quoted
}

// One string built by concatenation (V8 joins the pieces once, when the text is written out).
const write = (value: WireValue): string => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value)
    case "number":
      return Number.isFinite(value) ? String(value) : "null"
    case "boolean":
      return value ? "true" : "false"
    case "bigint":
      return value.toString()
    case "undefined":
      return "null"
  }
  if (value === null) return "null"
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += isNested(value[i - 1]) ? "\n," : ","
      out += write(value[i])
    }
    return out + "]"
  }
  let out = "{"
  let previousNested: boolean | undefined
  const record = value as { readonly [key: string]: WireValue }
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    const item = record[key]
    if (item === undefined) continue
    if (previousNested !== undefined) out += previousNested ? "\n," : ","
    out += quotedKey(key) + write(item)
    previousNested = isNested(item)
  }
  return out + "}"
}
