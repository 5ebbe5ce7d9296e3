/**
 * The web benchmark runner's contract (bench/run.ts): a bench module measures one thing (in
 * headless Chromium, or in Node for pure computations such as the audience report) and hands back
 * JSON-able results plus a markdown summary. New modules are added to the list in bench/modules.ts.
 */

/** What every bench module gets from the runner. */
export interface BenchContext {
  /** FER2013 in the Kaggle folder layout (faces for fake cameras and photos). */
  ferDir: string;
  /** The trained artifacts the app serves. */
  modelsDir: string;
  /** A temp folder for generated media and browser profiles, removed after the run. */
  tmp: string;
  /** Seconds each measurement runs (after its warm-up). */
  seconds: number;
  /** Progress line on stderr, so stdout stays the report. */
  log: (message: string) => void;
}

/** One benchmark: `run` returns JSON-able data, `markdown` renders it for the terminal. */
export interface BenchModule<Result = unknown> {
  /** Short id, used by `--only` and as the key in the results file. */
  name: string;
  description: string;
  /** Why the module cannot run here (missing data, browser...), or undefined. */
  skipReason(context: BenchContext): string | undefined;
  run(context: BenchContext): Promise<Result>;
  markdown(result: Result): string;
}
