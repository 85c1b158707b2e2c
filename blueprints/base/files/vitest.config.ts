import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/e2e/setup/kafka-read-committed.ts', 'test/e2e/setup/stack-env.ts'],
    // The e2e files share one running stack: run them one after another.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
