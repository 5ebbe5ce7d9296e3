import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumPath } from '../test/helpers/chromium.js';
import type { BenchContext } from './types';

/** Why a module that runs the app on FER2013 faces in Chromium cannot run here, or undefined. */
export function browserBenchSkipReason({ ferDir, modelsDir }: BenchContext): string | undefined {
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(join(ferDir, 'test'))) return `FER2013 not found at ${ferDir} (set FER2013_DIR)`;
  if (!existsSync(join(modelsDir, 'manifest.json'))) return `no trained model in ${modelsDir} (run pnpm train, or set FER_MODELS_DIR)`;
  return undefined;
}
