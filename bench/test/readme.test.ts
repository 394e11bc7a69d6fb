import t from 'tap';
import { END_MARKER, replaceBenchSection, START_MARKER } from '../src/readme.js';
import { commandOf } from '../src/report.js';

t.test('the text between the markers is replaced and the rest kept', async (t) => {
  const readme = `# X\n\n## Performance\n\n${START_MARKER}\nold\n${END_MARKER}\n\n## Next\n`;
  t.equal(
    replaceBenchSection(readme, 'new table'),
    `# X\n\n## Performance\n\n${START_MARKER}\nnew table\n${END_MARKER}\n\n## Next\n`,
  );
});

t.test('without markers a Performance section with them is added at the end', async (t) => {
  const updated = replaceBenchSection('# X\n\ntext\n', 'table');
  t.match(
    updated,
    /^# X\n\ntext\n\n## Performance\n\n.*npm run bench -- --quick.*\n\n<!-- bench:start -->\ntable\n<!-- bench:end -->\n$/s,
  );
});

t.test('an existing Performance heading gets the markers under it', async (t) => {
  const updated = replaceBenchSection('# X\n\n## Performance\n\n## Next\n', 'table');
  t.ok(updated.indexOf(START_MARKER) > updated.indexOf('## Performance'));
  t.ok(updated.indexOf(END_MARKER) < updated.indexOf('## Next'));
});

t.test('replacing twice gives the same text as replacing once', async (t) => {
  const once = replaceBenchSection('# X\n', 'table');
  t.equal(replaceBenchSection(once, 'table'), once);
});

t.test("the README's last-run line names the flags that shaped the numbers", async (t) => {
  t.equal(commandOf([]), 'npm run bench');
  t.equal(commandOf(['--quick']), 'npm run bench -- --quick');
  t.equal(commandOf(['--start-rate', '2', '--soak', '--update-readme']), 'npm run bench -- --start-rate 2 --soak');
});
