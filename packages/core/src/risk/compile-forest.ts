import { expectArray, expectFiniteNumber, expectIndex, expectObject } from './json-checks.js';
import { LEAF_NODE, type CompiledForest } from './model.js';
import { RiskModelError } from './model-error.js';

const NO_PARENT = -1;

/**
 * Validates the `trees` of a model document and lays every node out in flat arrays.
 * `featureSlots[i]` is the `riskFeatures` index of the document's `features[i]`.
 */
export function compileForest(treesJson: unknown, featureSlots: Int32Array): CompiledForest {
  const trees = expectArray(treesJson, 'trees');
  const nodeLists = trees.map((tree, t) => treeNodes(tree, `trees[${t}]`));
  const nodeCount = nodeLists.reduce((sum, nodes) => sum + nodes.length, 0);
  const forest = {
    roots: new Int32Array(trees.length),
    feature: new Int32Array(nodeCount),
    threshold: new Float64Array(nodeCount),
    left: new Int32Array(nodeCount),
    right: new Int32Array(nodeCount),
    leafValue: new Float64Array(nodeCount),
  };
  let offset = 0;
  nodeLists.forEach((nodes, t) => {
    const tree = { offset, size: nodes.length };
    forest.roots[t] = offset;
    nodes.forEach((node, n) => compileNode(node, `trees[${t}].nodes[${n}]`, tree, featureSlots, forest, offset + n));
    checkTreeShape(forest, tree, `trees[${t}]`);
    offset += nodes.length;
  });
  return forest;
}

function treeNodes(treeJson: unknown, path: string): readonly unknown[] {
  const nodes = expectArray(expectObject(treeJson, path).nodes, `${path}.nodes`);
  if (nodes.length === 0) throw new RiskModelError(`${path}.nodes`, 'missing root (the tree has no nodes)');
  return nodes;
}

interface WritableForest {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  leafValue: Float64Array;
}

/** Where a tree's nodes start in the flat arrays, and how many it has. */
interface TreeSpan {
  readonly offset: number;
  readonly size: number;
}

function compileNode(
  nodeJson: unknown,
  path: string,
  tree: TreeSpan,
  featureSlots: Int32Array,
  forest: WritableForest,
  at: number,
): void {
  const node = expectObject(nodeJson, path);
  const isLeaf = 'leaf' in node;
  const isSplit = 'feature' in node || 'threshold' in node || 'left' in node || 'right' in node;
  if (isLeaf && isSplit) throw new RiskModelError(path, 'a node is either a leaf or a split, not both');
  if (isLeaf) {
    forest.feature[at] = LEAF_NODE;
    forest.leafValue[at] = expectFiniteNumber(node.leaf, `${path}.leaf`);
    return;
  }
  if (!isSplit) {
    throw new RiskModelError(path, 'expected a leaf {"leaf"} or a split {"feature", "threshold", "left", "right"}');
  }
  const modelFeatures = `the model lists ${featureSlots.length} features`;
  const treeNodes = `the tree has ${tree.size} nodes`;
  forest.feature[at] = featureSlots[expectIndex(node.feature, featureSlots.length, path, 'feature', modelFeatures)]!;
  forest.threshold[at] = expectFiniteNumber(node.threshold, `${path}.threshold`);
  forest.left[at] = tree.offset + expectIndex(node.left, tree.size, path, 'left child', treeNodes);
  forest.right[at] = tree.offset + expectIndex(node.right, tree.size, path, 'right child', treeNodes);
}

/**
 * A tree must be one: every node but the root has exactly one parent and is reachable
 * from the root. That is also what guarantees scoring always ends at a leaf.
 */
function checkTreeShape(forest: WritableForest, tree: TreeSpan, path: string): void {
  const parent = new Int32Array(tree.size).fill(NO_PARENT);
  for (let n = 0; n < tree.size; n++) {
    const at = tree.offset + n;
    if (forest.feature[at] === LEAF_NODE) continue;
    for (const child of [forest.left[at]! - tree.offset, forest.right[at]! - tree.offset]) {
      if (child === 0) throw new RiskModelError(`${path}.nodes[${n}]`, 'child 0 is the root (cycle)');
      if (child === n) throw new RiskModelError(`${path}.nodes[${n}]`, `child ${n} is the node itself (cycle)`);
      if (parent[child] !== NO_PARENT) {
        throw new RiskModelError(
          `${path}.nodes[${n}]`,
          `child ${child} is already a child of nodes[${parent[child]}] (a tree node has one parent)`,
        );
      }
      parent[child] = n;
    }
  }
  const reached = reachableFromRoot(forest, tree);
  const lost = reached.indexOf(0);
  if (lost === -1) return;
  // With one parent per node, a node the root cannot reach hangs below an orphan or on a loop.
  let ancestor = lost;
  for (let steps = 0; steps < tree.size && parent[ancestor] !== NO_PARENT; steps++) ancestor = parent[ancestor]!;
  const problem = parent[ancestor] === NO_PARENT ? 'not reachable from the root (nodes[0])' : 'part of a cycle';
  throw new RiskModelError(`${path}.nodes[${lost}]`, problem);
}

/** 1 for each node of the tree reachable from its root; terminates because parents are unique. */
function reachableFromRoot(forest: WritableForest, tree: TreeSpan): Uint8Array {
  const reached = new Uint8Array(tree.size);
  const pending = [0];
  for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
    reached[n] = 1;
    const at = tree.offset + n;
    if (forest.feature[at] !== LEAF_NODE) pending.push(forest.left[at]! - tree.offset, forest.right[at]! - tree.offset);
  }
  return reached;
}
