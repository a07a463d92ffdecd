/** Starts `main` with `args` (bundled into `bundleInto` when given); passes signals on, leaves with the child's exit code. */
export declare const runEntry: (
  main: string,
  args: ReadonlyArray<string>,
  options?: {
    readonly bundleInto?: string
    readonly nodeFlags?: (given: string) => ReadonlyArray<string>
    readonly stub?: ReadonlyArray<string>
  },
) => Promise<void>
/** Where an app's bin (at `<app>/bin/x.mjs`) finds `src/main.ts` and bundles it (`<app>/dist`). */
export declare const appEntry: (binUrl: string) => { readonly main: string; readonly bundleInto: string }
