import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { runCommand } from '@orderflow/testkit';

const root = fileURLToPath(new URL('../..', import.meta.url));
// What scripts/check-deploy.sh reads; the rest of a copy links back to this checkout.
const COPIED = [
  'scripts',
  'k8s',
  'helm',
  'deploy',
  'observability',
  'docker-compose.yml',
  '.yamllint.yml',
  'package.json',
];
const LINKED = ['node_modules', '.tools', 'packages'];

t.setTimeout(600_000);

/** A copy of the deploy artifacts in a temporary directory, to break on purpose. */
async function copyOfTree(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'orderflow-check-deploy-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const entry of COPIED) await cp(join(root, entry), join(dir, entry), { recursive: true });
  for (const entry of LINKED) await symlink(join(root, entry), join(dir, entry));
  return dir;
}

async function checkDeploy(dir: string) {
  return runCommand('bash', ['scripts/check-deploy.sh'], { cwd: dir, env: process.env });
}

t.test('scripts/check-deploy.sh passes on the deploy artifacts as they are', async (t) => {
  const result = await checkDeploy(root);
  t.equal(result.exitCode, 0, result.exitCode === 0 ? 'exits 0' : result.outputTail.slice(-2000));
});

t.test('it fails loudly, naming the object, on a probe port of the wrong type', async (t) => {
  const dir = await copyOfTree(t);
  const file = join(dir, 'k8s/base/api.yaml');
  const manifest = await readFile(file, 'utf8');
  const broken = manifest.replace(
    /(readinessProbe:\s*\n\s*httpGet:\s*\n(?:\s*path: \S+\n)?\s*)port: http/,
    '$1port: [8080]',
  );
  t.not(broken, manifest, 'the readiness probe port was changed');
  await writeFile(file, broken);
  const result = await checkDeploy(dir);
  t.equal(result.exitCode, 1, 'exits 1');
  t.match(result.outputTail, /Deployment\/api: spec\.template\.spec\.containers\[0\]\.readinessProbe\.httpGet\.port/);
  t.match(result.outputTail, /check-deploy: FAILED: the objects of k8s\/overlays\//);
});

t.test('it fails on a chart value of the wrong type, naming the field', async (t) => {
  const dir = await copyOfTree(t);
  await writeFile(join(dir, 'helm/orderflow/ci/broken-values.yaml'), 'api:\n  replicaCount: two\n');
  const result = await checkDeploy(dir);
  t.equal(result.exitCode, 1, 'exits 1');
  t.match(result.outputTail, /replicaCount/);
  t.match(result.outputTail, /check-deploy: FAILED: helm lint with helm\/orderflow\/ci\/broken-values\.yaml/);
});
