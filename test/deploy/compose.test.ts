import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { parse } from 'yaml';
import { simulatorVariables } from '@orderflow/payment-simulator';
import { apiVariables } from '../../services/api/src/config.js';
import { notifierVariables } from '../../services/notifier/src/config.js';
import { processorVariables } from '../../services/processor/src/config.js';
import { schedulerVariables } from '../../services/scheduler/src/config.js';
import { OTEL_VARIABLES } from './support/contract.js';

interface Service {
  image?: string;
  build?: { context: string; target: string };
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  logging?: { driver: string };
  read_only?: boolean;
}

const root = new URL('../../', import.meta.url);
const composePath = new URL('docker-compose.yml', root);
// docker compose reads `<<` merge keys (YAML 1.1); the yaml package does when asked.
const compose = parse(await readFile(composePath, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { version: string };

/** Test-only: never set in a deployment. */
const TEST_ONLY = new Set(['ORDERFLOW_FAULT_POINT']);
const SECRETS = ['MONGO_URL', 'NATS_USER', 'NATS_PASSWORD', 'NATS_TOKEN', 'PAYMENT_WEBHOOK_SECRET', 'SMTP_URL'];

const APPS = {
  api: { variables: apiVariables, port: 8080, probe: '/ready' },
  processor: { variables: processorVariables, port: 9101, probe: '/ready' },
  notifier: { variables: notifierVariables, port: 9102, probe: '/ready' },
  scheduler: { variables: schedulerVariables, port: 9103, probe: '/ready' },
  'payment-simulator': { variables: simulatorVariables, port: 8090, probe: '/health' },
} as const;
const SERVICES = ['api', 'processor', 'notifier', 'scheduler'] as const;
const OBSERVABILITY = ['elasticsearch', 'kibana', 'filebeat', 'prometheus', 'grafana', 'otel-collector', 'jaeger'];
const CORE = [...Object.keys(APPS), 'mongo', 'nats', 'migrations'];

const isProfiled = (name: string) => (services[name]?.profiles ?? []).length > 0;

t.test('the stack has the services, their dependencies and the observability stack', async (t) => {
  for (const name of [...CORE, ...OBSERVABILITY, 'kibana-setup']) t.ok(services[name], name);
});

t.test('the core runs without a profile and the observability stack only in its own', async (t) => {
  for (const name of CORE) t.notOk(isProfiled(name), `${name} always starts`);
  for (const name of [...OBSERVABILITY, 'kibana-setup']) t.same(services[name]?.profiles, ['observability'], name);
});

t.test('no service without a profile depends on one that has a profile', async (t) => {
  for (const [name, service] of Object.entries(services)) {
    if (isProfiled(name)) continue;
    for (const dependency of Object.keys(service.depends_on ?? {})) {
      t.ok(services[dependency], `${name} -> ${dependency} exists`);
      t.notOk(isProfiled(dependency), `${name} -> ${dependency} starts with the core`);
    }
  }
});

t.test('every bind-mounted file or folder exists in the repository', async (t) => {
  for (const [name, service] of Object.entries(services)) {
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0]!;
      if (!source.startsWith('./')) continue;
      t.match(source, /^\.\/(observability|deploy)\//, `${name}: ${source} is a repository file`);
      t.ok(existsSync(new URL(source, root)), `${name}: ${source} exists`);
    }
  }
});

t.test('every image is pinned to a version', async (t) => {
  for (const [name, service] of Object.entries(services)) {
    const tag = /:([^/:]+)$/.exec(service.image ?? '')?.[1];
    t.ok(tag && tag !== 'latest', `${name}: ${service.image}`);
  }
});

for (const [name, { variables, port, probe }] of Object.entries(APPS)) {
  const service = services[name] ?? {};
  const env = service.environment ?? {};

  t.test(`${name} is built from its Dockerfile target with the package version as its tag`, async (t) => {
    t.same(service.build, { context: '.', target: name });
    t.equal(service.image, `orderflow/${name}:\${ORDERFLOW_VERSION:-${pkg.version}}`);
    t.equal(service.logging?.driver, 'json-file', 'logs where Filebeat reads them');
    t.equal(service.read_only, true, 'read-only root filesystem');
  });

  t.test(`${name} is healthy once its ${probe} on ${port} answers`, async (t) => {
    const test = service.healthcheck?.test ?? [];
    t.equal(test[0], 'CMD');
    t.match(test.join(' '), `http://127.0.0.1:${port}${probe}`);
  });

  t.test(`${name} sets every variable it reads`, async (t) => {
    for (const variable of [...Object.keys(variables), ...OTEL_VARIABLES]) {
      if (TEST_ONLY.has(variable)) t.notOk(variable in env, `${variable} is not set`);
      else t.ok(variable in env, variable);
    }
    t.equal(env.NODE_ENV, 'production');
    t.equal(env.OTEL_SERVICE_NAME, name);
    t.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, '${ORDERFLOW_OTLP_ENDPOINT-http://otel-collector:4318}');
  });

  t.test(`${name} takes its secrets from .env, never from the file`, async (t) => {
    for (const secret of SECRETS.filter((variable) => variable in variables)) {
      const value = env[secret] ?? '';
      t.match(value, /^\$\{[A-Z][A-Z0-9_]*(:?[-?][^}@]*)?\}$/, `${secret} is a substitution without credentials`);
    }
  });
}

