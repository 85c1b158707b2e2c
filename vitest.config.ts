import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'runtime/**/*.test.ts'],
    exclude: ['test/e2e/**', '**/node_modules/**', 'runtime/flink-sql-runner/**'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
