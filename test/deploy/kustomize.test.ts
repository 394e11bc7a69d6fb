import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { validateObjects } from '../../scripts/k8s/validate-objects.js';
import { CONTRACT_SERVICES, type ContractServiceName } from './support/contract.js';
import {
  REQUIRED_LABELS,
  checkDeployment,
  checkLabels,
  checkPodSecurity,
  checkResources,
  envCoverage,
  resolveEnv,
} from './support/deployment-checks.js';
import { containerOf, environment, LOADERS, named, ofKind, type K8sObject } from './support/rendered.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const kubectl = process.env.KUBECTL ?? 'kubectl';

/** `kubectl kustomize <dir>`, parsed; fails with a clear message when kubectl is missing. */
async function render(overlay: string): Promise<K8sObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(kubectl, ['kustomize', `k8s/overlays/${overlay}`], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') {
      throw new Error(`${kubectl} not found: these tests render k8s/ with \`kubectl kustomize\` (kubectl >= 1.27)`, {
        cause: error,
      });
    }
    throw new Error(`kubectl kustomize k8s/overlays/${overlay} failed: ${stderr ?? String(error)}`, { cause: error });
  }
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

const rendered = { dev: await render('dev'), prod: await render('prod') };
type Overlay = keyof typeof rendered;

const nameOf = (object: K8sObject) => String(object.metadata.name);
const serviceOf = (deployment: K8sObject) => CONTRACT_SERVICES[deployment.metadata.name as ContractServiceName];

/** CPU quantity (`500m`, `2`) in cores. */
const cores = (quantity: string) => (quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity));

