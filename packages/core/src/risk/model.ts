/**
 * A parsed risk model, ready to score. Made by `parseRiskModel`; treat it as immutable.
 */
export interface RiskModel {
  /** The feature names the model file lists, in its order. */
  readonly features: readonly string[];
  /** The log-odds every score starts from. */
  readonly baseScore: number;
  readonly treeCount: number;
  /** The file's `metadata`, as read. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly forest: CompiledForest;
}

/**
 * Every node of every tree in flat typed arrays, indexed by a global node number, so
 * scoring walks numbers instead of objects. Feature indexes are already mapped onto
 * `RISK_FEATURES`, and every child index is known to be in range and acyclic.
 */
export interface CompiledForest {
  /** Global node number of each tree's root. */
  readonly roots: Int32Array;
  /** Index into the `riskFeatures` vector for a split, `LEAF_NODE` for a leaf. */
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** What a leaf adds to the log-odds (0 for splits). */
  readonly leafValue: Float64Array;
}

/** The `feature` of a leaf node in a `CompiledForest`. */
export const LEAF_NODE = -1;
