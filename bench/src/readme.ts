/** Markers around the generated part of README.md. */
export const START_MARKER = '<!-- bench:start -->';
export const END_MARKER = '<!-- bench:end -->';

const HEADING = '## Performance';
const HOW_TO_RUN =
  'Measured with `npm run bench` (the full open-loop benchmark of the local stack, results in `bench/results/`); ' +
  '`npm run bench -- --quick` gives a rough reading in under three minutes.';

/**
 * README text with everything between the bench markers replaced by `content`. When the
 * markers are missing, a "## Performance" section with them is added (after an existing
 * "## Performance" heading, else at the end).
 */
export function replaceBenchSection(readme: string, content: string): string {
  const block = `${START_MARKER}\n${content.trim()}\n${END_MARKER}`;
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start >= 0 && end > start) return readme.slice(0, start) + block + readme.slice(end + END_MARKER.length);
  const heading = new RegExp(`^${HEADING}[ \\t]*$`, 'm').exec(readme);
  if (heading) {
    const at = heading.index + heading[0].length;
    return `${readme.slice(0, at)}\n\n${HOW_TO_RUN}\n\n${block}\n${readme.slice(at)}`;
  }
  const base = readme.endsWith('\n') ? readme : `${readme}\n`;
  return `${base}\n${HEADING}\n\n${HOW_TO_RUN}\n\n${block}\n`;
}
