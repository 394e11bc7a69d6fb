import { compileForest } from './compile-forest.js';
import { RISK_FEATURES } from './features.js';
import { expectArray, expectFiniteNumber, expectObject, shown } from './json-checks.js';
import type { RiskModel } from './model.js';
import { RiskModelError } from './model-error.js';
import { RISK_MODEL_FORMAT, RISK_MODEL_VERSION } from './model-format.js';

/**
 * Validates a risk model document (already parsed from JSON; docs/risk-model.md) and
 * compiles it for `scoreRisk`. Its features are matched to `RISK_FEATURES` by name, so a
 * model may use any subset in any order.
 *
 * @throws RiskModelError naming the first problem and where it is.
 */
export function parseRiskModel(json: unknown): RiskModel {
  const doc = expectObject(json, 'model');
  if (doc.format !== RISK_MODEL_FORMAT) {
    throw new RiskModelError('format', `expected "${RISK_MODEL_FORMAT}", found ${shown(doc.format)}`);
  }
  if (doc.version !== RISK_MODEL_VERSION) {
    throw new RiskModelError('version', `expected ${RISK_MODEL_VERSION}, found ${shown(doc.version)}`);
  }
  const features = featureNames(doc.features);
  const baseScore = expectFiniteNumber(doc.base_score, 'base_score');
  const metadata = doc.metadata === undefined ? {} : expectObject(doc.metadata, 'metadata');
  const forest = compileForest(doc.trees, featureSlots(features));
  return Object.freeze({
    features: Object.freeze([...features]),
    baseScore,
    treeCount: forest.roots.length,
    metadata: Object.freeze({ ...metadata }),
    forest,
  });
}

function featureNames(value: unknown): readonly string[] {
  const names = expectArray(value, 'features');
  names.forEach((name, i) => {
    if (typeof name !== 'string') throw new RiskModelError(`features[${i}]`, `expected a name, found ${shown(name)}`);
    if (!RISK_FEATURES.includes(name)) {
      throw new RiskModelError(`features[${i}]`, `unknown feature "${name}" (known: ${RISK_FEATURES.join(', ')})`);
    }
    const first = names.indexOf(name);
    if (first !== i) throw new RiskModelError(`features[${i}]`, `"${name}" is already features[${first}]`);
  });
  return names as readonly string[];
}

function featureSlots(names: readonly string[]): Int32Array {
  return Int32Array.from(names, (name) => RISK_FEATURES.indexOf(name));
}
