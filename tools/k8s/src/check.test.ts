import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Run {
  code: number | null;
  /** Problems by rendering (the overlay's or fixture's directory name), in the order printed. */
  problems: Map<string, string[]>;
  stderr: string;
}

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const out = mkdtempSync(join(tmpdir(), 'k8s-check-'));

/** Runs tools/k8s/check.sh on kustomization directories (none: every overlay) and collects its problems. */
function check(dirs: string[], outDir: string): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['tools/k8s/check.sh', ...dirs], {
      cwd: ROOT,
      env: { ...process.env, MONO_K8S_OUT: outDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const problems = new Map<string, string[]>();
      for (const line of stdout.split('\n').filter(Boolean)) {
        const match = /^.*\/([^/]+)\.yaml: (.*)$/.exec(line);
        if (match === null) continue;
        const [, rendering = '', problem = ''] = match;
        problems.set(rendering, [...(problems.get(rendering) ?? []), problem]);
      }
      done({ code, problems, stderr });
    });
  });
}

describe('k8s check', () => {
  let overlays: Run;
  let broken: Run;

  beforeAll(async () => {
    overlays = await check([], join(out, 'overlays'));
    const fixtures = readdirSync(FIXTURES).map((name) => join(FIXTURES, name));
    broken = await check(fixtures, join(out, 'fixtures'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  function problemsOf(fixture: string): string[] {
    return broken.problems.get(fixture) ?? [];
  }

  it('should render every overlay and find nothing wrong with it', () => {
    expect(overlays.problems).toEqual(new Map());
    expect(overlays.stderr).toMatch(/dev\.yaml: ok \(Kubernetes 1\.35\)/);
    expect(overlays.stderr).toMatch(/production\.yaml: ok \(Kubernetes 1\.35\)/);
    expect(overlays.code).toBe(0);
  });

  it('should fail when any rendering has a problem', () => {
    expect(broken.code).toBe(1);
  });

  it('should reject an unknown field, naming its path', () => {
    expect(problemsOf('unknown-field')).toEqual([
      'Deployment/edge: strict decoding error: unknown field "spec.template.spec.containers[0].readinessProbe.periodSecond"',
    ]);
  });

  it('should reject a ClusterIP Service in front of the gateways, saying why', () => {
    const problems = problemsOf('clusterip-gateways');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Service\/gateway: a ClusterIP Service in front of a gRPC pool /);
    expect(problems[0]).toContain('it balances connections, not requests');
    expect(problems[0]).toContain('make it headless (clusterIP: None)');
  });

  it('should reject a value of the wrong type', () => {
    expect(problemsOf('wrong-type')).toEqual([
      'HorizontalPodAutoscaler/gateway: json: cannot unmarshal string into Go struct field ' +
        'HorizontalPodAutoscalerSpec.spec.maxReplicas of type int32',
    ]);
  });

  it('should reject a missing required field with the API server’s message', () => {
    expect(problemsOf('missing-image')).toEqual([
      "Deployment/framework: rejected by the API server's validation: spec.template.spec.containers[0].image: " +
        'Required value',
    ]);
  });

  it('should reject a grace period shorter than the preStop wait plus the drain grace', () => {
    expect(problemsOf('short-grace')).toEqual([
      'Deployment/gateway: container gateway: terminationGracePeriodSeconds is 30, less than the preStop wait ' +
        '(10 s) plus the drain grace (30000 ms, GATEWAY_SHUTDOWN_GRACE_MS) = 40 s: requests still in flight ' +
        'would be killed',
    ]);
  });

  it('should reject probes that are not on the admin listener, and liveness that follows readiness', () => {
    expect(problemsOf('probe-off-admin')).toEqual([
      "Deployment/gateway: container gateway: readinessProbe probes port grpc, not the admin listener's 9051",
      'Deployment/gateway: container gateway: livenessProbe asks "/readyz"; the admin listener answers it on /healthz',
    ]);
  });

  it('should reject a container without limits', () => {
    expect(problemsOf('no-limits')).toEqual([
      'Deployment/framework: container framework: no limits.cpu',
      'Deployment/framework: container framework: no limits.memory',
    ]);
  });

  it('should reject a pod that may run as root or write its root filesystem', () => {
    expect(problemsOf('root-writable')).toEqual([
      'Deployment/edge: violates Pod Security "restricted" (v1.35): runAsNonRoot != true (pod must not set ' +
        'securityContext.runAsNonRoot=false)',
      'Deployment/edge: container edge: the root filesystem is writable (securityContext.readOnlyRootFilesystem)',
    ]);
  });

  it('should reject NetworkPolicies that block a pool', () => {
    expect(problemsOf('pool-blocked')).toEqual([
      'NetworkPolicies block Deployment/edge → Deployment/gateway:50051 (edge.yaml ' +
        'pools.gateways.servers=gateway:50051): no ingress rule of the policies selecting gateway allows it',
    ]);
  });

  it('should reject a pod that no NetworkPolicy covers, and the flows that opens', () => {
    const problems = problemsOf('pod-not-isolated');
    expect(problems).toContain(
      'Deployment/framework: no NetworkPolicy selects its pods for Ingress: they accept and send anything',
    );
    expect(problems).toContain(
      'Deployment/framework: no NetworkPolicy selects its pods for Egress: they accept and send anything',
    );
    expect(problems).toContain(
      'NetworkPolicies allow Deployment/framework → Deployment/edge:8080, which nothing in the configuration uses',
    );
  });

  it('should reject replicas beside an autoscaler, and a budget that blocks node drains', () => {
    expect(problemsOf('replicas-with-hpa')).toEqual([
      'Deployment/edge: spec.replicas is set while HorizontalPodAutoscaler/edge owns the count: every apply ' +
        'would reset it',
      "PodDisruptionBudget/edge: allows no eviction at 1 replicas (the autoscaler's minimum): draining a node " +
        'would hang',
    ]);
  });

  it('should reject a Collector configuration that Jaeger refuses', () => {
    const problems = problemsOf('bad-collector-config');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^Deployment\/otel-collector: container otel-collector: Jaeger's validate rejects its --config file: .*invalid keys: balancer_nam/,
    );
  });

  it('should have a test for every fixture', () => {
    expect([...broken.problems.keys()].sort()).toEqual(readdirSync(FIXTURES).sort());
  });
});
