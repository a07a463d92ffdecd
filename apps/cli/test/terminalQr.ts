/**
 * Reads a QR code back from what the `qrcode` library's small terminal renderer drew: each
 * character is two modules (top and bottom) made of a half-block glyph in the foreground colour
 * over the background colour, set by ANSI escapes. Returns the text jsQR decodes, or undefined.
 */
export const decodeTerminalQr = (
  output: string,
  jsQR: (data: Uint8ClampedArray, width: number, height: number) => { readonly data: string } | null,
): string | undefined => {
  const start = output.indexOf("\x1b[47m")
  const end = output.lastIndexOf("\x1b[0m")
  if (start < 0 || end < 0) return undefined
  const rows: Array<Array<boolean>> = []
  for (const line of output.slice(start, end).split("\n")) {
    const top: Array<boolean> = []
    const bottom: Array<boolean> = []
    let fg = "default"
    let bg = "default"
    for (let i = 0; i < line.length; i++) {
      if (line[i] === "\x1b") {
        const close = line.indexOf("m", i)
        for (const code of line.slice(i + 2, close).split(";")) {
          if (code === "0") fg = bg = "default"
          else if (code === "30") fg = "black"
          else if (code === "37") fg = "white"
          else if (code === "40") bg = "black"
          else if (code === "47") bg = "white"
        }
        i = close
        continue
      }
      const dark = (colour: string) => colour === "black"
      const ch = line[i]
      const halves: Record<string, readonly [string, string]> = { " ": [bg, bg], "█": [fg, fg], "▀": [fg, bg], "▄": [bg, fg] }
      const half = ch === undefined ? undefined : halves[ch]
      if (half === undefined) continue
      top.push(dark(half[0]))
      bottom.push(dark(half[1]))
    }
    if (top.length > 0) rows.push(top, bottom)
  }
  const size = Math.max(...rows.map((r) => r.length))
  const scale = 4
  const margin = 4
  const width = (size + 2 * margin) * scale
  const height = (rows.length + 2 * margin) * scale
  const rgba = new Uint8ClampedArray(width * height * 4).fill(255)
  rows.forEach((row, y) =>
    row.forEach((isDark, x) => {
      if (!isDark) return
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const at = (((y + margin) * scale + dy) * width + (x + margin) * scale + dx) * 4
          rgba[at] = rgba[at + 1] = rgba[at + 2] = 0
        }
    }),
  )
  return jsQR(rgba, width, height)?.data
}
