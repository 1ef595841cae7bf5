import { projectConfig } from '../../tools/vitest/project-config.mts';

export default projectConfig('load-e2e', 'load', 300_000);
