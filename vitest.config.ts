import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    // Polls wait on real processes and a real browser sharing two cores with the suite.
    expect: { poll: { timeout: 5_000 } },
    // Setup starts real servers (on the TypeScript sources) and Chromium; under a full suite on two
    // cores a start has taken more than 20 s.
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
