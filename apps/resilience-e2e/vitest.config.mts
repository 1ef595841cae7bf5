import { projectConfig } from '../../tools/vitest/project-config.mts';

export default projectConfig('resilience-e2e', 'e2e', 120_000);
