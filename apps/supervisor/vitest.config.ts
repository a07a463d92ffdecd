import { projectConfig } from "../../tools/vitest.shared.mjs"

export default projectConfig()
