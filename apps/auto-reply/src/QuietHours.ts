import type { QuietHours } from "./AutoReplyConfig.js"

const minutes = (clock: string): number => {
  const [h, m] = clock.split(":").map(Number)
  return (h ?? 0) * 60 + (m ?? 0)
}

/** The local time of day at `at` in `timezone`, in minutes since midnight. */
const localMinutes = (at: Date, timezone: string): number => {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(at)
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? "0")
  return part("hour") * 60 + part("minute")
}

/** Whether `at` falls in the quiet hours (`from` included, `to` excluded; a span may cross midnight). */
export const isQuiet = (quiet: QuietHours, at: Date): boolean => {
  const now = localMinutes(at, quiet.timezone)
  const from = minutes(quiet.from)
  const to = minutes(quiet.to)
  return from <= to ? now >= from && now < to : now >= from || now < to
}
