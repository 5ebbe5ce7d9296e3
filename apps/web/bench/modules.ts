import { audienceBench } from './audience/index';
import { pipelinesBench } from './pipelines/index';
import { reportBench } from './report/index';
import { responsivenessBench } from './responsiveness/index';
import type { BenchModule } from './types';

/**
 * Every browser bench `pnpm bench:web` runs, in order. Add a module here (its own folder beside
 * pipelines/, implementing BenchModule) and the runner picks it up.
 */
export const BENCH_MODULES: readonly BenchModule<never>[] = [
  pipelinesBench as BenchModule<never>,
  responsivenessBench as BenchModule<never>,
  audienceBench as BenchModule<never>,
  reportBench as BenchModule<never>,
];
