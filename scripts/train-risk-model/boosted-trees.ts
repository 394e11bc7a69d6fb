/**
 * Gradient-boosted binary regression trees with logistic loss, grown into the node shape
 * of the risk model file. Split candidates are midpoints between quantiles of each
 * feature's training values (every distinct value when there are few), so finding a split
 * is a scan over at most `maxBins` histogram bins rather than over sorted samples.
 */
import type { RiskNodeJson, RiskTreeJson } from '../../packages/core/src/risk/index.js';

/** How the ensemble is grown. */
export interface BoostingOptions {
  readonly treeCount: number;
  readonly maxDepth: number;
  readonly learningRate: number;
  /** Upper bound on the split candidates per feature, plus one; at most 256. */
  readonly maxBins: number;
  readonly minSamplesPerLeaf: number;
  /** L2 penalty on leaf values (XGBoost's lambda). */
  readonly l2: number;
  /**
   * Per feature: 1 where the score may only rise with the feature, -1 where it may only
   * fall, 0 where it is free. Missing entries are free.
   */
  readonly monotone: readonly Monotone[];
}

/** The direction a feature is constrained to move the score in, if any. */
export type Monotone = -1 | 0 | 1;

/** Training data by feature: `columns[f][i]` is feature `f` of sample `i`; labels are 0 or 1. */
export interface TrainingColumns {
  readonly columns: readonly Float64Array[];
  readonly labels: Uint8Array;
}

/** A trained ensemble, and its log-odds for each training sample. */
export interface BoostedTrees {
  readonly baseScore: number;
  readonly trees: readonly RiskTreeJson[];
  readonly trainingLogOdds: Float64Array;
}

// Keeps leaf values finite where the model is already certain (p(1-p) underflows to 0).
const MIN_HESSIAN = 1e-12;
const MIN_SPLIT_GAIN = 1e-6;
const MAX_BINS = 256;

/** Fits `options.treeCount` trees to the labels, each on the gradients left by the ones before. */
export function boostTrees(data: TrainingColumns, options: BoostingOptions): BoostedTrees {
  if (options.maxBins > MAX_BINS) throw new RangeError(`maxBins must be at most ${MAX_BINS}`);
  const { labels } = data;
  const positives = labels.reduce((sum, label) => sum + label, 0);
  if (positives === 0 || positives === labels.length) throw new Error('training needs samples of both labels');
  const baseScore = Math.log(positives / (labels.length - positives));
  const grower: Grower = {
    binned: data.columns.map((column) => binColumn(column, options.maxBins)),
    gradient: new Float64Array(labels.length),
    hessian: new Float64Array(labels.length),
    logOdds: new Float64Array(labels.length).fill(baseScore),
    histogram: {
      gradient: new Float64Array(MAX_BINS),
      hessian: new Float64Array(MAX_BINS),
      count: new Uint32Array(MAX_BINS),
    },
    options,
  };
  const everySample = Uint32Array.from(labels, (_, i) => i);
  const trees: RiskTreeJson[] = [];
  for (let t = 0; t < options.treeCount; t++) {
    for (let i = 0; i < labels.length; i++) {
      const p = 1 / (1 + Math.exp(-grower.logOdds[i]!));
      grower.gradient[i] = p - labels[i]!;
      grower.hessian[i] = Math.max(p * (1 - p), MIN_HESSIAN);
    }
    const nodes: RiskNodeJson[] = [];
    growNode(grower, nodes, everySample, 0, UNBOUNDED);
    trees.push({ nodes });
  }
  return { baseScore, trees, trainingLogOdds: grower.logOdds };
}

interface BinnedColumn {
  /** Ascending split candidates; bin `b` holds values in (cuts[b-1], cuts[b]]. */
  readonly cuts: Float64Array;
  readonly bins: Uint8Array;
}

interface Grower {
  readonly binned: readonly BinnedColumn[];
  readonly gradient: Float64Array;
  readonly hessian: Float64Array;
  /** Updated as leaves are made, so it is current once a tree is done. */
  readonly logOdds: Float64Array;
  readonly histogram: { readonly gradient: Float64Array; readonly hessian: Float64Array; readonly count: Uint32Array };
  readonly options: BoostingOptions;
}

interface Split {
  readonly feature: number;
  readonly bin: number;
  readonly gain: number;
  /** The children's leaf weights (before the learning rate), within the node's bounds. */
  readonly leftWeight: number;
  readonly rightWeight: number;
}

/** The range a subtree's leaf weights must stay in, so that monotone splits above it hold. */
interface WeightBounds {
  readonly lower: number;
  readonly upper: number;
}

const UNBOUNDED: WeightBounds = { lower: -Infinity, upper: Infinity };

/** Appends the subtree for `samples` to `nodes` in pre-order and returns its root's index. */
function growNode(
  grower: Grower,
  nodes: RiskNodeJson[],
  samples: Uint32Array,
  depth: number,
  bounds: WeightBounds,
): number {
  const at = nodes.length;
  let gradientSum = 0;
  let hessianSum = 0;
  for (const i of samples) {
    gradientSum += grower.gradient[i]!;
    hessianSum += grower.hessian[i]!;
  }
  const split =
    depth < grower.options.maxDepth ? bestSplit(grower, samples, gradientSum, hessianSum, bounds) : undefined;
  if (split === undefined) {
    const leaf = grower.options.learningRate * leafWeight(gradientSum, hessianSum, grower.options.l2, bounds);
    for (const i of samples) grower.logOdds[i]! += leaf;
    nodes.push({ leaf });
    return at;
  }
  nodes.push({ leaf: 0 }); // replaced below, once the children's indexes are known
  const { cuts, bins } = grower.binned[split.feature]!;
  const [leftBounds, rightBounds] = childBounds(grower.options.monotone[split.feature] ?? 0, split, bounds);
  const leftSamples = samples.filter((i) => bins[i]! <= split.bin);
  const rightSamples = samples.filter((i) => bins[i]! > split.bin);
  const left = growNode(grower, nodes, leftSamples, depth + 1, leftBounds);
  const right = growNode(grower, nodes, rightSamples, depth + 1, rightBounds);
  nodes[at] = { feature: split.feature, threshold: cuts[split.bin]!, left, right };
  return at;
}

