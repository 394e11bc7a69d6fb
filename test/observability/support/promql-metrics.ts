import { parse } from 'yaml';

/**
 * Words that stand where a metric name could, but are PromQL keywords: binary
 * operators, modifiers and the number literals `Inf` and `NaN`.
 */
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'bool', 'offset', 'inf', 'nan']);

/** Aggregations, which may be followed by `by (...)` or `without (...)` before their arguments. */
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);

/** Keywords followed by a parenthesised list of label names, not of expressions. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const IDENTIFIER = /[A-Za-z_:][A-Za-z0-9_:]*/y;
const NAME_MATCHER = /__name__\s*=\s*(["'`])([A-Za-z_:][A-Za-z0-9_:]*)\1/;

/**
 * The metric names a PromQL expression reads, in order of first appearance, each once.
 * Function and aggregation names, keywords, label names in `by (...)` and the like,
 * label matchers, string literals, numbers, durations, `# comments` and Grafana
 * variables (`$service`, `${service}`, `$__rate_interval`, `[[service]]`) are not
 * metric names. A selector without a name reads the name from `{__name__="..."}`.
 */
export function metricNames(expr: string): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      const end = expr.indexOf('\n', i);
      i = end === -1 ? expr.length : end;
    } else if (c === '{') {
      const end = skipGroup(expr, i, '{', '}');
      const name = NAME_MATCHER.exec(expr.slice(i, end))?.[2];
      if (name) add(name);
      i = end;
    } else if (c === '[') {
      // A range or subquery duration, or a Grafana `[[variable]]`.
      i = skipGroup(expr, i, '[', ']');
    } else if (c === '$') {
      i = expr[i + 1] === '{' ? skipGroup(expr, i + 1, '{', '}') : skipIdentifier(expr, i + 1);
    } else if (/[0-9.]/.test(c)) {
      i = skipNumber(expr, i);
    } else if (/[A-Za-z_:]/.test(c)) {
      const end = skipIdentifier(expr, i);
      const word = expr.slice(i, end);
      const next = nextNonSpace(expr, end);
      i = end;
      if (LABEL_LIST_KEYWORDS.has(word.toLowerCase())) {
        if (expr[next] === '(') i = skipGroup(expr, next, '(', ')');
      } else if (
        expr[next] === '(' ||
        KEYWORDS.has(word.toLowerCase()) ||
        (AGGREGATIONS.has(word.toLowerCase()) && /^(by|without)\b/i.test(expr.slice(next)))
      ) {
        // A function or aggregation: its arguments are read in the next steps.
      } else {
        add(word);
      }
    } else {
      i += 1;
    }
  }
  return names;
}

/**
 * Every PromQL expression of a Grafana dashboard: each target's `expr` in panels and in
 * rows (collapsed rows keep their panels inside), and the queries of `query` template
 * variables, with `label_values(<expr>, label)` and `query_result(<expr>)` unwrapped.
 */
export function dashboardExpressions(dashboard: unknown): string[] {
  const expressions: string[] = [];
  const visitPanels = (panels: unknown) => {
    if (!Array.isArray(panels)) return;
    for (const panel of panels as Array<{ targets?: unknown; panels?: unknown }>) {
      if (Array.isArray(panel.targets)) {
        for (const target of panel.targets as Array<{ expr?: unknown }>) {
          if (typeof target.expr === 'string' && target.expr.trim() !== '') expressions.push(target.expr);
        }
      }
      visitPanels(panel.panels);
    }
  };
  const board = dashboard as { panels?: unknown; rows?: unknown; templating?: { list?: unknown } };
  visitPanels(board.panels);
  // Dashboards older than schema 16 keep panels in `rows`.
  if (Array.isArray(board.rows)) for (const row of board.rows as Array<{ panels?: unknown }>) visitPanels(row.panels);
  const variables = Array.isArray(board.templating?.list) ? board.templating.list : [];
  for (const variable of variables as Array<{ type?: unknown; query?: unknown }>) {
    if (variable.type !== 'query') continue;
    const query =
      typeof variable.query === 'string' ? variable.query : (variable.query as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') continue;
    const expression = variableExpression(query);
    if (expression) expressions.push(expression);
  }
  return expressions;
}

/**
 * Every `expr` of a Prometheus rule file (alerting and recording rules), e.g. the text
 * of `observability/prometheus/alerts.yml`.
 */
export function alertExpressions(yamlText: string): string[] {
  const file = parse(yamlText) as { groups?: Array<{ rules?: Array<{ expr?: unknown }> }> } | null;
  const expressions: string[] = [];
  for (const group of file?.groups ?? []) {
    for (const rule of group.rules ?? []) {
      if (typeof rule.expr === 'string') expressions.push(rule.expr);
      else if (typeof rule.expr === 'number') expressions.push(String(rule.expr));
    }
  }
  return expressions;
}

/** The PromQL inside a Prometheus template variable query, if it has any. */
function variableExpression(query: string): string | undefined {
  const trimmed = query.trim();
  const call = /^(label_values|query_result)\s*\(([\s\S]*)\)$/.exec(trimmed);
  if (!call) return /^(label_names|metrics)\s*\(/.test(trimmed) ? undefined : trimmed;
  const [, fn, args] = call;
  if (fn === 'query_result') return args!.trim();
  // label_values(label) has no expression; label_values(expr, label) ends with the label.
  const comma = lastTopLevelComma(args!);
  return comma === -1 ? undefined : args!.slice(0, comma).trim();
}

function lastTopLevelComma(text: string): number {
  let depth = 0;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') i = skipString(text, i) - 1;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 0) last = i;
  }
  return last;
}

/** Index just past the string literal opening at `start`; backticks have no escapes. */
function skipString(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += quote !== '`' && text[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Index just past the group opening at `start`, with nested groups and strings inside. */
function skipGroup(text: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(text, i);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
    i++;
  }
  return text.length;
}

function skipIdentifier(text: string, start: number): number {
  IDENTIFIER.lastIndex = start;
  return IDENTIFIER.exec(text) ? IDENTIFIER.lastIndex : start + 1;
}

/** Numbers (`0.95`, `1e3`, `0x1f`) and durations (`5m`, `1h30m`). */
function skipNumber(text: string, start: number): number {
  let i = start;
  while (i < text.length && /[0-9A-Za-z_.]/.test(text[i]!)) {
    const exponentSign = /[eE]/.test(text[i]!) && /[+-]/.test(text[i + 1] ?? '') && !text.startsWith('0x', start);
    i += exponentSign ? 2 : 1;
  }
  return i;
}

function nextNonSpace(text: string, start: number): number {
  let i = start;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}
