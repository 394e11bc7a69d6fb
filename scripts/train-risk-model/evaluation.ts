/** Quality measures of fraud probabilities against 0/1 labels. */

// A model that is certain and wrong would otherwise cost an infinite log-loss.
const PROBABILITY_FLOOR = 1e-15;

/** Mean negative log-likelihood of the labels (lower is better; 0.693 is a coin toss). */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, probabilities[i]!));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random
 * negative, ties counting half (Mann-Whitney U with mid-ranks).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]! || a - b);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        positiveRankSum += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = labels.length - positives;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Share of each label whose probability reaches `rejectScore` (what the processor would reject). */
export function rejectionRates(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  rejectScore: number,
): { readonly fraudRejected: number; readonly legitimateRejected: number } {
  let fraud = 0;
  let fraudRejected = 0;
  let legitimateRejected = 0;
  for (let i = 0; i < labels.length; i++) {
    const rejected = probabilities[i]! >= rejectScore;
    if (labels[i] === 1) {
      fraud++;
      if (rejected) fraudRejected++;
    } else if (rejected) {
      legitimateRejected++;
    }
  }
  return { fraudRejected: fraudRejected / fraud, legitimateRejected: legitimateRejected / (labels.length - fraud) };
}
