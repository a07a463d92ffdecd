/** `e` + 15 random digits; the official client makes a new one for every request. */
export const deviceId = (): string => "e" + String(Math.floor(Math.random() * 1e15)).padStart(15, "0")

/** The official client's ClientMsgId/LocalID: the time in ms and 4 random digits, 17 digits in all. */
export const clientMsgId = (now: number = Date.now()): string => String(now) + String(Math.floor(Math.random() * 10_000)).padStart(4, "0")

/** `r` parameters: the official client sends `~new Date()`, a negative 32-bit integer. */
export const negativeTimestamp = (now: number = Date.now()): number => ~now
