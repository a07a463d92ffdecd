#!/usr/bin/env node
// `wxfleet-moderation`: the worker, bundled from its sources at start (dist/), configured by
// `WXFLEET_*`; `WXFLEET_RUN_FROM_SOURCES=1` runs the sources through tsx instead.
import { appEntry, runEntry } from "@wxfleet/launch/run"

const { main, bundleInto } = appEntry(import.meta.url)
void runEntry(main, process.argv.slice(2), { bundleInto })
