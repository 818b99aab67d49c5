import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Every tool and privilege the suite needs is checked once, before any test runs.
    globalSetup: ['test/setup/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests that start real peers (Prometheus, dnsmasq, namespaces) must not fight over the 2 cores.
    maxWorkers: 2,
  },
});
