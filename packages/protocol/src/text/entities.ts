/** Named entities the server and the apps that feed it produce; anything else is numeric. */
const NAMED: ReadonlyMap<string, string> = new Map([
  ["amp", "&"],
  ["lt", "<"],
  ["gt", ">"],
  ["quot", '"'],
  ["apos", "'"],
  ["nbsp", "\u00a0"],
  ["copy", "\u00a9"],
  ["reg", "\u00ae"],
  ["trade", "\u2122"],
  ["yen", "\u00a5"],
  ["middot", "\u00b7"],
  ["hellip", "\u2026"],
  ["mdash", "\u2014"],
  ["ndash", "\u2013"],
  ["lsquo", "\u2018"],
  ["rsquo", "\u2019"],
  ["ldquo", "\u201c"],
  ["rdquo", "\u201d"],
  ["times", "\u00d7"],
  ["divide", "\u00f7"],
])

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));/g

const fromCode = (code: number, entity: string): string =>
  code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) && code !== 0 ? String.fromCodePoint(code) : entity

/**
 * Decodes HTML entities exactly once, in a single pass, so `&amp;lt;` becomes `&lt;` and not `<`
 * (the server double-escapes inside XML-bearing contents). Unknown names stay as written.
 */
export const decodeEntities = (text: string): string =>
  text.includes("&")
    ? text.replace(ENTITY, (entity, decimal: string | undefined, hex: string | undefined, name: string | undefined) =>
        decimal !== undefined
          ? fromCode(Number(decimal), entity)
          : hex !== undefined
            ? fromCode(parseInt(hex, 16), entity)
            : (NAMED.get(name ?? "") ?? entity),
      )
    : text
