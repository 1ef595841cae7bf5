import { projectConfig } from '../vitest/project-config.mts';

// The first run builds kustomize and k8s-check from the Go module proxy (a few minutes, then cached).
export default projectConfig('k8s', 'test', 600_000);
