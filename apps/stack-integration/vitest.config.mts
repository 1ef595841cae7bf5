import { projectConfig } from '../../tools/vitest/project-config.mts';

const config = projectConfig('stack-integration', 'integration', 120_000);
// Ryuk (testcontainers' reaper) and the helper image that finds the host cannot be pulled here; the suite removes
// its own containers, and tools/docker/cleanup.sh catches what an interrupted run left behind.
config.test = {
  ...config.test,
  env: { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' },
  fileParallelism: false,
};

export default config;
