import type { UserConfig } from "vitest/config"

/** A project's vitest config: the shared settings with `overrides` merged in. */
export declare const projectConfig: (overrides?: UserConfig) => UserConfig