/**
 * After a monotone split, every leaf on the low side must stay below every leaf on the high
 * side: both subtrees are confined on either side of the midpoint of the children's weights
 * (XGBoost's scheme). Since a lone tree is then monotone, so is their sum.
 */
function childBounds(monotone: Monotone, split: Split, bounds: WeightBounds): [WeightBounds, WeightBounds] {
  if (monotone === 0) return [bounds, bounds];
  const middle = (split.leftWeight + split.rightWeight) / 2;
  const below = { lower: bounds.lower, upper: middle };
  const above = { lower: middle, upper: bounds.upper };
  return monotone === 1 ? [below, above] : [above, below];
}

/** The Newton step for a leaf, clamped to its bounds. */
function leafWeight(gradientSum: number, hessianSum: number, l2: number, bounds: WeightBounds): number {
  return Math.min(bounds.upper, Math.max(bounds.lower, -gradientSum / (hessianSum + l2)));
}

/** How much a leaf of `weight` lowers the second-order loss approximation (times two). */
function lossReduction(gradientSum: number, hessianSum: number, l2: number, weight: number): number {
  return -(2 * gradientSum * weight + (hessianSum + l2) * weight * weight);
}

/** The split of `samples` with the largest loss reduction, if any is worth making. */
function bestSplit(
  grower: Grower,
  samples: Uint32Array,
  gradientSum: number,
  hessianSum: number,
  bounds: WeightBounds,
): Split | undefined {
  const { l2, minSamplesPerLeaf, monotone } = grower.options;
  const { gradient, hessian, count } = grower.histogram;
  const parentReduction = lossReduction(gradientSum, hessianSum, l2, leafWeight(gradientSum, hessianSum, l2, bounds));
  let best: Split | undefined;
  grower.binned.forEach(({ cuts, bins }, feature) => {
    const direction = monotone[feature] ?? 0;
    const binCount = cuts.length + 1;
    gradient.fill(0, 0, binCount);
    hessian.fill(0, 0, binCount);
    count.fill(0, 0, binCount);
    for (const i of samples) {
      const bin = bins[i]!;
      gradient[bin]! += grower.gradient[i]!;
      hessian[bin]! += grower.hessian[i]!;
      count[bin]!++;
    }
    let leftGradient = 0;
    let leftHessian = 0;
    let leftCount = 0;
    for (let bin = 0; bin < cuts.length; bin++) {
      leftGradient += gradient[bin]!;
      leftHessian += hessian[bin]!;
      leftCount += count[bin]!;
      if (leftCount < minSamplesPerLeaf) continue;
      if (samples.length - leftCount < minSamplesPerLeaf) break;
      const rightGradient = gradientSum - leftGradient;
      const rightHessian = hessianSum - leftHessian;
      const leftWeight = leafWeight(leftGradient, leftHessian, l2, bounds);
      const rightWeight = leafWeight(rightGradient, rightHessian, l2, bounds);
      if (direction * (rightWeight - leftWeight) < 0) continue;
      const gain =
        lossReduction(leftGradient, leftHessian, l2, leftWeight) +
        lossReduction(rightGradient, rightHessian, l2, rightWeight) -
        parentReduction;
      if (gain > MIN_SPLIT_GAIN && (best === undefined || gain > best.gain)) {
        best = { feature, bin, gain, leftWeight, rightWeight };
      }
    }
  });
  return best;
}

function binColumn(column: Float64Array, maxBins: number): BinnedColumn {
  const cuts = splitCandidates(column, maxBins);
  const bins = new Uint8Array(column.length);
  column.forEach((value, i) => {
    bins[i] = firstCutAtOrAbove(cuts, value);
  });
  return { cuts, bins };
}

function splitCandidates(column: Float64Array, maxBins: number): Float64Array {
  const sorted = Float64Array.from(column).sort();
  const distinct = sorted.filter((value, i) => i === 0 || value !== sorted[i - 1]);
  const cuts: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 1; i < distinct.length; i++) cuts.push(readableMidpoint(distinct[i - 1]!, distinct[i]!));
    return Float64Array.from(cuts);
  }
  for (let k = 1; k < maxBins; k++) {
    const value = sorted[Math.floor((k * sorted.length) / maxBins)]!;
    const next = distinct[firstCutAtOrAbove(distinct, value) + 1];
    if (next === undefined) break;
    const cut = readableMidpoint(value, next);
    if (cuts.length === 0 || cut > cuts[cuts.length - 1]!) cuts.push(cut);
  }
  return Float64Array.from(cuts);
}

/** The index of the first `cuts` entry >= `value`, i.e. the bin where `value <= cut` first holds. */
function firstCutAtOrAbove(cuts: Float64Array, value: number): number {
  let low = 0;
  let high = cuts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cuts[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A short number strictly between `below` and `above`, so the model file reads well. */
function readableMidpoint(below: number, above: number): number {
  const midpoint = (below + above) / 2;
  for (const digits of [3, 6, 9, 12]) {
    const short = Number(midpoint.toPrecision(digits));
    if (below < short && short < above) return short;
  }
  return midpoint;
}
