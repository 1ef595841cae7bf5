import { setTimeout as sleep } from 'node:timers/promises';
import {
  GenericContainer,
  getContainerRuntimeClient,
  Network,
  Wait,
  type StartedNetwork,
  type StartedTestContainer,
} from 'testcontainers';
import { composeEnv } from './compose-env';

/** Every container the integration suite starts carries this label; tools/docker/cleanup.sh removes them. */
export const SUITE_LABEL = { 'mono.suite': 'integration' };

export interface ContainerStack {
  readonly network: StartedNetwork;
  readonly jaeger: StartedTestContainer;
  readonly framework: StartedTestContainer;
  readonly gateway: StartedTestContainer;
  readonly edge: StartedTestContainer;
  /** http://localhost:<the edge's mapped port> */
  readonly url: string;
  /** Jaeger's query API on its mapped port. */
  readonly jaegerUrl: string;
  /** `docker stop`, keeping the container. */
  stopContainer(container: StartedTestContainer): Promise<void>;
  /** `docker start` a stopped container; resolves once Docker reports it healthy. */
  startContainer(container: StartedTestContainer): Promise<void>;
  waitHealthy(container: StartedTestContainer): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The repo's images on one network, each reachable by its service name, the same environment variable names as
 * compose: Jaeger, then framework, gateway and edge, each waited for until its HEALTHCHECK passes.
 */
export async function startContainerStack(): Promise<ContainerStack> {
  const env = composeEnv();
  const network = await new Network().start();
  const started: StartedTestContainer[] = [];
  const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_BSP_SCHEDULE_DELAY: '200' };
  const start = async (container: GenericContainer) => {
    const running = await container.withNetwork(network).withLabels(SUITE_LABEL).start();
    started.push(running);
    return running;
  };
  try {
    const jaeger = await start(
      new GenericContainer(env['JAEGER_IMAGE'] as string)
        .withNetworkAliases('jaeger')
        .withExposedPorts(16686)
        .withWaitStrategy(Wait.forHttp('/api/services', 16686).forStatusCode(200)),
    );
    const framework = await start(
      new GenericContainer(env['IMAGE_FRAMEWORK'] as string)
        .withNetworkAliases('framework')
        .withEnvironment({ FRAMEWORK_PORT: env['FRAMEWORK_PORT'] as string, ...tracing })
        .withWaitStrategy(Wait.forHealthCheck()),
    );
    const gateway = await start(
      new GenericContainer(env['IMAGE_GATEWAY'] as string)
        .withNetworkAliases('gateway')
        .withEnvironment({
          GATEWAY_PORT: env['GATEWAY_PORT'] as string,
          GATEWAY_FRAMEWORK: `framework:${env['FRAMEWORK_PORT']}`,
          ...tracing,
        })
        .withWaitStrategy(Wait.forHealthCheck()),
    );
    const edgePort = Number(env['EDGE_PORT']);
    const edge = await start(
      new GenericContainer(env['IMAGE_EDGE'] as string)
        .withNetworkAliases('edge')
        .withEnvironment({ EDGE_PORT: String(edgePort), EDGE_GATEWAYS: `gateway:${env['GATEWAY_PORT']}`, ...tracing })
        .withExposedPorts(edgePort)
        .withWaitStrategy(Wait.forHealthCheck()),
    );
    const client = await getContainerRuntimeClient();
    const waitHealthy = async (container: StartedTestContainer) => {
      const handle = client.container.getById(container.getId());
      for (let i = 0; i < 300; i += 1) {
        const state = (await handle.inspect()).State;
        if (state.Health?.Status === 'healthy') return;
        await sleep(50);
      }
      throw new Error(`${container.getName()} did not become healthy`);
    };
    return {
      network,
      jaeger,
      framework,
      gateway,
      edge,
      url: `http://localhost:${edge.getMappedPort(edgePort)}`,
      jaegerUrl: `http://localhost:${jaeger.getMappedPort(16686)}`,
      async stopContainer(container) {
        await client.container.getById(container.getId()).stop({ t: 5 });
      },
      async startContainer(container) {
        await client.container.getById(container.getId()).start();
        await waitHealthy(container);
      },
      waitHealthy,
      async stop() {
        await Promise.allSettled(started.reverse().map((c) => c.stop({ remove: true, timeout: 5_000 })));
        await network.stop().catch(() => {});
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((c) => c.stop({ remove: true, timeout: 5_000 })));
    await network.stop().catch(() => {});
    throw err;
  }
}
