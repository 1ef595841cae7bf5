export { runService } from './run-service';
export type { RunningService, ServiceMain } from './run-service';
export { settleWithin } from './with-timeout';
export { startAdminServer } from './admin-server';
export type { AdminOptions, AdminServer } from './admin-server';
export { minorGcEvery } from './minor-gc-every';
