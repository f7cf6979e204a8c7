import { configDefaults, defineConfig } from 'vitest/config';

// One config, two projects: fast in-process suites (unit + integration, ports 0), and the browser / external-tool
// suites under test/ that start real processes (demo, mosquitto, chromium).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{contracts,simulators,edge,cloud,models,dashboard}/test/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/security/**/*.test.ts'],
          // The security suites that start external processes (mosquitto, npm) run in the system project.
          exclude: [...configDefaults.exclude, 'test/security/{mosquitto,sbom}*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'system',
          include: ['test/{browser,interop,compose,faults}/**/*.test.ts', 'test/tools/**/*.test.ts', 'test/fuzz/**/*.test.ts', 'test/security/{mosquitto,sbom}*.test.ts', 'test/load/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          // These start whole processes and browsers: run them one file at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
