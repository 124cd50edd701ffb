import type { CodeScan, HandlerExport } from './handlerExports';

const HANDLER_NAMES = /^(handler|lambda_handler|main|handle)$|_handler$/;
const EVENT_PARAM = /^_?(event|evt)$/;
const CONTEXT_PARAM = /^_?(context|ctx)$/;

/**
 * Top-level `def name(...)` / `async def name(...)` of a Python module. A line scanner is enough because only
 * column-0 definitions count; it skips triple-quoted strings so a `def` inside a docstring is not taken.
 */
export function scanPythonHandlers(text: string): CodeScan {
  const exports: HandlerExport[] = [];
  const lines = text.split(/\r?\n/);
  let openQuote: '"""' | "'''" | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const startsInString = openQuote !== undefined;
    openQuote = tripleQuoteStateAfter(line, openQuote);
    if (startsInString) continue;
    const m = /^(?:async\s+)?def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(line);
    if (!m) continue;
    // Parameters may span several lines: collect up to the closing parenthesis.
    let params = line.slice(m[0].length);
    for (let j = i + 1; !params.includes(')') && j < lines.length && j < i + 20; j++) params += ' ' + lines[j];
    const names = params
      .slice(0, params.indexOf(')') < 0 ? undefined : params.indexOf(')'))
      .split(',')
      .map((p) => p.split(/[:=]/)[0].trim().replace(/^\*+/, ''))
      .filter((p) => p.length > 0);
    const name = m[1];
    const signature =
      (names[0] !== undefined && EVENT_PARAM.test(names[0])) ||
      (names[1] !== undefined && CONTEXT_PARAM.test(names[1]));
    const entry: HandlerExport = {
      exportName: name,
      line: i + 1,
      column: line.indexOf(name, m[0].indexOf('def')) + 1,
      handlerLike: signature || HANDLER_NAMES.test(name),
    };
    if (entry.handlerLike) entry.reason = signature ? 'signature' : 'name';
    exports.push(entry);
  }
  return { language: 'python', exports, problems: [] };
}

/** Tracks whether a line leaves us inside a triple-quoted string, ignoring quotes in comments and plain strings. */
function tripleQuoteStateAfter(line: string, open: '"""' | "'''" | undefined): '"""' | "'''" | undefined {
  let i = 0;
  while (i < line.length) {
    if (open) {
      const end = line.indexOf(open, i);
      if (end < 0) return open;
      i = end + 3;
      open = undefined;
      continue;
    }
    const c = line[i];
    if (c === '#') return undefined;
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      open = line.slice(i, i + 3) as '"""' | "'''";
      i += 3;
      continue;
    }
    if (c === '"' || c === "'") {
      // A plain string ends on the same line (or the line is invalid anyway).
      i++;
      while (i < line.length && line[i] !== c) i += line[i] === '\\' ? 2 : 1;
    }
    i++;
  }
  return open;
}
