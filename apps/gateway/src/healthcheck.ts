// The container's HEALTHCHECK: exits 0 when the gateway's grpc.health.v1 service reports SERVING.
import { localAddress } from '@mono/config';
import { checkHealth } from '@mono/transport';
import { loadGatewayConfig } from './config';

const config = loadGatewayConfig(process.env);
checkHealth(localAddress(config.listen), { timeoutMs: 1_500 }).then(
  (status) => process.exit(status === 'SERVING' ? 0 : 1),
  () => process.exit(1),
);
