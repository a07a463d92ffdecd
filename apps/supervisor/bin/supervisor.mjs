#!/usr/bin/env node
// `wxfleet-supervisor`: the supervisor, bundled from its sources at start (dist/), configured by
// `WXFLEET_*`; `WXFLEET_RUN_FROM_SOURCES=1` runs the sources through tsx instead.
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { runFromSources } from "./runFromSources.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
void runFromSources(join(root, "src", "main.ts"), process.argv.slice(2), { bundleInto: join(root, "dist") })
