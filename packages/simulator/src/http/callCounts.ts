/**
 * Calls answered per endpoint since the last reading, for the whole process (like its event-loop
 * lag): a benchmark divides its messages by the webwxsync calls that carried them, since a
 * loaded client batches more messages a round and each round, not each message, costs most.
 */
const counts = new Map<string, number>()

/** Counts a call to the route at `path` (a route's own constant, so this allocates nothing). */
export const countCall = (path: string): void => {
  counts.set(path, (counts.get(path) ?? 0) + 1)
}

/** The calls since the last reading by endpoint name (`webwxsync`, `synccheck`, …); starts afresh. */
export const takeCallCounts = (): Record<string, number> => {
  const byName: Record<string, number> = {}
  for (const [path, count] of counts) {
    const name = path.slice(path.lastIndexOf("/") + 1)
    byName[name] = (byName[name] ?? 0) + count
  }
  counts.clear()
  return byName
}
