/**
 * Order risk scoring: features of an order and its customer's recent history, scored by
 * a gradient-boosted tree ensemble read from a documented JSON format (docs/risk-model.md).
 */
export {
  EMPTY_HISTORY,
  RISK_FEATURES,
  riskFeatures,
  type CustomerHistory,
  type RiskOrderInput,
  type RiskOrderItem,
} from './features.js';
export type { CompiledForest, RiskModel } from './model.js';
export { RiskModelError } from './model-error.js';
export {
  RISK_MODEL_FORMAT,
  RISK_MODEL_VERSION,
  type RiskLeafJson,
  type RiskModelJson,
  type RiskNodeJson,
  type RiskSplitJson,
  type RiskTreeJson,
} from './model-format.js';
export { parseRiskModel } from './parse-model.js';
export { scoreRisk } from './score.js';
