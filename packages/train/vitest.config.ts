import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['../core/test/quietTfjs.ts'],
    testTimeout: 60_000,
    // Training tests are CPU-bound and the machines have 2 cores: run files one at a time.
    fileParallelism: false,
  },
});
