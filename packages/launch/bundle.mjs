// Builds a TypeScript entry point and everything it imports into one ES module with esbuild.
// A process run through tsx carries tsx's loader thread (its own V8 isolate) and every module
// transformed on the fly: an empty supervisor or auto-reply copy was 190-210 MB of RSS; bundled
// it is about 105 MB (BENCHMARKS.md, issue 7). Built at start when any of its inputs is newer than
// the last build (a list of them is kept beside it), so it is never stale and a short command
// (`wxfleet send`) does not pay for a build each time.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { basename, dirname, join, resolve } from "node:path"

const require = createRequire(import.meta.url)

/**
 * Bundles `main` into `<outDir>/<name>.mjs` (and its source map) and answers that path. Modules
 * named in `stub` are replaced by an empty one: optional imports a dependency makes only in
 * development (ink's `react-devtools-core`), which are not installed.
 */
export const bundle = async (main, outDir, { name = basename(main).replace(/\.ts$/, ""), stub = [] } = {}) => {
  const outfile = join(outDir, `${name}.mjs`)
  const inputsFile = join(outDir, `${name}.inputs.json`)
  const key = JSON.stringify({ main: resolve(main), stub, esbuild: require("esbuild/package.json").version })
  if (upToDate(outfile, inputsFile, key)) return outfile
  // esbuild is loaded only when a bundle is built: `WXFLEET_RUN_FROM_SOURCES=1` never needs it.
  const esbuild = require("esbuild")
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
      metafile: true,
      sourcemap: "linked",
      logLevel: "warning",
      plugins: stub.length === 0 ? [] : [stubbed(stub)],
      // CommonJS dependencies inside an ES module still call require().
      banner: { js: 'import { createRequire as __wxfleetRequire } from "node:module"; const require = __wxfleetRequire(import.meta.url);' },
    })
    // esbuild's service process would otherwise live as long as this one.
    .finally(() => esbuild.stop())
  mkdirSync(dirname(outfile), { recursive: true })
  const lock = lockfileOf(main)
  const inputs = [
    ...Object.keys(result.metafile.inputs).filter((input) => !input.includes(":")).map((input) => resolve(input)),
    // A dependency's package.json is no input of esbuild's; an install changes the lockfile.
    ...(lock === undefined ? [] : [lock]),
  ]
  // Written beside and renamed: two processes starting at once never run a half-written file.
  const files = [...result.outputFiles.map((file) => [file.path, file.contents]), [inputsFile, JSON.stringify({ key, inputs })]]
  for (const [path, contents] of files) {
    const partial = `${path}.${process.pid}.partial`
    writeFileSync(partial, contents)
    renameSync(partial, path)
  }
  return outfile
}

/** The bundle was built with these options and none of its inputs changed since. */
const upToDate = (outfile, inputsFile, key) => {
  try {
    const built = statSync(outfile).mtimeMs
    const recorded = JSON.parse(readFileSync(inputsFile, "utf8"))
    if (recorded.key !== key || statSync(inputsFile).mtimeMs < built) return false
    return recorded.inputs.every((input) => statSync(input).mtimeMs <= built)
  } catch {
    // No bundle, no list, an input gone: build.
    return false
  }
}

/** The package-lock.json of the workspace `main` is in, if any. */
const lockfileOf = (main) => {
  for (let dir = dirname(resolve(main)); ; dir = dirname(dir)) {
    const lock = join(dir, "package-lock.json")
    try {
      statSync(lock)
      return lock
    } catch {
      if (dirname(dir) === dir) return undefined
    }
  }
}

/** An esbuild plugin resolving each of `names` to an empty module. */
const stubbed = (names) => ({
  name: "wxfleet-stub",
  setup(build) {
    const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|")})$`)
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: "wxfleet-stub" }))
    build.onLoad({ filter: /.*/, namespace: "wxfleet-stub" }, () => ({ contents: "export default undefined", loader: "js" }))
  },
})
