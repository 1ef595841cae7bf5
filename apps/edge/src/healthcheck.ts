// The container's HEALTHCHECK: exits 0 when the edge answers its health path with 200.
import { loadEdgeConfig } from './config';

const config = loadEdgeConfig(process.env);
fetch(`http://127.0.0.1:${config.port}${config.healthPath}`, { signal: AbortSignal.timeout(1_500) }).then(
  (res) => process.exit(res.status === 200 ? 0 : 1),
  () => process.exit(1),
);