for (const overlay of Object.keys(rendered) as Overlay[]) {
  const objects = rendered[overlay];
  const configMaps = ofKind(objects, 'ConfigMap');
  const deployments = ofKind(objects, 'Deployment');

  t.test(`the ${overlay} overlay passes the Kubernetes OpenAPI schemas`, async (t) => {
    t.ok(objects.length > 20, `${objects.length} objects`);
    t.same(validateObjects(objects), []);
  });

  t.test(`the ${overlay} overlay deploys the services of the contract`, async (t) => {
    const expected = ['api', 'notifier', 'processor', 'scheduler', ...(overlay === 'dev' ? ['payment-simulator'] : [])];
    t.same(deployments.map(nameOf).sort(), expected.sort());
    t.same(ofKind(objects, 'Secret'), [], 'no Secret is rendered: it is created by hand');
  });

  for (const deployment of deployments) {
    const name = deployment.metadata.name as string;
    t.test(`${overlay}: the ${name} Deployment meets the deployment contract`, async (t) => {
      t.ok(serviceOf(deployment), 'a service of the contract');
      t.same(checkDeployment(deployment, { configMaps, service: serviceOf(deployment) }), []);
    });

    t.test(`${overlay}: the ${name} Deployment's environment is accepted by its config schema`, async (t) => {
      t.doesNotThrow(() => LOADERS[name as ContractServiceName](environment(deployment, configMaps)));
    });
  }

  t.test(`every object of the ${overlay} overlay carries the labels and the namespace`, async (t) => {
    for (const object of objects) {
      const ref = `${object.kind}/${object.metadata.name}`;
      const labels = object.metadata.labels ?? {};
      t.same(
        REQUIRED_LABELS.filter((label) => typeof labels[label] !== 'string'),
        [],
        `${ref} has every app.kubernetes.io label`,
      );
      t.equal(labels['app.kubernetes.io/managed-by'], 'kustomize', ref);
      t.equal(labels['app.kubernetes.io/part-of'], 'orderflow', ref);
      if (object.kind !== 'Namespace') t.equal(object.metadata.namespace, 'orderflow', ref);
    }
  });

  t.test(`${overlay}: every image is an orderflow image tagged with the version label`, async (t) => {
    for (const workload of [...deployments, ...ofKind(objects, 'Job')]) {
      const version = workload.metadata.labels['app.kubernetes.io/version'] as string;
      for (const container of workload.spec.template.spec.containers) {
        t.match(container.image, new RegExp(`^orderflow/[a-z-]+:${version.replaceAll('.', '\\.')}$`), container.image);
      }
    }
  });

  t.test(`${overlay}: the api runs one worker per CPU of its limit`, async (t) => {
    const api = named(objects, 'Deployment', 'api');
    const workers = environment(api, configMaps).API_WORKERS;
    t.equal(Number(workers), cores(containerOf(api).resources.limits.cpu), `API_WORKERS=${workers}`);
  });

  t.test(`${overlay}: the processor's validation threads fit its CPU limit`, async (t) => {
    const processor = named(objects, 'Deployment', 'processor');
    const threads = Number(environment(processor, configMaps).VALIDATION_THREADS);
    t.ok(
      threads >= 1 && threads <= cores(containerOf(processor).resources.limits.cpu),
      `VALIDATION_THREADS=${threads}`,
    );
  });

  t.test(
    `${overlay}: secrets come from orderflow-secrets, optional only where the service can do without`,
    async (t) => {
      const required = new Set(['MONGO_URL', 'PAYMENT_WEBHOOK_SECRET']);
      for (const workload of [...deployments, ...ofKind(objects, 'Job')]) {
        for (const [name, source] of resolveEnv(containerOf(workload), configMaps)) {
          if (source.from !== 'secret') continue;
          const ref = `${workload.metadata.name} ${name}`;
          t.equal(source.secret, 'orderflow-secrets', ref);
          t.equal(source.key, name, ref);
          t.equal(source.optional, !required.has(name), `${ref} optional: ${String(!required.has(name))}`);
        }
      }
    },
  );

  t.test(`${overlay}: shared settings suit a Kubernetes deployment`, async (t) => {
    const data = named(objects, 'ConfigMap', 'orderflow-config').data;
    t.equal(data.NODE_ENV, 'production');
    t.equal(data.MIGRATE_ON_START, 'false', 'the migrations Job runs them');
    t.equal(data.SHUTDOWN_DELAY_MS, '0', 'the preStop hook provides the delay');
    t.equal(data.NATS_REPLICAS, overlay === 'prod' ? '3' : '1');
    t.equal(data.LOG_LEVEL, overlay === 'dev' ? 'debug' : 'info');
  });

  t.test(`${overlay}: every Service selects a Deployment's pods on a port they name`, async (t) => {
    for (const service of ofKind(objects, 'Service')) {
      const selector = service.spec.selector as Record<string, string>;
      const target = deployments.find((d) =>
        Object.entries(selector).every(([key, value]) => d.spec.template.metadata.labels[key] === value),
      );
      t.ok(target, `Service/${service.metadata.name} selects a Deployment`);
      const portNames = (containerOf(target).ports ?? []).map((port: K8sObject) => String(port.name));
      for (const port of service.spec.ports) t.ok(portNames.includes(port.targetPort), `${port.targetPort} is named`);
    }
  });

  t.test(`${overlay}: disruption budgets and autoscalers point at Deployments`, async (t) => {
    const names = new Set(deployments.map(nameOf));
    const budgets = ofKind(objects, 'PodDisruptionBudget');
    t.same(budgets.map(nameOf).sort(), ['api', 'notifier', 'processor', 'scheduler']);
    for (const budget of budgets) {
      t.equal(budget.spec.maxUnavailable, 1, budget.metadata.name);
      t.same(
        budget.spec.selector.matchLabels,
        named(objects, 'Deployment', budget.metadata.name).spec.selector.matchLabels,
      );
    }
    for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
      t.ok(names.has(hpa.spec.scaleTargetRef.name), hpa.metadata.name);
      t.equal(hpa.spec.metrics[0].resource.name, 'cpu');
    }
  });

  t.test(`${overlay}: the migrations Job runs migrate.js from the api image, restricted`, async (t) => {
    const job = named(objects, 'Job', 'migrations');
    const container = containerOf(job);
    t.match(container.image, /^orderflow\/api:/);
    t.same(container.command, ['node', 'packages/platform/dist/bin/migrate.js']);
    t.ok(job.spec.backoffLimit >= 1);
    t.ok(job.spec.ttlSecondsAfterFinished > 0);
    t.same([...checkLabels(job), ...checkPodSecurity(job), ...checkResources(job)], []);
    t.same(envCoverage(job, configMaps, ['MONGO_URL', 'MONGO_DB', 'LOG_LEVEL', 'NODE_ENV']), []);
  });

  t.test(`${overlay}: ingress is denied but for the api and Prometheus from monitoring`, async (t) => {
    const policies = ofKind(objects, 'NetworkPolicy');
    const deny = named(objects, 'NetworkPolicy', 'default-deny-ingress');
    t.same(deny.spec, { podSelector: {}, policyTypes: ['Ingress'] });
    const scrape = named(objects, 'NetworkPolicy', 'allow-prometheus-scrape');
    t.same(scrape.spec.ingress[0].from, [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
    t.same(scrape.spec.ingress[0].ports.map((port: K8sObject) => String(port.port)).sort(), ['http', 'ops']);
    const api = named(objects, 'NetworkPolicy', 'api-ingress');
    t.same(api.spec.ingress, [{ ports: [{ protocol: 'TCP', port: 'http' }] }]);
    t.ok(
      policies.every((policy) => !policy.spec.policyTypes.includes('Egress')),
      'egress stays open',
    );
  });
}

t.test('dev runs one pod of everything, no autoscalers, and pays through the simulator', async (t) => {
  const objects = rendered.dev;
  for (const deployment of ofKind(objects, 'Deployment'))
    t.equal(deployment.spec.replicas, 1, deployment.metadata.name);
  t.same(ofKind(objects, 'HorizontalPodAutoscaler'), []);
  const paymentUrl = new URL(named(objects, 'ConfigMap', 'processor-config').data.PAYMENT_URL);
  const simulator = named(objects, 'Service', 'payment-simulator');
  t.equal(paymentUrl.hostname, simulator.metadata.name);
  t.equal(Number(paymentUrl.port), simulator.spec.ports[0].port);
  const webhook = new URL(named(objects, 'ConfigMap', 'payment-simulator-config').data.PAYMENT_WEBHOOK_URL);
  t.equal(webhook.hostname, named(objects, 'Service', 'api').metadata.name);
});

t.test('prod runs at least two pods of each service, spread over zones and nodes', async (t) => {
  const objects = rendered.prod;
  const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
  t.same(hpas.map(nameOf).sort(), ['api', 'notifier', 'processor']);
  for (const hpa of hpas) t.ok(hpa.spec.minReplicas >= 2, `${hpa.metadata.name} minReplicas ${hpa.spec.minReplicas}`);
  for (const hpa of hpas) {
    t.equal(named(objects, 'Deployment', hpa.metadata.name).spec.replicas, undefined, 'the HPA owns the replicas');
  }
  t.equal(named(objects, 'Deployment', 'scheduler').spec.replicas, 2);
  for (const deployment of ofKind(objects, 'Deployment')) {
    const keys = (deployment.spec.template.spec.topologySpreadConstraints ?? []).map((c: K8sObject) =>
      String(c.topologyKey),
    );
    t.same(keys, ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'], deployment.metadata.name);
  }
  t.match(named(objects, 'ConfigMap', 'processor-config').data.PAYMENT_URL, /^https:\/\//);
});

t.test('prod pods are larger than dev pods', async (t) => {
  for (const name of ['api', 'processor', 'notifier', 'scheduler']) {
    const limit = (overlay: Overlay) =>
      cores(containerOf(named(rendered[overlay], 'Deployment', name)).resources.limits.cpu);
    t.ok(limit('prod') > limit('dev'), `${name}: ${limit('prod')} > ${limit('dev')} cores`);
  }
});

// The checks must fail loudly on a broken manifest, not only pass on a good one.

const prodApi = () => structuredClone(named(rendered.prod, 'Deployment', 'api'));
const prodConfigMaps = () => structuredClone(ofKind(rendered.prod, 'ConfigMap'));

t.test('a probe on a port name the container does not have is reported', async (t) => {
  const api = prodApi();
  containerOf(api).readinessProbe.httpGet.port = 'metrics';
  const problems = checkDeployment(api, { configMaps: prodConfigMaps(), service: CONTRACT_SERVICES.api });
  t.same(problems, [
    'Deployment/api: spec.template.spec.containers[api].readinessProbe.httpGet.port: no container port is named metrics',
  ]);
});

t.test('a probe on a port number instead of the named port is reported', async (t) => {
  const api = prodApi();
  containerOf(api).livenessProbe.httpGet.port = 8080;
  const problems = checkDeployment(api, { configMaps: prodConfigMaps(), service: CONTRACT_SERVICES.api });
  t.match(problems, [/livenessProbe\.httpGet\.port: must name a container port \(got 8080\)/]);
});

t.test('a string where the schema wants an integer is reported with its path', async (t) => {
  const api = prodApi();
  containerOf(api).ports[0].containerPort = '8080';
  api.spec.template.spec.terminationGracePeriodSeconds = '30';
  t.same(
    validateObjects([api]).map((p) => `${p.kind}/${p.name}: ${p.path}: ${p.message}`),
    [
      'Deployment/api: spec.template.spec.containers[0].ports[0].containerPort: must be integer',
      'Deployment/api: spec.template.spec.terminationGracePeriodSeconds: must be integer',
    ],
  );
});

t.test('a probe port that is neither a name nor a number is reported by the schema', async (t) => {
  const api = prodApi();
  containerOf(api).startupProbe.httpGet.port = { name: 'http' };
  t.same(
    validateObjects([api]).map((p) => p.path + ': ' + p.message),
    ['spec.template.spec.containers[0].startupProbe.httpGet.port: must be string or integer'],
  );
});

t.test('a variable missing from the service ConfigMap is reported', async (t) => {
  const configMaps = prodConfigMaps();
  delete named(configMaps, 'ConfigMap', 'api-config').data.SSE_MAX_PER_IP;
  t.same(envCoverage(prodApi(), configMaps, CONTRACT_SERVICES.api.requiredEnv), ['SSE_MAX_PER_IP']);
  t.same(checkDeployment(prodApi(), { configMaps, service: CONTRACT_SERVICES.api }), [
    'Deployment/api: spec.template.spec.containers[api].env: lacks SSE_MAX_PER_IP',
  ]);
});

t.test('a secret reference removed from the env list is reported', async (t) => {
  const api = prodApi();
  const container = containerOf(api);
  container.env = container.env.filter((variable: K8sObject) => variable.name !== 'PAYMENT_WEBHOOK_SECRET');
  t.same(envCoverage(api, prodConfigMaps(), CONTRACT_SERVICES.api.requiredEnv), ['PAYMENT_WEBHOOK_SECRET']);
});

t.test('a secret given as a literal value, a short grace period and a writable root are reported', async (t) => {
  const api = prodApi();
  const container = containerOf(api);
  container.env.find((variable: K8sObject) => variable.name === 'MONGO_URL').valueFrom = undefined;
  container.env.find((variable: K8sObject) => variable.name === 'MONGO_URL').value = 'mongodb://user:pw@db:27017';
  container.securityContext.readOnlyRootFilesystem = false;
  api.spec.template.spec.terminationGracePeriodSeconds = 10;
  t.same(checkDeployment(api, { configMaps: prodConfigMaps(), service: CONTRACT_SERVICES.api }), [
    'Deployment/api: spec.template.spec.containers[api].securityContext.readOnlyRootFilesystem: must be true',
    'Deployment/api: spec.template.spec.terminationGracePeriodSeconds: 10 is below preStop + SHUTDOWN_TIMEOUT_MS (15 s)',
    'Deployment/api: spec.template.spec.containers[api].env: MONGO_URL must come from a Secret (secretKeyRef)',
  ]);
});

t.test('a kind without a schema is reported unless allowed, and allowed ones get a structural check', async (t) => {
  const scaledObject = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'processor' },
    spec: {
      scaleTargetRef: { name: 'processor' },
      triggers: [{ type: 'nats-jetstream', metadata: { stream: 'ORDERS', lagThreshold: 100 } }],
    },
  };
  t.same(validateObjects([scaledObject]), [
    {
      kind: 'ScaledObject',
      name: 'processor',
      path: '(object)',
      message: 'not validated: no schema for keda.sh/v1alpha1/ScaledObject (allow it with --allow-kind ScaledObject)',
    },
  ]);
  t.same(validateObjects([scaledObject], { allowKinds: ['ScaledObject'] }), [
    {
      kind: 'ScaledObject',
      name: 'processor',
      path: 'spec.triggers[0].metadata.lagThreshold',
      message: 'must be string',
    },
  ]);
});

t.test('the validate-k8s command exits 1 and names the broken field', async (t) => {
  const api = prodApi();
  containerOf(api).readinessProbe.periodSeconds = 'often';
  const yaml = `${JSON.stringify(named(rendered.prod, 'Namespace', 'orderflow'))}\n---\n${JSON.stringify(api)}\n`;
  const child = spawn(
    process.execPath,
    ['--conditions=orderflow-source', '--import', 'tsx', 'scripts/validate-k8s.ts', '-'],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(yaml);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 1);
  t.match(stderr, 'Deployment/api: spec.template.spec.containers[0].readinessProbe.periodSeconds: must be integer');
});
