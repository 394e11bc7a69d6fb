import t from 'tap';
import { unstorableText } from '@orderflow/core';

t.test('ordinary text, emoji and astral characters can be stored', async (t) => {
  for (const text of ['', 'plain', 'Zoë & Søren', '注文', '🍕 x2', '\t\n', '\uFFFD', '\uD83C\uDF55']) {
    t.equal(unstorableText(text), undefined, JSON.stringify(text));
  }
});

t.test('NUL anywhere cannot be stored', async (t) => {
  for (const text of ['\u0000', 'a\u0000', '\u0000b', 'a\u0000b']) {
    t.match(unstorableText(text), /NUL/, JSON.stringify(text));
  }
});

t.test('a lone high or low surrogate cannot be stored', async (t) => {
  for (const text of ['\uD800', 'x\uDBFF', '\uDC00y', '\uDFFF\uD800', 'ok\uD83C']) {
    t.match(unstorableText(text), /lone surrogates/, JSON.stringify(text));
  }
});
