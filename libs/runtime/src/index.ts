export { checkConfig } from './check-config';
export type { ConfigReport } from './check-config';
export { runService } from './run-service';
export type { RunningService, ServiceMain, Warner } from './run-service';
export type { ServiceConfig } from './service-config';
export { settleWithin } from './with-timeout';
export { startAdminServer } from './admin-server';
export type { AdminOptions, AdminServer } from './admin-server';
export { minorGcEvery } from './minor-gc-every';
