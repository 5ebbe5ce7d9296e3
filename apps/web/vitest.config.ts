import { defineConfig } from 'vitest/config';

// Unit tests only: pure logic, no SvelteKit plugin, no browser.
export default defineConfig({
  test: { include: ['test/*.test.ts'], environment: 'node', testTimeout: 30_000 },
});
