import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createJob, drain, tickAt } from './support/jobs-helpers';
import { ManualClock } from './support/manual-clock';
import { startTestApp, stopTestApp } from './support/temp-test-app';
import { TestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
const OVERLAYS = ['single', 'replicated'];
const KUBECTL = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

/** `kubectl kustomize` renders offline (no cluster); CI has kubectl, like this machine. */
const describeWithKubectl = KUBECTL || process.env.CI === 'true' ? describe : describe.skip;
if (!KUBECTL && process.env.CI !== 'true') {
  console.warn('SKIPPED "Kubernetes manifests": kubectl is not installed.');
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  startupProbe?: unknown;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
}

interface PodSpec {
  securityContext?: Record<string, unknown> & { seccompProfile?: { type?: string } };
  containers: Container[];
  volumes?: Record<string, unknown>[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  serviceAccountName?: string;
  terminationGracePeriodSeconds?: number;
}

function render(overlay: string): K8sObject[] {
  const out = spawnSync(
    'kubectl',
    ['kustomize', join(ROOT, 'deploy/kubernetes/overlays', overlay)],
    {
      encoding: 'utf8',
    },
  );
  if (out.status !== 0) throw new Error(`kubectl kustomize ${overlay}: ${out.stderr}`);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as K8sObject);
}

function validate(objects: K8sObject[]): { kind: string; name: string; error: string | null }[] {
  const input = objects.map((o) => JSON.stringify(o)).join('\n---\n');
  const out = spawnSync(process.execPath, [join(__dirname, 'support', 'k8s-validate.mjs')], {
    input,
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout);
}

function podSpec(objects: K8sObject[]): PodSpec {
  const deployment = objects.find((o) => o.kind === 'Deployment');
  return (deployment?.spec as { template: { spec: PodSpec } }).template.spec;
}

/** Rules of the Pod Security Standard "restricted" profile that a pod spec can break. */
function restrictedViolations(spec: PodSpec): string[] {
  const problems: string[] = [];
  if (spec.hostNetwork || spec.hostPID) problems.push('host namespaces');
  const podSeccomp = spec.securityContext?.seccompProfile?.type;
  for (const v of spec.volumes ?? []) {
    const allowed = [
      'name',
      'emptyDir',
      'secret',
      'configMap',
      'persistentVolumeClaim',
      'projected',
    ];
    const kinds = Object.keys(v).filter((k) => !allowed.includes(k));
    if (kinds.length) problems.push(`volume ${String(v.name)} uses ${kinds.join(', ')}`);
  }
  for (const c of spec.containers) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL'))
      problems.push(`${c.name}: capabilities not dropped`);
    if (sc.runAsNonRoot !== true && spec.securityContext?.runAsNonRoot !== true) {
      problems.push(`${c.name}: runAsNonRoot`);
    }
    const seccomp = (sc.seccompProfile as { type?: string } | undefined)?.type ?? podSeccomp;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp ?? ''))
      problems.push(`${c.name}: seccomp`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${c.name}: readOnlyRootFilesystem`);
    if (sc.privileged) problems.push(`${c.name}: privileged`);
  }
  return problems;
}

describeWithKubectl('Kubernetes manifests (rendered offline with kubectl kustomize)', () => {
  it.each(OVERLAYS)(
    'overlay %s renders and every object validates against the Kubernetes schemas',
    (overlay) => {
      const objects = render(overlay);
      const results = validate(objects);
      expect(results.filter((r) => r.error !== null)).toEqual([]);
      expect(results.map((r) => r.kind)).toEqual(
        expect.arrayContaining(['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget']),
      );
    },
  );

  it.each(OVERLAYS)(
    'overlay %s meets the "restricted" Pod Security Standard and starts minion, not node',
    (overlay) => {
      const spec = podSpec(render(overlay));
      expect(restrictedViolations(spec)).toEqual([]);
      const [minion] = spec.containers;
      // The node image's entrypoint reads a first argument starting with "-" as node's own option.
      expect(minion.command).toEqual(['node', 'dist/main.js']);
      expect(minion.image).toMatch(/:\d+\.\d+\.\d+$/);
      expect(minion.startupProbe).toBeDefined();
      expect(minion.readinessProbe).toBeDefined();
      expect(minion.livenessProbe).toBeDefined();
      expect(spec.serviceAccountName).toBe('minion');
      // Drain (5s) plus the time runs get to finish (30s) fit in the grace period.
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(40);
    },
  );

  it('single: one replica on a volume, never two at once; replicated: config from a Secret, IRSA, monitoring', () => {
    const single = render('single');
    const singleDeployment = single.find((o) => o.kind === 'Deployment')?.spec as {
      replicas: number;
      strategy: { type: string };
    };
    expect(singleDeployment.replicas).toBe(1);
    expect(singleDeployment.strategy.type).toBe('Recreate');
    expect(podSpec(single).volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'minion-data' },
    });
    expect(single.map((o) => o.kind)).toContain('PersistentVolumeClaim');

    const replicated = render('replicated');
    expect(
      (replicated.find((o) => o.kind === 'Deployment')?.spec as { replicas: number }).replicas,
    ).toBe(3);
    expect(podSpec(replicated).containers[0].args).toEqual(['-config', '/etc/minion/config.json']);
    const sa = replicated.find((o) => o.kind === 'ServiceAccount');
    expect(sa?.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::/);
    expect(replicated.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['ServiceMonitor', 'PrometheusRule', 'ConfigMap']),
    );
  });
});

describe('monitoring files name only metrics minion has', () => {
  let t: TestApp;

  afterEach(() => stopTestApp(t));

  /** Metric names in PromQL, with histogram suffixes taken off. */
  function metricNames(text: string): string[] {
    const names = new Set<string>();
    for (const [name] of text.matchAll(/\bminion_[a-z_]+/g)) {
      names.add(name.replace(/_(bucket|sum|count)$/, ''));
    }
    return [...names].sort();
  }

  it('the alert rules and the Grafana dashboard', async () => {
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:10Z') });
    // Some activity, so labelled series exist as they would in production.
    await createJob(t);
    await tickAt(t, '2026-01-05T10:01:00Z');
    await drain(t);
    await t.http.get('/v1/minion/health/ready').expect(200);
    const exposed = (await t.http.get('/v1/minion/metrics').expect(200)).text;
    const dir = join(ROOT, 'deploy/kubernetes/components/monitoring');
    const rules = metricNames(readFileSync(join(dir, 'prometheusrule.yaml'), 'utf8'));
    const dashboard = metricNames(readFileSync(join(dir, 'minion-dashboard.json'), 'utf8'));
    expect(rules.length).toBeGreaterThanOrEqual(6);
    expect(dashboard.length).toBeGreaterThanOrEqual(8);
    const missing = [...rules, ...dashboard].filter((name) => !exposed.includes(`# TYPE ${name} `));
    expect(missing).toEqual([]);
  });
});
