import { defineConfig } from 'vitest/config';

// Two projects: unit tests are pure and parallel; integration tests build real VMs
// (namespaces, overlays, mounts) and run one file at a time so that two suites never
// fight over the machine's two cores or the inotify limits.
export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          // Upper bounds only (no test asserts a duration): CI machines are shared and slow.
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
