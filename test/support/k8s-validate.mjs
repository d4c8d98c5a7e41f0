// Validates Kubernetes objects (YAML documents on stdin) against the Kubernetes schemas, with the
// kubernetes-models packages (ESM only, hence this script, run by test/deploy.e2e-spec.ts).
// Prints one JSON line: [{ apiVersion, kind, name, error }], error null when valid.
import { parseAllDocuments } from 'yaml';

const MODELS = {
  'v1/ServiceAccount': 'kubernetes-models/v1/ServiceAccount',
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/PersistentVolumeClaim': 'kubernetes-models/v1/PersistentVolumeClaim',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'monitoring.coreos.com/v1/ServiceMonitor':
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule':
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule',
};

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const results = [];
for (const doc of parseAllDocuments(Buffer.concat(chunks).toString('utf8'))) {
  const object = doc.toJS();
  if (!object) continue;
  const key = `${object.apiVersion}/${object.kind}`;
  const result = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name, error: null };
  const module = MODELS[key];
  if (!module) {
    result.error = `no schema known for ${key}`;
  } else {
    const Model = (await import(module))[object.kind];
    try {
      new Model(object).validate();
    } catch (err) {
      result.error = err.message;
    }
  }
  results.push(result);
}
process.stdout.write(JSON.stringify(results));
