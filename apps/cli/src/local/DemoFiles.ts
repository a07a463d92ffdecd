/** The demo's auto-reply rules (apps/auto-reply format): a few keywords, and a default. */
export const DEMO_AUTO_REPLY = `# The demo bot's rules (apps/auto-reply); edit while the demo runs: they reload.
accounts:
  "*":
    private: true
    groups: mentioned
    rules:
      - keyword: [saturday]
        reply: "Yes {sender}, Saturday 9:00 at the trailhead!"
      - keyword: [report]
        reply: "The report is on its way, {sender}."
      - regex: "吃饭"
        reply: "好啊，七点见！"
    default: "Hi {sender}, this is the fleet's auto-reply: got it!"
    cooldown: 20 seconds
`

/** The demo's moderation policies (apps/moderation format), for the group "Weekend hikers". */
export const DEMO_MODERATION = `# The demo's group policies (apps/moderation); try a link or "spam" in the group.
accounts:
  "*":
    groups:
      "Weekend hikers":
        bannedWords: { words: [spam], action: warn }
        links: { action: warn }
        warning: "please keep to the group rules: {reason}"
`
