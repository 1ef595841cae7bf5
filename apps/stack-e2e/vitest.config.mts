import { projectConfig } from '../../tools/vitest/project-config.mts';

export default projectConfig('stack-e2e', 'e2e', 60_000);
