/**
 * The engine's unit tests only, for mutation testing (`npm run test:mutation`, stryker.config.mjs).
 * The strict-CSP test runs the built bundle (dist/), which Stryker does not mutate, so it is left out.
 */
import { defineConfig } from 'vitest/config';

process.env.TZ = 'Europe/London';

export default defineConfig({
  test: {
    include: ['test/engine/**/*.test.ts'],
    exclude: ['test/engine/strict-csp.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
