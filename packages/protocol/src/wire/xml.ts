import { Either } from "effect"
import { XMLParser } from "fast-xml-parser"

/** XML from the server or inside messages is untrusted: bounded in size, no DTDs, no entity expansion. */
export const MAX_XML_BYTES = 256 * 1024

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
  trimValues: false,
  cdataPropName: false,
})

export type XmlNode = { readonly [key: string]: XmlValue }
export type XmlValue = string | XmlNode | ReadonlyArray<XmlValue>

export const parseXml = (text: string): Either.Either<XmlNode, string> => {
  if (text.length > MAX_XML_BYTES) return Either.left(`XML over ${MAX_XML_BYTES} bytes`)
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return Either.left("XML with a DTD is refused")
  try {
    const parsed: unknown = parser.parse(text, true)
    return typeof parsed === "object" && parsed !== null ? Either.right(parsed as XmlNode) : Either.left("not XML")
  } catch (error) {
    return Either.left(`invalid XML: ${(error as Error).message}`)
  }
}

/** A child element's text ("" when absent or not text). */
export const childText = (node: XmlValue | undefined, name: string): string => {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return ""
  const child = (node as XmlNode)[name]
  if (typeof child === "string") return child
  if (child !== undefined && !Array.isArray(child) && typeof child === "object") {
    const text = (child as XmlNode)["#text"]
    return typeof text === "string" ? text : ""
  }
  return ""
}

export const child = (node: XmlValue | undefined, name: string): XmlNode | undefined => {
  if (node === undefined || typeof node === "string" || Array.isArray(node)) return undefined
  const value = (node as XmlNode)[name]
  if (value === undefined || typeof value === "string") return undefined
  return Array.isArray(value) ? (value[0] as XmlNode | undefined) : (value as XmlNode)
}
