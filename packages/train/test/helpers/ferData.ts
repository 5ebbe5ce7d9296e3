import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the real FER2013 data is, for tests that need it: FER2013_DIR, else the shared copy beside the
 * repository (`<repo>/../shared/datasets/fer2013`). Undefined when absent, so such tests skip rather than
 * fail on machines without the data set.
 */
export function ferDataDir(): string | undefined {
  const dir = process.env.FER2013_DIR ?? fileURLToPath(new URL('../../../../../shared/datasets/fer2013', import.meta.url));
  return existsSync(dir) ? dir : undefined;
}
