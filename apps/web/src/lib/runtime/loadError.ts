import { ArtifactError, type ArtifactProblem } from '@fer/core';

/** The parts the runtime loads; each can fail on its own. */
export type RuntimePart = 'backend' | 'classifier' | 'detector';

/** Which part failed to load, and the file at fault where one is known. */
export class RuntimeLoadError extends Error {
  override readonly name = 'RuntimeLoadError';

  constructor(
    readonly part: RuntimePart,
    /** URL of the file at fault, when known. */
    readonly file: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const PROBLEM_TEXT: Record<ArtifactProblem, string> = {
  missing: 'could not be downloaded',
  corrupt: 'is damaged (truncated or not the expected format)',
  tampered: "does not match the hash in the model's manifest",
  invalid: 'is not a model this app can use',
};

const PART_TITLE: Record<RuntimePart, string> = {
  backend: 'This browser cannot run the model',
  classifier: 'The expression model failed to load',
  detector: 'The face detector failed to load',
};

/** Headline and explanation for a load failure, naming the file at fault. */
export function describeLoadError(error: unknown): { title: string; detail: string } {
  if (!(error instanceof RuntimeLoadError)) {
    return { title: 'The app failed to start', detail: error instanceof Error ? error.message : String(error) };
  }
  const cause = error.cause;
  const what =
    cause instanceof ArtifactError && error.file !== undefined
      ? `${error.file} ${PROBLEM_TEXT[cause.problem]}.`
      : error.file !== undefined
        ? `Could not use ${error.file}.`
        : '';
  return { title: PART_TITLE[error.part], detail: what === '' ? error.message : `${what} (${error.message})` };
}
