/** Why an artifact file could not be used. */
export type ArtifactProblem = 'missing' | 'corrupt' | 'tampered' | 'invalid';

/**
 * Raised by the artifact loader. Always names the file, so a user who sees
 * "models/svm.json was tampered with" knows exactly what to restore or retrain.
 */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';

  constructor(
    readonly file: string,
    readonly problem: ArtifactProblem,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem} artifact: ${detail}`, options);
  }
}
