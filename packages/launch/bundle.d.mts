/** Bundles `main` into `<outDir>/<name>.mjs` (and its source map) and answers that path. */
export declare const bundle: (main: string, outDir: string, name?: string) => Promise<string>
