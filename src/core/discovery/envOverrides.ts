import * as path from 'node:path';
import type { DiscoveryProblem, FunctionConfig } from './functionConfig';

/** A parsed `.env` file: values plus the line each was set on. */
export interface DotEnv {
  file: string;
  values: Record<string, { value: string; line: number }>;
  problems: DiscoveryProblem[];
}

/** SAM's `--env-vars` file: `{"Parameters": {...}, "<LogicalId>": {...}}`. */
export interface SamEnvJson {
  file: string;
  perFunction: Record<string, Record<string, string>>;
  all: Record<string, string>;
  problems: DiscoveryProblem[];
}

export function isDotEnv(file: string): boolean {
  return path.basename(file) === '.env';
}

export function isSamEnvJson(file: string): boolean {
  return path.basename(file) === 'env.json';
}

/** dotenv syntax: `KEY=value`, `export KEY=value`, quotes, `#` comments; a bad line is reported, not fatal. */
export function parseDotEnv(file: string, text: string): DotEnv {
  const values: DotEnv['values'] = {};
  const problems: DiscoveryProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      problems.push({
        file,
        line: i + 1,
        severity: 'warning',
        code: 'invalid-settings',
        message: `Not a KEY=value line: ${line}`,
      });
      return;
    }
    let value = m[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else value = value.replace(/\s+#.*$/, '');
    values[m[1]] = { value, line: i + 1 };
  });
  return { file, values, problems };
}

export function parseSamEnvJson(file: string, text: string): SamEnvJson {
  const result: SamEnvJson = { file, perFunction: {}, all: {}, problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    result.problems.push({
      file,
      line: 1,
      severity: 'error',
      code: 'invalid-json',
      message: `env.json: ${(err as Error).message}`,
    });
    return result;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return result;
  for (const [key, vars] of Object.entries(json as Record<string, unknown>)) {
    if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) continue;
    const strings = Object.fromEntries(Object.entries(vars as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    if (key === 'Parameters') result.all = strings;
    else result.perFunction[key] = strings;
  }
  return result;
}

/** Applies a `.env` to a function: adds and overrides variables (a runner convenience). */
export function applyDotEnv(fn: FunctionConfig, env: DotEnv): void {
  for (const [key, { value, line }] of Object.entries(env.values)) {
    fn.environment[key] = value;
    fn.origins[`environment.${key}`] = { file: env.file, line, source: 'env-file' };
  }
}

/** As `sam local invoke --env-vars`: only variables the template declares are overridden. */
export function applySamEnvJson(fn: FunctionConfig, env: SamEnvJson): void {
  const overrides = { ...env.all, ...(env.perFunction[fn.name] ?? {}) };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in fn.environment)) continue;
    fn.environment[key] = value;
    fn.origins[`environment.${key}`] = { file: env.file, line: 1, source: 'env-file' };
  }
}
