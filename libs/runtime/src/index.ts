export { runService } from './run-service';
export type { RunningService, ServiceMain } from './run-service';
export { settleWithin } from './with-timeout';
