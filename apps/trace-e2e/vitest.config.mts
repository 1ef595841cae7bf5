import { projectConfig } from '../../tools/vitest/project-config.mts';

export default projectConfig('trace-e2e', 'e2e', 60_000);
