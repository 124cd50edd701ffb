/** Formatting of record values for display; pure functions, unit-tested outside the webview. */

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A delay on the simulated clock, as AWS documents them (1 min, 2 min, 30 s). */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  if (m < 60) return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
  const hours = Math.floor(m / 60);
  if (hours < 24) return `${hours} h ${m % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** An epoch time on the simulated clock as ISO 8601 to the second (`2026-12-08T16:23:32Z`, UTC like the records). */
export function awsTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Where a JSON text stops being JSON, as the reader sees it (`line 2, column 5: Unexpected token ...`), or undefined
 * when it is JSON.
 */
export function jsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /position (\d+)/.exec(message);
    if (!at) return message;
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    const column = Number(at[1]) - before.lastIndexOf('\n');
    return `line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/, '')}`;
  }
}

/** ISO time shown as `HH:MM:SS.mmm` (UTC, like CloudWatch). */
export function clockTime(iso: string | undefined): string {
  if (!iso) return '–';
  const match = /T(\d\d:\d\d:\d\d(?:\.\d{1,3})?)/.exec(iso);
  return match ? match[1] : iso;
}

export function elapsedMs(fromIso: string, toIso: string): number {
  return Date.parse(toIso) - Date.parse(fromIso);
}

/** Pretty JSON when the text is JSON, otherwise the text itself. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function prettyValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, null, 2) ?? typeof value;
  } catch (err) {
    // Circular or BigInt values: say so rather than print [object Object].
    return `(${typeof value} that cannot be shown as JSON: ${err instanceof Error ? err.message : 'unknown'})`;
  }
}

/** Case-insensitive match of a free-text filter against the searchable words of a record summary. */
export function matchesFilter(filter: string, ...fields: Array<string | undefined>): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = fields.filter(Boolean).join(' ').toLowerCase();
  return words.every((w) => haystack.includes(w));
}

/** Where a configured value came from, as the panel shows it: `template.yaml:42 (sam)`, or `default`. */
export function describeOrigin(origin: unknown): { text: string; title: string; file?: string; line?: number } {
  // Records written before origins were objects hold text.
  if (typeof origin === 'string') return { text: origin, title: origin };
  if (origin === null || typeof origin !== 'object') return { text: '', title: '' };
  const o = origin as { file?: unknown; line?: unknown; source?: unknown };
  const source = typeof o.source === 'string' ? o.source : 'default';
  if (typeof o.file !== 'string' || o.file === '') return { text: source, title: source };
  const base = o.file.split(/[\\/]/).pop() ?? o.file;
  const line = typeof o.line === 'number' && o.line > 0 ? o.line : undefined;
  const where = line ? `${base}:${line}` : base;
  return { text: `${where} (${source})`, title: `${o.file}${line ? `:${line}` : ''}`, file: o.file, line };
}
