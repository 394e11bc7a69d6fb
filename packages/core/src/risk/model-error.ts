/**
 * A risk model document that cannot be used. `path` locates the problem in the document
 * (e.g. `trees[3].nodes[7]`) and starts the message, so an operator can fix the file.
 */
export class RiskModelError extends Error {
  readonly code = 'ERR_RISK_MODEL';
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'RiskModelError';
    this.path = path;
  }
}
