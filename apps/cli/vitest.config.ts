import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: { conditions: ["@wxfleet/source"] },
  ssr: { resolve: { conditions: ["@wxfleet/source"] } },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
