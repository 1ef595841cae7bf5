import { projectConfig } from '../../tools/vitest/project-config.mts';

export default projectConfig('jaeger-ui-e2e', 'browser', 60_000);
