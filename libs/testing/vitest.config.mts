import { projectConfig } from '../../tools/vitest/project-config.mts';

export default projectConfig('testing');
