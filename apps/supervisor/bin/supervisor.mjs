#!/usr/bin/env node
// `wxfleet-supervisor`: the supervisor from its sources, configured by `WXFLEET_*`.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { runFromSources } from "./runFromSources.mjs"

runFromSources(join(dirname(fileURLToPath(import.meta.url)), "..", "src", "main.ts"), process.argv.slice(2))
