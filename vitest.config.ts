import { defineConfig } from 'vitest/config';

// Dates are clinical: every test runs in the UK time zone, so BST/GMT changes are exercised.
process.env.TZ = 'Europe/London';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/engine/**/*.test.ts', 'test/content/**/*.test.ts', 'test/fhir/**/*.test.ts', 'test/server/**/*.test.ts', 'test/lint/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