for (const name of SERVICES) {
  const service = services[name] ?? {};
  const env = service.environment ?? {};

  t.test(`${name} starts after the migrations, once MongoDB and NATS are healthy`, async (t) => {
    t.same(service.depends_on?.mongo, { condition: 'service_healthy' });
    t.same(service.depends_on?.nats, { condition: 'service_healthy' });
    t.same(service.depends_on?.migrations, { condition: 'service_completed_successfully' });
    t.equal(env.MIGRATE_ON_START, 'false');
  });

  t.test(`${name} reaches the compose MongoDB replica set and NATS`, async (t) => {
    t.equal(env.MONGO_URL, '${ORDERFLOW_MONGO_URL:-mongodb://mongo:27017/?replicaSet=rs0&w=majority}');
    t.equal(env.NATS_URL, 'nats://nats:4222');
    t.equal(env.EVENT_BUS, 'jetstream');
  });
}

t.test('the api runs an explicit number of workers', async (t) => {
  t.match(services.api?.environment?.API_WORKERS, /^[1-9]\d*$/);
});

t.test('the processor pays through the simulator, which calls back the api', async (t) => {
  t.equal(services.processor?.environment?.PAYMENT_URL, 'http://payment-simulator:8090');
  t.equal(services['payment-simulator']?.environment?.PAYMENT_WEBHOOK_URL, 'http://api:8080/webhooks/payments');
  t.equal(
    services.api?.environment?.PAYMENT_WEBHOOK_SECRET,
    services['payment-simulator']?.environment?.PAYMENT_WEBHOOK_SECRET,
    'both sides sign with the same secret',
  );
});

t.test('the migrations run once with the api image, after MongoDB is healthy', async (t) => {
  const migrations = services.migrations ?? {};
  t.equal(migrations.image, services.api?.image);
  t.same(migrations.command, ['node', 'packages/platform/dist/bin/migrate.js']);
  t.same(migrations.depends_on, { mongo: { condition: 'service_healthy' } });
  for (const variable of ['MONGO_URL', 'MONGO_DB', 'LOG_LEVEL', 'NODE_ENV']) {
    t.ok(variable in (migrations.environment ?? {}), variable);
  }
});

t.test('Prometheus scrapes each service at the port compose gives it', async (t) => {
  const config = parse(await readFile(new URL('observability/prometheus/prometheus.yml', root), 'utf8')) as {
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  };
  const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets));
  for (const name of SERVICES) t.ok(targets.includes(`${name}:${APPS[name].port}`), `${name}:${APPS[name].port}`);
});

t.test('the Collector exports to the compose Jaeger', async (t) => {
  const config = await readFile(new URL('observability/otel-collector/config.yml', root), 'utf8');
  t.match(config, 'endpoint: jaeger:4317');
  t.ok(services.jaeger);
});

t.test('Grafana takes its admin password from .env', async (t) => {
  t.match(services.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD, /^\$\{GRAFANA_ADMIN_PASSWORD:\?[^}]*\}$/);
});

const exec = promisify(execFile);

/** Runs `docker-compose config -q` with only `secrets` set (none from the shell or a .env). */
async function composeConfig(secrets: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'orderflow-compose-'));
  try {
    const envFile = join(dir, 'empty.env');
    await writeFile(envFile, '');
    const env = { ...process.env };
    for (const name of ['PAYMENT_WEBHOOK_SECRET', 'GRAFANA_ADMIN_PASSWORD', ...SECRETS]) delete env[name];
    const file = new URL('docker-compose.yml', root).pathname;
    await exec('docker-compose', ['--env-file', envFile, '-f', file, 'config', '-q'], { env: { ...env, ...secrets } });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { code?: number | string; stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error('docker-compose is not installed: apt-get install -y docker-compose (Debian; compose 1.29)', {
        cause: error,
      });
    }
    return { code: Number(failure.code ?? 1), stderr: failure.stderr ?? String(error) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

t.test('docker-compose accepts the file with the required secrets set', async (t) => {
  const result = await composeConfig({ PAYMENT_WEBHOOK_SECRET: 'dummy-secret', GRAFANA_ADMIN_PASSWORD: 'dummy' });
  t.equal(result.code, 0, result.stderr);
});

t.test('docker-compose refuses to start without PAYMENT_WEBHOOK_SECRET, naming it', async (t) => {
  const result = await composeConfig({ GRAFANA_ADMIN_PASSWORD: 'dummy' });
  t.not(result.code, 0);
  t.match(result.stderr, 'set PAYMENT_WEBHOOK_SECRET in .env');
});
