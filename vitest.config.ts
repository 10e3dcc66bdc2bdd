import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 * - unit: `*.test.ts`, no broker, run in parallel;
 * - integration: `*.int.test.ts`, one real Kafka broker for the whole run
 *   (started by test/support/kafka-global-setup.ts), files one after another
 *   because the broker, three services and the tests share two cores.
 * Both run with TMPDIR set to a folder of the run's own, which must be empty
 * at the end (test/support/temp-root-global-setup.ts).
 */
export default defineConfig({
  test: {
    globalSetup: ['test/support/temp-root-global-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
          setupFiles: ['test/support/harmless-warnings.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/support/kafka-global-setup.ts'],
          setupFiles: ['test/support/harmless-warnings.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
