import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import t from 'tap';
import { copyParts, effective, inherited, keyValues, parseDockerfile } from './support/dockerfile.js';

const root = new URL('../../', import.meta.url);
const dockerfile = parseDockerfile(await readFile(new URL('Dockerfile', root), 'utf8'));
const dockerignore = (await readFile(new URL('.dockerignore', root), 'utf8'))
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};

/** The port each target serves /health on, and the variable that sets it (SPEC §10). */
const TARGETS = {
  api: { entry: 'services/api/dist/main.js', port: 8080, variable: 'PORT' },
  processor: { entry: 'services/processor/dist/main.js', port: 9101, variable: 'OPS_PORT' },
  notifier: { entry: 'services/notifier/dist/main.js', port: 9102, variable: 'OPS_PORT' },
  scheduler: { entry: 'services/scheduler/dist/main.js', port: 9103, variable: 'OPS_PORT' },
  'payment-simulator': { entry: 'tools/payment-simulator/dist/main.js', port: 8090, variable: 'PORT' },
} as const;

const stageNames = dockerfile.stages.map((stage) => stage.name);

/** The packages patches/ fixes (`<name>+<version>.patch`), by name, with the version each patch is for. */
const patchedPackages = new Map(
  (await readdir(new URL('patches/', root)))
    .map((file) => /^(.+)\+([^+]+)\.patch$/.exec(file))
    .filter((match) => match !== null)
    .map((match) => [match[1]!.replace('+', '/'), match[2]!] as const),
);

/** A path the build makes (dist/…) exists once built; before that, its TypeScript source does. */
function builtOrSource(path: string): boolean {
  return (
    existsSync(new URL(path, root)) ||
    existsSync(new URL(path.replace('/dist/', '/src/').replace(/\.js$/, '.ts'), root))
  );
}

function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string'))
    throw new Error(`not exec form: ${args}`);
  return parsed;
}

t.test('every service has a build target', async (t) => {
  for (const target of Object.keys(TARGETS)) t.ok(stageNames.includes(target), target);
});

t.test('every stage starts from Node 24 or from an earlier stage', async (t) => {
  dockerfile.stages.forEach((stage, index) => {
    const earlier = stageNames.slice(0, index);
    t.ok(
      earlier.includes(stage.base) ||
        /^node:24[.-]/.test(stage.base) ||
        /^gcr\.io\/distroless\/nodejs24-/.test(stage.base),
      `${stage.name}: FROM ${stage.base}`,
    );
  });
});

t.test('the images run the Node that package.json pins for local runs', async (t) => {
  t.equal(dockerfile.args.NODE_VERSION, pkg.devDependencies.node);
});

for (const [target, { entry, port, variable }] of Object.entries(TARGETS)) {
  t.test(`the ${target} target runs as a numeric non-root user from /app`, async (t) => {
    const user = effective(dockerfile, target, 'USER')?.args ?? '';
    t.match(user, /^\d+(:\d+)?$/);
    t.not(Number(user.split(':')[0]), 0, 'not root');
    t.equal(effective(dockerfile, target, 'WORKDIR')?.args, '/app');
  });

  t.test(`the ${target} target starts its entrypoint with the telemetry SDK loaded first`, async (t) => {
    const cmd = execForm(effective(dockerfile, target, 'CMD')?.args ?? 'null');
    t.same(cmd, ['node', '--import', '@orderflow/platform/register', entry]);
    t.ok(builtOrSource(entry), `${entry} is built from this repository`);
    t.equal(effective(dockerfile, target, 'ENTRYPOINT')?.args, '[]', 'node is PID 1, no wrapper script');
  });

  t.test(`the ${target} target exposes and probes its port ${port}`, async (t) => {
    const env = Object.assign({}, ...inherited(dockerfile, target, 'ENV').map((i) => keyValues(i.args))) as Record<
      string,
      string
    >;
    t.equal(env.NODE_ENV, 'production');
    t.equal(env[variable], String(port), variable);
    t.same(
      inherited(dockerfile, target, 'EXPOSE').map((i) => i.args),
      [String(port)],
    );
    const healthcheck = effective(dockerfile, target, 'HEALTHCHECK')?.args ?? '';
    const cmd = execForm(healthcheck.slice(healthcheck.indexOf('CMD ') + 4));
    t.equal(cmd[0], 'node', 'exec form, with the node of the image');
    t.match(cmd.join(' '), `process.env.${variable}||${port})+'/health'`);
  });

  t.test(`the ${target} image carries the OCI labels`, async (t) => {
    const labels = Object.assign({}, ...inherited(dockerfile, target, 'LABEL').map((i) => keyValues(i.args))) as Record<
      string,
      string
    >;
    t.equal(labels['org.opencontainers.image.title'], `orderflow-${target}`);
    t.ok(labels['org.opencontainers.image.description'], 'description');
    t.equal(labels['org.opencontainers.image.version'], '${VERSION}');
    t.equal(labels['org.opencontainers.image.licenses'], 'MIT');
    const runtime = dockerfile.stages.find((stage) => stage.name === 'runtime');
    t.ok(
      runtime?.instructions.some((i) => i.keyword === 'ARG' && i.args === `VERSION=${pkg.version}`),
      `VERSION defaults to ${pkg.version}`,
    );
  });
}

