/** The `format` tag every risk model file carries. */
export const RISK_MODEL_FORMAT = 'orderflow-risk-ensemble';

/** The version of the file format this code reads and writes. */
export const RISK_MODEL_VERSION = 1;

/**
 * A risk model file (docs/risk-model.md): a gradient-boosted ensemble of binary regression
 * trees with logistic output, score = sigmoid(base_score + sum of one leaf per tree).
 */
export interface RiskModelJson {
  readonly format: typeof RISK_MODEL_FORMAT;
  readonly version: typeof RISK_MODEL_VERSION;
  /** Names of the features the nodes refer to by index; each one of `RISK_FEATURES`. */
  readonly features: readonly string[];
  /** The log-odds every score starts from. */
  readonly base_score: number;
  /** How the model was made (trainer, seed, metrics); not used for scoring. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  readonly trees: readonly RiskTreeJson[];
}

/** One tree; `nodes[0]` is its root. */
export interface RiskTreeJson {
  readonly nodes: readonly RiskNodeJson[];
}

/** A node of a tree: a split or a leaf. */
export type RiskNodeJson = RiskSplitJson | RiskLeafJson;

/** `x[features[feature]] <= threshold` goes to `nodes[left]`, anything else to `nodes[right]`. */
export interface RiskSplitJson {
  readonly feature: number;
  readonly threshold: number;
  readonly left: number;
  readonly right: number;
}

/** A leaf adds `leaf` to the log-odds. */
export interface RiskLeafJson {
  readonly leaf: number;
}
