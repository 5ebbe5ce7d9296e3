/**
 * The seven FER2013 expressions, in the order the classifier's outputs use.
 * Alphabetical, matching the folder names of the Kaggle image release.
 */
export const EXPRESSIONS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'] as const;

export type Expression = (typeof EXPRESSIONS)[number];

/** Number of classes the classifier scores. */
export const NUM_EXPRESSIONS = EXPRESSIONS.length;

/**
 * The `emotion` codes of the original fer2013.csv release, which use a different
 * order (0=angry 1=disgust 2=fear 3=happy 4=sad 5=surprise 6=neutral).
 */
export const FER2013_CSV_CODES: readonly Expression[] = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

/** Class index of an expression name, or undefined when the name is not one of the seven. */
export function expressionIndex(name: string): number | undefined {
  const index = (EXPRESSIONS as readonly string[]).indexOf(name);
  return index === -1 ? undefined : index;
}

/** Class index for a fer2013.csv `emotion` code, or undefined when the code is out of range. */
export function expressionIndexFromCsvCode(code: number): number | undefined {
  const name = FER2013_CSV_CODES[code];
  return name === undefined ? undefined : expressionIndex(name);
}
