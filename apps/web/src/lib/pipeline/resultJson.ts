import { EXPRESSIONS, type Expression, type FaceBox } from '@fer/core';

/** One face of a published result. */
export interface ResultFace {
  /** In pixels of the analysed frame (not of the mirrored preview). */
  box: FaceBox;
  expression: Expression;
  /** Indexed like `labels`. */
  probabilities: number[];
}

/** The latest result of a view, as the `data-result` attribute of its canvas holds it. */
export interface PublishedResult {
  /** Size of the analysed frame, in pixels. */
  width: number;
  height: number;
  labels: readonly Expression[];
  faces: ResultFace[];
}

/**
 * The latest result as JSON, machine-readable, beside the drawn overlay: automation (the
 * end-to-end tests, a kiosk logging reactions) reads boxes and probabilities from here instead of
 * scraping pixels or text. Full precision, so a reader can compare it with @fer/core's own output.
 */
export function resultJson(
  width: number,
  height: number,
  faces: readonly { box: FaceBox; expression: Expression; probabilities: ArrayLike<number> }[],
): string {
  const result: PublishedResult = {
    width,
    height,
    labels: EXPRESSIONS,
    faces: faces.map(({ box, expression, probabilities }) => ({
      box: { x: box.x, y: box.y, width: box.width, height: box.height },
      expression,
      probabilities: Array.from(probabilities),
    })),
  };
  return JSON.stringify(result);
}
