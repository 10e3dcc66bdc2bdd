import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 * - unit: `*.test.ts`, no broker, run in parallel;
 * - integration: `*.int.test.ts`, one real Kafka broker for the whole run
 *   (started by test/support/kafka-global-setup.ts), files one after another
 *   because the broker, three services and the tests share two cores.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/support/kafka-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
