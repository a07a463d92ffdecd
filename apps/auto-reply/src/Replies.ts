import type { Rule } from "./AutoReplyConfig.js"

/** What a message is answered with: a template and the groups its pattern captured. */
export interface Answer {
  readonly template: string
  readonly captures: ReadonlyArray<string>
}

/** The text as written to the account: the @-mentions (`@Name\u2005`) taken out, trimmed. */
export const withoutMentions = (text: string, mentions: ReadonlyArray<string>): string =>
  mentions
    .reduce(
      (rest, name) =>
        rest
          .split(`@${name}\u2005`)
          .join(" ")
          .replace(new RegExp(`@${escape(name)}$`, "u"), ""),
      text,
    )
    .trim()

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const fold = (text: string, ignoreCase: boolean): string =>
  ignoreCase ? text.toLocaleLowerCase() : text

/** The first rule that matches the text, with its captured groups. */
export const firstMatch = (rules: ReadonlyArray<Rule>, text: string): Answer | undefined => {
  for (const rule of rules) {
    const answer = matchRule(rule, text)
    if (answer !== undefined) return answer
  }
  return undefined
}

const matchRule = (rule: Rule, text: string): Answer | undefined => {
  const subject = fold(text, rule.ignoreCase)
  if (rule.exact !== undefined)
    return subject === fold(rule.exact, rule.ignoreCase)
      ? { template: rule.reply, captures: [] }
      : undefined
  if (rule.keyword !== undefined) {
    const keywords = typeof rule.keyword === "string" ? [rule.keyword] : rule.keyword
    return keywords.some((k) => subject.includes(fold(k, rule.ignoreCase)))
      ? { template: rule.reply, captures: [] }
      : undefined
  }
  if (rule.regex !== undefined) {
    const match = new RegExp(rule.regex, rule.ignoreCase ? "iu" : "u").exec(text)
    return match
      ? { template: rule.reply, captures: match.slice(1).map((g) => g ?? "") }
      : undefined
  }
  return undefined
}

export interface TemplateValues {
  readonly sender: string
  readonly group: string
  readonly captures: ReadonlyArray<string>
}

/** Fills `{sender}`, `{group}` and `{1}`, `{2}`…; other braces are left as written. */
export const render = (template: string, values: TemplateValues): string =>
  template.replace(/\{(sender|group|\d+)\}/g, (whole, name: string) => {
    if (name === "sender") return values.sender
    if (name === "group") return values.group
    return values.captures[Number(name) - 1] ?? whole
  })
