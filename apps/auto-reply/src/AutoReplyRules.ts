import * as FileSystem from "@effect/platform/FileSystem"
import { watchRules, type ConfigFileError, type Rules } from "@wxfleet/worker"
import { Context, Layer, type SubscriptionRef } from "effect"
import { AutoReplyConfig } from "./AutoReplyConfig.js"

/** The auto-reply rules in force, reloaded when their file changes. */
export class AutoReplyRules extends Context.Tag("@wxfleet/auto-reply/AutoReplyRules")<
  AutoReplyRules,
  SubscriptionRef.SubscriptionRef<Rules<AutoReplyConfig>>
>() {
  static readonly layer = (
    file: string,
  ): Layer.Layer<AutoReplyRules, ConfigFileError, FileSystem.FileSystem> =>
    Layer.scoped(AutoReplyRules, watchRules(AutoReplyConfig, file))
}
