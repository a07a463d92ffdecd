import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.mjs"],
    environment: "node",
    testTimeout: 60_000,
  },
})
