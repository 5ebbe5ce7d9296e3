import type { LabeledImages, SplitName } from '../data/dataset.js';
import { loadSplit } from '../data/dataset.js';
import { subsample } from '../data/subsample.js';
import { DEFAULT_VALIDATION_SPLIT, carveValidation, repeatsOf } from '../data/validationSplit.js';
import { startProgress } from '../ui/progress.js';

const SPLIT_TITLES: Record<SplitName, string> = { train: 'Training', public: 'PublicTest', private: 'PrivateTest' };

/** The challenge's name of a split, as reports print it. */
export function splitTitle(split: SplitName): string {
  return SPLIT_TITLES[split];
}

/** Loads a split with a progress bar and says what was skipped; `limit` subsamples it for smoke runs. */
export async function loadForCommand(data: string, split: SplitName, options: { strict: boolean; limit?: number }): Promise<LabeledImages> {
  let bar: ReturnType<typeof startProgress> | undefined;
  // The bar's timer keeps Node alive: it must stop on failures too, or the CLI hangs after printing the error.
  const { images, report } = await loadSplit(data, split, {
    strict: options.strict,
    onProgress: (done, total) => {
      bar ??= startProgress(`loading ${splitTitle(split)}`, total, 'units');
      bar.update(done);
    },
  }).finally(() => bar?.stop());
  const notes = [report.cached ? 'from cache' : 'decoded', report.resized > 0 ? `${report.resized} resized to 48x48` : ''];
  console.error(`${splitTitle(split)}: ${images.count} images (${notes.filter(Boolean).join(', ')})`);
  if (report.skipped.length > 0) {
    console.error(`  skipped ${report.skipped.length} unreadable item(s) (use --strict to fail instead), e.g.:`);
    for (const { source, reason } of report.skipped.slice(0, 5)) console.error(`    ${source}: ${reason}`);
  }
  return options.limit === undefined ? images : subsample(images, options.limit);
}

/** Training cut into the faces models are fitted on and the validation split every choice is made on, beside PublicTest. */
export interface CarvedData {
  fit: LabeledImages;
  validation: LabeledImages;
  /** PublicTest, the test split: scored once per exported model. */
  test: LabeledImages;
  /** All of Training, before the cut (its pixels set the input normalization). */
  train: LabeledImages;
}

/** Loads Training and PublicTest and carves the validation split from Training (see carveValidation), as train, eval and the studies all do. */
export async function loadCarvedData(data: string, options: { strict: boolean }): Promise<CarvedData> {
  const train = await loadForCommand(data, 'train', options);
  const test = await loadForCommand(data, 'public', options);
  return { ...carveValidation(train, [test], DEFAULT_VALIDATION_SPLIT), test, train };
}

/** What `pnpm eval` can score: a split of the challenge, or the validation split carved from Training. */
export type ScoredSplit = SplitName | 'validation';

/**
 * Loads a split to score, with the faces in it that repeat a Training face (the test splits' deduplicated
 * figure leaves them out). 'validation' is carved from Training exactly as `pnpm train` carves it.
 */
export async function loadScoredSplit(
  data: string,
  split: ScoredSplit,
  options: { strict: boolean; limit?: number },
): Promise<{ images: LabeledImages; title: string; repeats?: Set<number> }> {
  if (split === 'validation') {
    const { validation } = await loadCarvedData(data, { strict: options.strict });
    return { images: options.limit === undefined ? validation : subsample(validation, options.limit), title: 'validation (carved from Training)' };
  }
  const train = await loadForCommand(data, 'train', { strict: options.strict });
  if (split === 'train') return { images: options.limit === undefined ? train : subsample(train, options.limit), title: splitTitle('train') };
  const images = await loadForCommand(data, split, options);
  return { images, title: splitTitle(split), repeats: repeatsOf(images, train) };
}
