#!/usr/bin/env node
// `wxfleet`: the CLI, bundled from its sources into dist/ (again only when a source changed, so a
// short command starts in a fraction of a second); `WXFLEET_RUN_FROM_SOURCES=1` runs the sources
// through tsx. `up` runs the supervisor in this process, so it gets the supervisor's node flags
// too (runFromSources). ink imports react-devtools-core only when DEV=true; it is not installed.
import { appEntry } from "@wxfleet/launch/run"
import { runFromSources } from "@wxfleet/supervisor/bin/runFromSources"

const { main, bundleInto } = appEntry(import.meta.url)
void runFromSources(main, process.argv.slice(2), { bundleInto, stub: ["react-devtools-core"] })
