import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import { formatProblem, validateObjects } from '../../scripts/k8s/validate-objects.js';
import { CONTRACT_SERVICES, type ContractServiceName } from './support/contract.js';
import {
  REQUIRED_LABELS,
  checkDeployment,
  checkLabels,
  checkPodSecurity,
  checkResources,
  envCoverage,
  mainContainer,
  resolveEnv,
} from './support/deployment-checks.js';
import { containerOf, environment, LOADERS, named, ofKind, type K8sObject } from './support/rendered.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const chart = 'helm/orderflow';
const helm = process.env.HELM ?? join(root, '.tools/bin/helm');
const release = 'orderflow';
const namespace = 'orderflow';

if (!existsSync(helm)) {
  throw new Error(`${helm} not found: build the pinned Helm first with \`bash scripts/install-helm.sh\` (or set HELM)`);
}

/** Runs helm from the repository root; rejects with helm's stderr. */
async function runHelm(args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(helm, args, { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`helm ${args.join(' ')} failed: ${stderr ?? String(error)}`, { cause: error });
  }
}

/** `helm template` of the chart with the given values files and flags, parsed. */
async function render(valuesFiles: string[], flags: string[] = []): Promise<K8sObject[]> {
  const args = [
    'template',
    release,
    chart,
    '--namespace',
    namespace,
    ...valuesFiles.flatMap((f) => ['-f', f]),
    ...flags,
  ];
  return parseAllDocuments(await runHelm(args))
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

const VARIANTS = ['default', 'prod', 'keda', 'dev'] as const;
type Variant = (typeof VARIANTS)[number];
const valuesFile = (variant: Variant) => `${chart}/ci/${variant}-values.yaml`;

const rendered = Object.fromEntries(
  await Promise.all(VARIANTS.map(async (variant) => [variant, await render([valuesFile(variant)])] as const)),
) as Record<Variant, K8sObject[]>;

/** The contract entry of a workload, by its app.kubernetes.io/name label. */
const serviceOf = (workload: K8sObject) =>
  CONTRACT_SERVICES[workload.metadata.labels['app.kubernetes.io/name'] as ContractServiceName];
const deploymentOf = (objects: K8sObject[], service: ContractServiceName) =>
  named(objects, 'Deployment', `${release}-${service}`);
const nameLabel = (object: K8sObject): string => String(object.metadata.labels['app.kubernetes.io/name']);

for (const variant of VARIANTS) {
  const objects = rendered[variant];
  const configMaps = ofKind(objects, 'ConfigMap');
  const deployments = ofKind(objects, 'Deployment');

  t.test(`${variant}: helm lint --strict accepts the chart with ci/${variant}-values.yaml`, async (t) => {
    const output = await runHelm(['lint', '--strict', chart, '-f', valuesFile(variant)]);
    t.match(output, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  t.test(`${variant}: every rendered object passes the Kubernetes schemas or its structural check`, async (t) => {
    t.ok(objects.length >= 15, `${objects.length} objects`);
    t.same(validateObjects(objects, { allowKinds: ['ScaledObject', 'ServiceMonitor'] }).map(formatProblem), []);
  });

  t.test(`${variant}: the Deployments are the services of the contract`, async (t) => {
    const expected = ['api', 'processor', 'notifier', 'scheduler', ...(variant === 'dev' ? ['payment-simulator'] : [])];
    t.same(deployments.map(nameLabel).sort(), expected.sort());
  });

  for (const deployment of deployments) {
    const name = deployment.metadata.name as string;
    t.test(`${variant}: the ${name} Deployment meets the deployment contract`, async (t) => {
      t.ok(serviceOf(deployment), 'a service of the contract');
      t.same(checkDeployment(deployment, { configMaps, service: serviceOf(deployment) }), []);
    });

    t.test(`${variant}: the ${name} Deployment's environment is accepted by its config schema`, async (t) => {
      const service = deployment.metadata.labels['app.kubernetes.io/name'] as ContractServiceName;
      t.doesNotThrow(() => LOADERS[service](environment(deployment, configMaps)));
    });

    t.test(`${variant}: ${name} waits out preStop and SHUTDOWN_TIMEOUT_MS with a margin`, async (t) => {
      // preStopSeconds 5 + SHUTDOWN_TIMEOUT_MS 10 s + 5 s.
      t.equal(deployment.spec.template.spec.terminationGracePeriodSeconds, 20);
      t.same(containerOf(deployment).lifecycle.preStop.exec.command, ['node', '-e', 'setTimeout(()=>{},5000)']);
      t.match(deployment.spec.template.metadata.annotations['checksum/config'], /^[0-9a-f]{64}$/);
    });
  }

  t.test(`${variant}: every object carries the app.kubernetes.io labels of a Helm release`, async (t) => {
    for (const object of objects) {
      const ref = `${object.kind}/${object.metadata.name}`;
      const labels = object.metadata.labels ?? {};
      t.same(
        REQUIRED_LABELS.filter((label) => typeof labels[label] !== 'string'),
        [],
        `${ref} has every app.kubernetes.io label`,
      );
      t.equal(labels['app.kubernetes.io/managed-by'], 'Helm', ref);
      t.equal(labels['app.kubernetes.io/part-of'], 'orderflow', ref);
      t.equal(labels['app.kubernetes.io/instance'], release, ref);
      t.equal(labels['helm.sh/chart'], 'orderflow-0.1.0', ref);
    }
  });

  t.test(`${variant}: secrets are read from a Secret, required only where a service cannot do without`, async (t) => {
    const secretName = 'orderflow-secrets';
    const production = named(configMaps, 'ConfigMap', `${release}-config`).data.NODE_ENV === 'production';
    const required = new Set(['MONGO_URL', ...(production ? ['PAYMENT_WEBHOOK_SECRET'] : [])]);
    for (const workload of [...deployments, ...ofKind(objects, 'Job')]) {
      for (const [name, source] of resolveEnv(mainContainer(workload), configMaps)) {
        if (source.from !== 'secret') continue;
        const ref = `${workload.metadata.name} ${name}`;
        t.equal(source.secret, secretName, ref);
        t.equal(source.key, name, ref);
        t.equal(source.optional, !required.has(name), `${ref} optional: ${String(!required.has(name))}`);
      }
    }
  });

  t.test(`${variant}: every Service selects a Deployment's pods on a port they name`, async (t) => {
    for (const service of ofKind(objects, 'Service')) {
      const selector = service.spec.selector as Record<string, string>;
      const target = deployments.find((d) =>
        Object.entries(selector).every(([key, value]) => d.spec.template.metadata.labels[key] === value),
      );
      t.ok(target, `Service/${service.metadata.name} selects a Deployment`);
      const portNames = ((containerOf(target).ports ?? []) as K8sObject[]).map((port): string => String(port.name));
      for (const port of service.spec.ports) t.ok(portNames.includes(port.targetPort), `${port.targetPort} is named`);
    }
  });

  t.test(
    `${variant}: autoscalers and disruption budgets point at Deployments, which then leave replicas alone`,
    async (t) => {
      for (const hpa of ofKind(objects, 'HorizontalPodAutoscaler')) {
        const target = named(objects, 'Deployment', hpa.spec.scaleTargetRef.name);
        t.equal(target.spec.replicas, undefined, `${hpa.metadata.name}: the HPA owns the replicas`);
        t.equal(hpa.spec.metrics[0].resource.name, 'cpu');
        t.not(target.metadata.labels['app.kubernetes.io/name'], 'scheduler', 'the scheduler has no HPA');
      }
      for (const budget of ofKind(objects, 'PodDisruptionBudget')) {
        t.same(
          budget.spec.selector.matchLabels,
          named(objects, 'Deployment', budget.metadata.name).spec.selector.matchLabels,
        );
      }
    },
  );

  t.test(`${variant}: the migrations Job runs migrate.js from the api image before install and upgrade`, async (t) => {
    const job = named(objects, 'Job', `${release}-migrations`);
    t.same(job.metadata.annotations, {
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-weight': '0',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const container = containerOf(job);
    t.match(container.image, /(^|\/)orderflow\/api:0\.1\.0$/);
    t.same(container.command, ['node', 'packages/platform/dist/bin/migrate.js']);
    t.ok(job.spec.backoffLimit >= 1);
    t.same([...checkLabels(job), ...checkPodSecurity(job), ...checkResources(job)], []);
    t.same(
      envCoverage(job, configMaps, [
        'MONGO_URL',
        'MONGO_DB',
        'MONGO_MAX_POOL_SIZE',
        'MONGO_TIMEOUT_MS',
        'MONGO_SOCKET_TIMEOUT_MS',
        'LOG_LEVEL',
        'NODE_ENV',
      ]),
      [],
    );
    t.equal(
      named(configMaps, 'ConfigMap', `${release}-config`).data.MIGRATE_ON_START,
      'false',
      'services do not migrate',
    );
  });

  t.test(`${variant}: a ScaledObject is rendered only with KEDA on`, async (t) => {
    t.equal(ofKind(objects, 'ScaledObject').length, variant === 'keda' ? 1 : 0);
  });
}

t.test('keda: the ScaledObject scales the processor Deployment on the lag of its three lane consumers', async (t) => {
  const objects = rendered.keda;
  const [scaledObject] = ofKind(objects, 'ScaledObject');
  const processor = deploymentOf(objects, 'processor');
  t.equal(scaledObject!.apiVersion, 'keda.sh/v1alpha1');
  t.same(scaledObject!.spec.scaleTargetRef, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: processor.metadata.name,
  });
  const namespacePrefix = named(objects, 'ConfigMap', `${release}-config`).data.NATS_NAMESPACE;
  t.equal(namespacePrefix, 'prod');
  const triggers = scaledObject!.spec.triggers as K8sObject[];
  t.same(
    triggers.map((trigger) => [trigger.type, trigger.metadata.stream, trigger.metadata.consumer] as string[]),
    [
      ['nats-jetstream', 'prod_ORDERS', 'processor-high'],
      ['nats-jetstream', 'prod_ORDERS', 'processor-normal'],
      ['nats-jetstream', 'prod_ORDERS', 'processor-low'],
    ],
  );
  for (const trigger of triggers) t.equal(trigger.metadata.lagThreshold, '200');
  t.ok(scaledObject!.spec.minReplicaCount >= 1, 'the processor never scales to zero');
  t.equal(processor.spec.replicas, undefined, 'KEDA owns the replicas');
  t.same(
    ofKind(objects, 'HorizontalPodAutoscaler').filter(
      (hpa) => hpa.spec.scaleTargetRef.name === processor.metadata.name,
    ),
    [],
    'no HPA of the chart competes with the one KEDA makes',
  );
});

t.test('without NATS_NAMESPACE the ScaledObject watches the stream ORDERS', async (t) => {
  const objects = await render([valuesFile('keda')], ['--set', 'global.nats.namespace=']);
  const streams = ofKind(objects, 'ScaledObject')[0]!.spec.triggers.map((trigger: K8sObject): string =>
    String(trigger.metadata.stream),
  );
  t.same(streams, ['ORDERS', 'ORDERS', 'ORDERS']);
});

t.test('prod: several pods per service, R3 streams, and a ServiceMonitor that finds the four services', async (t) => {
  const objects = rendered.prod;
  t.equal(named(objects, 'ConfigMap', `${release}-config`).data.NATS_REPLICAS, '3');
  const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
  t.same(hpas.map((hpa) => String(hpa.metadata.name)).sort(), [
    'orderflow-api',
    'orderflow-notifier',
    'orderflow-processor',
  ]);
  for (const hpa of hpas) t.ok(hpa.spec.minReplicas >= 2, `${hpa.metadata.name} minReplicas ${hpa.spec.minReplicas}`);
  t.equal(deploymentOf(objects, 'scheduler').spec.replicas, 2);
  t.equal(ofKind(objects, 'PodDisruptionBudget').length, 4);
  t.equal(ofKind(objects, 'NetworkPolicy').length, 1);

  const [monitor] = ofKind(objects, 'ServiceMonitor');
  t.equal(monitor!.apiVersion, 'monitoring.coreos.com/v1');
  t.equal(monitor!.metadata.labels.release, 'kube-prometheus-stack');
  const { matchLabels, matchExpressions } = monitor!.spec.selector;
  const selected = ofKind(objects, 'Service').filter(
    (service) =>
      Object.entries(matchLabels as Record<string, string>).every(([k, v]) => service.metadata.labels[k] === v) &&
      (matchExpressions as K8sObject[]).every((e) => e.values.includes(service.metadata.labels[e.key])),
  );
  t.same(selected.map(nameLabel).sort(), ['api', 'notifier', 'processor', 'scheduler']);
  const endpointPorts = (monitor!.spec.endpoints as K8sObject[]).map((endpoint) => String(endpoint.port));
  for (const service of selected) {
    t.ok(
      service.spec.ports.some((port: K8sObject) => endpointPorts.includes(port.name)),
      `an endpoint names a port of ${service.metadata.name}`,
    );
  }
  for (const endpoint of monitor!.spec.endpoints as K8sObject[]) t.equal(endpoint.path, '/metrics');
});

t.test('only prod renders a ServiceMonitor and a NetworkPolicy', async (t) => {
  for (const variant of ['default', 'keda', 'dev'] as const) {
    t.same(ofKind(rendered[variant], 'ServiceMonitor'), [], variant);
    t.same(ofKind(rendered[variant], 'NetworkPolicy'), [], variant);
  }
});

t.test(
  'dev: one pod of everything, the simulator wired both ways, and a hook Secret from install-time values',
  async (t) => {
    const objects = rendered.dev;
    for (const deployment of ofKind(objects, 'Deployment'))
      t.equal(deployment.spec.replicas, 1, deployment.metadata.name);
    const paymentUrl = new URL(named(objects, 'ConfigMap', `${release}-processor-config`).data.PAYMENT_URL);
    const simulator = named(objects, 'Service', `${release}-payment-simulator`);
    t.equal(paymentUrl.hostname, simulator.metadata.name);
    t.equal(Number(paymentUrl.port), simulator.spec.ports[0].port);
    const webhook = new URL(
      named(objects, 'ConfigMap', `${release}-payment-simulator-config`).data.PAYMENT_WEBHOOK_URL,
    );
    t.equal(webhook.hostname, `${release}-api`);
    const [secret] = ofKind(objects, 'Secret');
    t.equal(secret!.metadata.name, 'orderflow-secrets');
    t.equal(secret!.metadata.annotations['helm.sh/hook'], 'pre-install,pre-upgrade');
    t.ok(Number(secret!.metadata.annotations['helm.sh/hook-weight']) < 0, 'made before the migrations Job');
    t.same(Object.keys(secret!.stringData).sort(), ['MONGO_URL', 'PAYMENT_WEBHOOK_SECRET', 'SMTP_URL']);
  },
);

t.test('no Secret is rendered unless secrets.create is on', async (t) => {
  for (const variant of ['default', 'prod', 'keda'] as const) t.same(ofKind(rendered[variant], 'Secret'), [], variant);
});

t.test('a configuration change rolls only the pods that read it', async (t) => {
  const changed = await render([valuesFile('default')], ['--set', 'api.rateLimitPerMin=100']);
  const checksum = (objects: K8sObject[], service: ContractServiceName) =>
    String(deploymentOf(objects, service).spec.template.metadata.annotations['checksum/config']);
  t.not(checksum(changed, 'api'), checksum(rendered.default, 'api'), 'the api rolls');
  t.equal(checksum(changed, 'processor'), checksum(rendered.default, 'processor'), 'the processor does not');
});

// The schema and the chart's own checks must refuse bad values, naming what is wrong.

/** `helm template` with one extra values file; resolves to helm's error output, rejects if it rendered. */
async function renderError(values: string, t: Test): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-helm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, values);
  try {
    await render([file]);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`helm template accepted:\n${values}`);
}

t.test('a value of the wrong type makes helm template fail, naming the field', async (t) => {
  const message = await renderError('api:\n  replicaCount: two\n', t);
  t.match(message, "values don't meet the specifications of the schema");
  t.match(message, '/api/replicaCount');
  t.match(message, 'want integer');
});

t.test('an unknown log level, a key the chart does not know and a zero lag threshold are refused', async (t) => {
  const message = await renderError(
    'global:\n  logLevel: loud\napi:\n  replicaCont: 2\nprocessor:\n  keda:\n    lagThreshold: 0\n',
    t,
  );
  t.match(message, '/global/logLevel');
  t.match(message, "additional properties 'replicaCont' not allowed");
  t.match(message, '/processor/keda/lagThreshold');
});

t.test('KEDA and the processor HPA together are refused', async (t) => {
  const message = await renderError('processor:\n  autoscaling:\n    enabled: true\n  keda:\n    enabled: true\n', t);
  t.match(message, 'processor.autoscaling.enabled and processor.keda.enabled both make an HPA');
});

t.test('production without a Secret for MONGO_URL or the webhook key is refused', async (t) => {
  t.match(await renderError('global:\n  mongo:\n    existingSecret: ""\n', t), 'set global.mongo.existingSecret');
  t.match(
    await renderError('global:\n  paymentWebhookSecret:\n    existingSecret: ""\n', t),
    'PAYMENT_WEBHOOK_SECRET comes from a Secret',
  );
});
