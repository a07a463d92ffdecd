/** The node flags the supervisor runs with, besides those `given` (which win). */
export declare const supervisorNodeFlags: (given: string) => Array<string>
/** Starts `main` with `args` (bundled into `bundleInto` when given); passes signals on, leaves with the child's exit code. */
export declare const runFromSources: (
  main: string,
  args: ReadonlyArray<string>,
  options?: { readonly bundleInto?: string; readonly stub?: ReadonlyArray<string> },
) => Promise<void>
