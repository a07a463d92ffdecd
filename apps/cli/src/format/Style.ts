import { styleText } from "node:util"

type Format = Parameters<typeof styleText>[0]

/** Colours for people at a terminal; plain text for pipes, files and `NO_COLOR`. */
export interface Style {
  readonly dim: (text: string) => string
  readonly bold: (text: string) => string
  readonly account: (text: string) => string
  readonly good: (text: string) => string
  readonly warn: (text: string) => string
  readonly bad: (text: string) => string
  readonly info: (text: string) => string
  readonly name: (text: string) => string
}

const make = (paint: (format: Format, text: string) => string): Style => ({
  dim: (text) => paint("dim", text),
  bold: (text) => paint("bold", text),
  account: (text) => paint("cyan", text),
  good: (text) => paint("green", text),
  warn: (text) => paint("yellow", text),
  bad: (text) => paint("red", text),
  info: (text) => paint("blue", text),
  name: (text) => paint("magenta", text),
})

export const plain: Style = make((_, text) => text)
export const coloured: Style = make((format, text) => styleText(format, text))

/** Colour when the stream is a terminal and `NO_COLOR` is not set (https://no-color.org). */
export const styleFor = (stream: { readonly isTTY?: boolean }): Style =>
  stream.isTTY === true && !process.env["NO_COLOR"] ? coloured : plain