t.test('every COPY source is in the build context or comes from an earlier stage', async (t) => {
  dockerfile.stages.forEach((stage, index) => {
    for (const { keyword, args, line } of stage.instructions) {
      if (keyword !== 'COPY') continue;
      const { options, paths } = copyParts(args);
      const sources = paths.slice(0, -1);
      if (options.from !== undefined) {
        t.ok(
          stageNames.slice(0, index).includes(options.from),
          `line ${line}: --from=${options.from} is an earlier stage`,
        );
        continue;
      }
      for (const source of sources) {
        t.ok(existsSync(new URL(source, root)), `line ${line}: ${source} exists`);
        const top = source.replace(/\/$/, '').split('/')[0]!;
        t.notOk(dockerignore.includes(top) || dockerignore.includes(source), `line ${line}: ${source} is not ignored`);
      }
    }
  });
});

t.test('the images get production dependencies only, and the compiled code from the build', async (t) => {
  const prodDeps = dockerfile.stages.find((stage) => stage.name === 'prod-deps');
  const install = prodDeps?.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('npm ci'))?.args ?? '';
  t.match(install, /npm ci --omit=dev --workspaces --include-workspace-root/);
  t.match(install, 'test ! -e node_modules/node', 'the node devDependency is checked to be absent');

  for (const stage of dockerfile.stages) {
    for (const { keyword, args, line } of stage.instructions) {
      const { options, paths } = copyParts(args);
      if (keyword !== 'COPY' || options.from !== 'build') continue;
      for (const source of paths.slice(0, -1)) {
        const patched = /^\/src\/node_modules\/(.+)$/.exec(source)?.[1];
        if (patched !== undefined) t.ok(patchedPackages.has(patched), `line ${line}: ${source} is a patched package`);
        else t.match(source, /^\/src\/(packages|services|tools)\/[\w-]+\/(dist|models)$/, `line ${line}: ${source}`);
      }
    }
  }

  const runtime = dockerfile.stages.find((stage) => stage.name === 'runtime');
  const copies = runtime?.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  t.same(copies, ['--from=app /app /app'], 'the runtime copies the assembled /app alone');
});

t.test('every patched dependency reaches the images patched', async (t) => {
  t.ok(patchedPackages.size > 0, 'patches/ holds patches');
  const copied = dockerfile.stages
    .find((stage) => stage.name === 'prod-deps')
    ?.instructions.filter((i) => i.keyword === 'COPY' && copyParts(i.args).options.from === 'build')
    .map((i) => i.args);
  for (const [name, version] of patchedPackages) {
    const installed = JSON.parse(await readFile(new URL(`node_modules/${name}/package.json`, root), 'utf8')) as {
      version: string;
    };
    t.equal(installed.version, version, `${name}: the patch is for the installed version`);
    t.ok(
      copied?.includes(`--from=build /src/node_modules/${name} node_modules/${name}`),
      `${name}: copied from the build`,
    );
  }
  const build = dockerfile.stages.find((stage) => stage.name === 'build')?.instructions ?? [];
  const patchesCopied = build.findIndex((i) => i.keyword === 'COPY' && i.args === 'patches/ patches/');
  const installed = build.findIndex((i) => i.keyword === 'RUN' && i.args.includes('npm ci'));
  t.ok(patchesCopied >= 0 && patchesCopied < installed, 'the build stage has patches/ before npm ci applies them');
});

t.test('the risk model the processor loads by default is in the images', async (t) => {
  t.ok(existsSync(new URL('packages/core/models/risk-model.json', root)));
  const app = dockerfile.stages.find((stage) => stage.name === 'app');
  t.ok(app?.instructions.some((i) => i.keyword === 'COPY' && i.args.includes('/src/packages/core/models')));
});

t.test('the migrations entrypoint that compose and Kubernetes run is built', async (t) => {
  t.ok(builtOrSource('packages/platform/dist/bin/migrate.js'));
});

t.test('.dockerignore keeps dependencies, history and secrets out of the build context', async (t) => {
  for (const entry of ['**/node_modules', '**/dist', '.git', '.env', '.tools', '.data', '.tap', 'coverage']) {
    t.ok(dockerignore.includes(entry), entry);
  }
});
