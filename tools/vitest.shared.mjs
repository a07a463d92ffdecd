// The test settings every wxfleet project shares: workspace packages resolved to their sources
// (the @wxfleet/source condition), tests in test/ and beside the sources, and deadlines that fit
// tests running real nats-server and simulator processes. A project passes only what differs.
import { defineConfig, mergeConfig } from "vitest/config"

const shared = defineConfig({
  resolve: { conditions: ["@wxfleet/source"] },
  ssr: { resolve: { conditions: ["@wxfleet/source"] } },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})

/** A project's vitest config: the shared settings with `overrides` merged in. */
export const projectConfig = (overrides = {}) => mergeConfig(shared, overrides)
