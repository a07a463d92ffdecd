#!/usr/bin/env node
// `wxfleet-supervisor`: the supervisor, bundled from its sources at start (dist/), configured by
// `WXFLEET_*`; `WXFLEET_RUN_FROM_SOURCES=1` runs the sources through tsx instead.
import { appEntry } from "@wxfleet/launch/run"
import { runFromSources } from "./runFromSources.mjs"

const { main, bundleInto } = appEntry(import.meta.url)
void runFromSources(main, process.argv.slice(2), { bundleInto })
