/**
 * Bundles `main` into `<outDir>/<name>.mjs` (and its source map) and answers that path; modules
 * named in `stub` become empty ones.
 */
export declare const bundle: (
  main: string,
  outDir: string,
  options?: { readonly name?: string; readonly stub?: ReadonlyArray<string> },
) => Promise<string>
