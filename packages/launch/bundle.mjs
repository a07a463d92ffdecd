// Builds a TypeScript entry point and everything it imports into one ES module with esbuild.
// A process run through tsx carries tsx's loader thread (its own V8 isolate) and every module
// transformed on the fly: an empty supervisor or auto-reply copy was 190-210 MB of RSS; bundled
// it is about 105 MB (BENCHMARKS.md, issue 7). Built at each start (under a second), so it is
// never stale.
import { mkdirSync, renameSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { basename, dirname, join } from "node:path"

const require = createRequire(import.meta.url)

/** Bundles `main` into `<outDir>/<name>.mjs` (and its source map) and answers that path. */
export const bundle = async (main, outDir, name = basename(main).replace(/\.ts$/, "")) => {
  // esbuild is loaded only when a bundle is built: `WXFLEET_RUN_FROM_SOURCES=1` never needs it.
  const esbuild = require("esbuild")
  const outfile = join(outDir, `${name}.mjs`)
  const result = await esbuild
    .build({
    entryPoints: [main],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    conditions: ["@wxfleet/source"],
    outfile,
    write: false,
    sourcemap: "linked",
    logLevel: "warning",
    // CommonJS dependencies inside an ES module still call require().
    banner: { js: 'import { createRequire as __wxfleetRequire } from "node:module"; const require = __wxfleetRequire(import.meta.url);' },
    })
    // esbuild's service process would otherwise live as long as this one.
    .finally(() => esbuild.stop())
  mkdirSync(dirname(outfile), { recursive: true })
  // Written beside and renamed: two processes starting at once never run a half-written file.
  for (const file of result.outputFiles) {
    const partial = `${file.path}.${process.pid}.partial`
    writeFileSync(partial, file.contents)
    renameSync(partial, file.path)
  }
  return outfile
}
