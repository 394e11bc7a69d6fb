/**
 * Validates rendered Kubernetes objects offline, against the OpenAPI models of the
 * kubernetes-models package: `kubectl kustomize k8s/overlays/prod | node
 * --conditions=orderflow-source --import tsx scripts/validate-k8s.ts -`.
 *
 *   validate-k8s.ts <file.yaml | -> [--allow-kind ScaledObject,ServiceMonitor]
 *
 * Reads a multi-document YAML stream from the file or stdin. Prints one
 * `<kind>/<name>: <path>: <problem>` line per problem and exits 1 if there is any;
 * kinds without a model count as problems unless allowed.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { formatProblem, validateObjects } from './k8s/validate-objects.js';

const usage = 'usage: validate-k8s.ts <file.yaml | -> [--allow-kind Kind,Kind]';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { 'allow-kind': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(usage);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  const [source] = positionals as [string];
  const text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  const documents = parseAllDocuments(text);
  const syntax = documents.flatMap((document, index) =>
    document.errors.map((error) => `document #${index}: ${error.message}`),
  );
  if (syntax.length > 0) {
    for (const line of syntax) console.error(line);
    return 1;
  }
  const objects = documents.map((document) => document.toJS() as unknown);
  const allowKinds = (values['allow-kind'] ?? []).flatMap((list) => list.split(',').map((kind) => kind.trim()));
  const problems = validateObjects(objects, { allowKinds });
  for (const problem of problems) console.error(formatProblem(problem));
  const count = objects.filter((object) => object !== null && object !== undefined).length;
  if (problems.length > 0) {
    console.error(`${problems.length} problem(s) in ${count} object(s)`);
    return 1;
  }
  console.log(`${count} object(s) valid`);
  return 0;
}

process.exitCode = await main();
