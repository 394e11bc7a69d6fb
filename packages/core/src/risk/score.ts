import { RISK_FEATURES } from './features.js';
import { LEAF_NODE, type RiskModel } from './model.js';

/**
 * The model's fraud probability, in [0, 1], for a `riskFeatures` vector: the logistic
 * of the base score plus one leaf per tree. A split sends `x <= threshold` left, so a NaN
 * feature (which compares false) always goes right.
 */
export function scoreRisk(model: RiskModel, features: Float64Array): number {
  if (features.length !== RISK_FEATURES.length) {
    throw new RangeError(`expected ${RISK_FEATURES.length} risk features, got ${features.length}`);
  }
  const { roots, feature, threshold, left, right, leafValue } = model.forest;
  let logOdds = model.baseScore;
  for (let t = 0; t < roots.length; t++) {
    // Parsing proved every child index in range and every path ends at a leaf.
    let node = roots[t]!;
    for (let slot = feature[node]!; slot !== LEAF_NODE; slot = feature[node]!) {
      node = features[slot]! <= threshold[node]! ? left[node]! : right[node]!;
    }
    logOdds += leafValue[node]!;
  }
  return 1 / (1 + Math.exp(-logOdds));
}
