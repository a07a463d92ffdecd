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

export const writeWireJson = (value: WireValue): string => {
  const out: Array<string> = []
  write(value, out)
  return out.join("")
}

const isNested = (value: WireValue): boolean => typeof value === "object" && value !== null

const write = (value: WireValue, out: Array<string>): void => {
  if (value === null || value === undefined) {
    out.push("null")
  } else if (typeof value === "bigint") {
    out.push(value.toString())
  } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    out.push(JSON.stringify(value))
  } else if (Array.isArray(value)) {
    out.push("[")
    value.forEach((item, i) => {
      if (i > 0) out.push(isNested(value[i - 1]) ? "\n," : ",")
      write(item, out)
    })
    out.push("]")
  } else {
    out.push("{")
    let previousNested: boolean | undefined
    for (const [key, item] of Object.entries(value as { readonly [key: string]: WireValue })) {
      if (item === undefined) continue
      if (previousNested !== undefined) out.push(previousNested ? "\n," : ",")
      out.push(JSON.stringify(key), ":")
      write(item, out)
      previousNested = isNested(item)
    }
    out.push("}")
  }
}
