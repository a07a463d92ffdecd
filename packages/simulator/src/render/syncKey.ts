import type { Session } from "../world/Session.js"

export type SyncKeyWire = {
  readonly Count: number
  readonly List: ReadonlyArray<{ readonly Key: number; readonly Val: number }>
}

/**
 * SyncKey values encode the session's position in the account's log: Key 1 (and 2, 3, 11) hold
 * `base + position`; 201/203/1000-1002 hold unix seconds, as real keys do.
 */
const keyList = (session: Session, position: number, keys: ReadonlyArray<number>, nowSeconds: number): SyncKeyWire => ({
  Count: keys.length,
  List: keys.map((Key) => ({ Key, Val: Key < 100 ? (Key === 13 ? 0 : session.syncBase + Key * 1_000 + position) : nowSeconds })),
})

/** webwxinit's key: four entries. */
export const initSyncKey = (session: Session, position: number, nowSeconds: number): SyncKeyWire =>
  keyList(session, position, [1, 2, 3, 1000], nowSeconds)

export const syncKey = (session: Session, position: number, nowSeconds: number): SyncKeyWire =>
  keyList(session, position, [1, 2, 3, 11, 201, 1000, 1001], nowSeconds)

/** What webwxsync answers as `SyncCheckKey`, the key synccheck expects. */
export const syncCheckKey = (session: Session, position: number, nowSeconds: number): SyncKeyWire =>
  keyList(session, position, [1, 2, 3, 11, 13, 201, 203, 1000, 1001, 1002], nowSeconds)

/** The position a key names, or undefined when it is not one of this session's keys. */
const positionOfPairs = (session: Session, pairs: ReadonlyArray<readonly [number, number]>, head: number): number | undefined => {
  const key1 = pairs.find(([key]) => key === 1)
  if (!key1) return undefined
  const position = key1[1] - session.syncBase - 1_000
  if (!Number.isInteger(position) || position < 0 || position > head) return undefined
  return position
}

/** Reads webwxsync's `SyncKey` body field. */
export const positionOfSyncKey = (session: Session, value: unknown, head: number): number | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const list = (value as { List?: unknown }).List
  if (!Array.isArray(list)) return undefined
  const pairs = list.flatMap((item: unknown) => {
    const { Key, Val } = (item ?? {}) as { Key?: unknown; Val?: unknown }
    return typeof Key === "number" && typeof Val === "number" ? [[Key, Val] as const] : []
  })
  return positionOfPairs(session, pairs, head)
}

/** Reads synccheck's `synckey=1_…|2_…` parameter. */
export const positionOfSynccheckParam = (session: Session, param: string, head: number): number | undefined => {
  const pairs = param.split("|").flatMap((part) => {
    const [key, val] = part.split("_")
    const k = Number(key)
    const v = Number(val)
    return Number.isInteger(k) && Number.isInteger(v) && key !== "" && val !== "" ? [[k, v] as const] : []
  })
  return positionOfPairs(session, pairs, head)
}
