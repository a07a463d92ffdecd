/** The node flags the supervisor runs with, besides those `given` (which win). */
export declare const supervisorNodeFlags: (given: string) => Array<string>
/** Starts `main` with `args`; this process passes signals on and leaves with the child's exit code. */
export declare const runFromSources: (main: string, args: ReadonlyArray<string>) => void
