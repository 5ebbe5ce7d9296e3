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

/** What is wrong with the file, in plain words (the hashes and parser messages go to the technical details). */
const PROBLEM_TEXT: Record<ArtifactProblem, string> = {
  missing: 'could not be downloaded',
  corrupt: 'is damaged: cut short, or not in the expected format',
  tampered: 'is not the file this model was published with: it was damaged or replaced',
  invalid: 'is not a model this app can use',
};

const PART_TITLE: Record<RuntimePart, string> = {
  backend: 'This browser cannot run the model',
  classifier: 'The expression model failed to load',
  detector: 'The face detector failed to load',
};

/** What the user can do, per part. */
const PART_ADVICE: Record<RuntimePart, string> = {
  backend: 'The model needs WebGL or WebAssembly; try an up-to-date browser.',
  classifier: 'Without it nothing can be analysed. Reload to download it again; if this persists, the model files on the server need replacing.',
  detector: 'Without it no face can be found. Reload to download it again.',
};

/** A load failure for people: a headline, plain words naming the file at fault, and the technical message to fold away. */
export interface LoadErrorText {
  title: string;
  detail: string;
  /** The error's own message (hashes, parser errors): for a bug report, not for reading first. */
  technical: string;
}

/** Headline, explanation and technical details of a load failure, naming the file at fault. */
export function describeLoadError(error: unknown): LoadErrorText {
  const technical = error instanceof Error ? error.message : String(error);
  if (!(error instanceof RuntimeLoadError)) {
    return { title: 'The app failed to start', detail: 'Something went wrong while starting. Reloading may help.', technical };
  }
  const cause = error.cause;
  const what =
    cause instanceof ArtifactError && error.file !== undefined
      ? `The file ${error.file} ${PROBLEM_TEXT[cause.problem]}.`
      : error.file !== undefined
        ? `The file ${error.file} could not be used.`
        : '';
  return { title: PART_TITLE[error.part], detail: [what, PART_ADVICE[error.part]].filter(Boolean).join(' '), technical };
}
