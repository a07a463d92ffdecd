import * as FileSystem from "@effect/platform/FileSystem"
import { watchRules, type ConfigFileError, type Rules } from "@wxfleet/worker"
import { Context, Layer, type SubscriptionRef } from "effect"
import { ModerationConfig } from "./ModerationConfig.js"

/** The moderation policies in force, reloaded when their file changes. */
export class ModerationRules extends Context.Tag("@wxfleet/moderation/ModerationRules")<
  ModerationRules,
  SubscriptionRef.SubscriptionRef<Rules<ModerationConfig>>
>() {
  static readonly layer = (
    file: string,
  ): Layer.Layer<ModerationRules, ConfigFileError, FileSystem.FileSystem> =>
    Layer.scoped(ModerationRules, watchRules(ModerationConfig, file))
}
