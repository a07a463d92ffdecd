#!/usr/bin/env node
// `wxfleet`: the CLI from its sources. `up` runs the supervisor in this process, so it gets the
// supervisor's node flags too (runFromSources).
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { runFromSources } from "@wxfleet/supervisor/bin/runFromSources"

void runFromSources(join(dirname(fileURLToPath(import.meta.url)), "..", "src", "main.ts"), process.argv.slice(2))
