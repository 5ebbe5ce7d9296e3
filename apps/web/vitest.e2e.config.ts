import { defineConfig } from 'vitest/config';

// The browser end-to-end suite: builds the app once, serves it with vite preview, drives Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/*.e2e.test.ts'],
    globalSetup: ['test/e2e/globalSetup.ts'],
    testTimeout: 180_000,
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
