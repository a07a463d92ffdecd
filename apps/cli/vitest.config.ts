import { projectConfig } from "../../tools/vitest.shared.mjs"

export default projectConfig({ test: { globalSetup: ["test/globalSetup.ts"] } })
