import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Unit tests only: pure logic, no SvelteKit plugin, no browser. The Svelte plugin compiles the runes of *.svelte.ts state classes.
export default defineConfig({
  plugins: [svelte()],
  test: { include: ['test/*.test.ts'], environment: 'node', testTimeout: 30_000 },
});
