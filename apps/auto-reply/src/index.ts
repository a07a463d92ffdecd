export { APP, AutoReplyLive } from "./AutoReply.js"
export {
  AutoReplyConfig,
  Rule,
  Section,
  QuietHours,
  Webhook as WebhookConfig,
} from "./AutoReplyConfig.js"
export { AutoReplyRules } from "./AutoReplyRules.js"
export { Cooldowns, COOLDOWN_BUCKET } from "./Cooldowns.js"
export { Webhook, WebhookFailed } from "./Webhook.js"
