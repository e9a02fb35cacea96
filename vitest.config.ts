import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    // Polls wait on real processes and a real browser sharing two cores with the suite.
    expect: { poll: { timeout: 5_000 } },
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
