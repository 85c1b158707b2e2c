import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: the native-stack end-to-end suite (minutes; real engines).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/setup/build.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    pool: 'forks',
  },
});
