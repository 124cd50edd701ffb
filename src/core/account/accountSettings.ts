/**
 * The settings of a local account, as both fronts read them: the VS Code window through its configuration API
 * (`lambdaTrigger.*`, live), the CLI from the workspace folder's `.vscode/settings.json`, so that a terminal in the
 * workspace runs with the region, account, time scale, log format and follow horizon the editor shows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { DEFAULT_LOCATION, locationOf, locationProblem, type AwsLocation } from '../awsLocation';
import { NO_CREDENTIALS, parseAwsCredentialsMode, type AwsCredentialsMode } from '../endpoints/aws/handlerCredentials';
import {
  DEFAULT_FOLLOW_DELIVERIES,
  MAX_FOLLOW_DELIVERIES,
  MIN_FOLLOW_DELIVERIES,
  parseFollowDeliveries,
} from '../invoke/followHorizon';

export interface AccountSettings {
  location: AwsLocation;
  /** Simulated seconds per wall second; Infinity ("instant") runs AWS's delays at once. */
  timeScale: number;
  logFormat: 'Text' | 'JSON';
  /** Empty: the workspace's virtualenv, else python3. */
  pythonInterpreter: string | undefined;
  /** Extra globs the handler index skips. */
  excludeGlobs: string[];
  /** Lambda prices for cost estimates, per architecture; what it leaves out comes from the price data file. */
  pricing: PricingOverride;
  /** Deliveries of one event a run follows when its source would retry it for hours or days (followHorizon.ts). */
  followDeliveries: number;
  /** What handlers' SDK calls to services the runner does not simulate get: nothing (default), a profile, the user's variables. */
  awsCredentials: AwsCredentialsMode;
  /** The local AWS endpoint's port on 127.0.0.1; 0: a free one. */
  awsEndpointPort: number;
  /** The local HTTP API's port on 127.0.0.1 (VS Code's Start Local API, `serve` without --port); 0: a free one. */
  localApiPort: number;
}

export type PricingOverride = Partial<
  Record<'x86_64' | 'arm64', Partial<{ requestsPerMillion: number; gbSecond: number }>>
>;

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = Object.freeze({
  location: DEFAULT_LOCATION,
  timeScale: Number.POSITIVE_INFINITY,
  logFormat: 'Text',
  pythonInterpreter: undefined,
  excludeGlobs: [],
  pricing: {},
  followDeliveries: DEFAULT_FOLLOW_DELIVERIES,
  awsCredentials: NO_CREDENTIALS,
  awsEndpointPort: 0,
  localApiPort: 0,
});

/**
 * The setting keys, without the `lambdaTrigger.` section (package.json contributes the same). `pricing` is read as
 * one object: package.json contributes its leaves (PRICING_SETTING_KEYS), which the Settings UI edits as numbers.
 */
export const SETTING_KEYS = {
  timeScale: 'timeScale',
  region: 'region',
  accountId: 'accountId',
  logFormat: 'logFormat',
  pythonInterpreter: 'python.interpreter',
  excludeGlobs: 'discovery.exclude',
  pricing: 'pricing',
  followDeliveries: 'followDeliveries',
  awsCredentials: 'awsCredentials',
  awsEndpointPort: 'awsEndpoint.port',
  localApiPort: 'localApi.port',
} as const;

const ARCHITECTURES = ['x86_64', 'arm64'] as const;
const PRICE_FIELDS = ['requestsPerMillion', 'gbSecond'] as const;

/** `pricing.arm64.gbSecond` ...: one number setting per architecture and price. */
export const PRICING_SETTING_KEYS: readonly string[] = ARCHITECTURES.flatMap((arch) =>
  PRICE_FIELDS.map((field) => `${SETTING_KEYS.pricing}.${arch}.${field}`),
);

/**
 * Simulated seconds per wall second: a positive number; empty (null, the setting's default) or `"instant"` for
 * instant. Numeric strings (`"60"`) are read too: the setting was text before it became a number.
 */
export function parseTimeScale(value: unknown): number | undefined {
  if (value === null || value === 'instant' || value === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
}

export interface SettingsProblem {
  /** `lambdaTrigger.region` */
  setting: string;
  message: string;
}

/**
 * Reads the settings from any source of values (`get('region')`), with the defaults for what is missing. A value that
 * is present but wrong falls back to the default and is reported, so a typo never stops the runner.
 */
export function accountSettingsOf(get: (key: string) => unknown): {
  settings: AccountSettings;
  problems: SettingsProblem[];
} {
  const problems: SettingsProblem[] = [];
  const report = (key: string, message: string): void => {
    problems.push({ setting: `lambdaTrigger.${key}`, message });
  };

  const rawScale = get(SETTING_KEYS.timeScale);
  let timeScale = parseTimeScale(rawScale);
  if (timeScale === undefined) {
    if (rawScale !== undefined)
      report(
        SETTING_KEYS.timeScale,
        `must be a positive number, or empty for instant; got ${JSON.stringify(rawScale)}`,
      );
    timeScale = DEFAULT_ACCOUNT_SETTINGS.timeScale;
  }

  const asked = { region: get(SETTING_KEYS.region), accountId: get(SETTING_KEYS.accountId) };
  const location = locationOf(asked);
  const wrong = locationProblem({
    region: typeof asked.region === 'string' ? asked.region : location.region,
    accountId: typeof asked.accountId === 'string' ? asked.accountId : location.accountId,
  });
  if (wrong) report(wrong.startsWith('region') ? SETTING_KEYS.region : SETTING_KEYS.accountId, wrong);

  const rawFormat = get(SETTING_KEYS.logFormat);
  let logFormat = DEFAULT_ACCOUNT_SETTINGS.logFormat;
  if (rawFormat === 'Text' || rawFormat === 'JSON') logFormat = rawFormat;
  else if (rawFormat !== undefined)
    report(SETTING_KEYS.logFormat, `must be "Text" or "JSON", got ${JSON.stringify(rawFormat)}`);

  const rawPython = get(SETTING_KEYS.pythonInterpreter);
  const pythonInterpreter = typeof rawPython === 'string' && rawPython.trim() !== '' ? rawPython.trim() : undefined;

  const rawExclude = get(SETTING_KEYS.excludeGlobs);
  let excludeGlobs: string[] = [];
  if (Array.isArray(rawExclude) && rawExclude.every((g) => typeof g === 'string')) excludeGlobs = rawExclude;
  else if (rawExclude !== undefined) report(SETTING_KEYS.excludeGlobs, 'must be a list of glob patterns');

  const pricing = pricingOf(get(SETTING_KEYS.pricing), (message) => report(SETTING_KEYS.pricing, message));

  const rawFollow = get(SETTING_KEYS.followDeliveries);
  let followDeliveries = parseFollowDeliveries(rawFollow);
  if (followDeliveries === undefined) {
    if (rawFollow !== undefined)
      report(
        SETTING_KEYS.followDeliveries,
        `must be a whole number from ${MIN_FOLLOW_DELIVERIES} to ${MAX_FOLLOW_DELIVERIES}, got ${JSON.stringify(rawFollow)}`,
      );
    followDeliveries = DEFAULT_ACCOUNT_SETTINGS.followDeliveries;
  }

  const rawCredentials = get(SETTING_KEYS.awsCredentials);
  let awsCredentials = parseAwsCredentialsMode(rawCredentials);
  if (awsCredentials === undefined) {
    report(
      SETTING_KEYS.awsCredentials,
      `must be "none", "environment" or "profile:<name>", got ${JSON.stringify(rawCredentials)}; handlers get no credentials of yours`,
    );
    awsCredentials = DEFAULT_ACCOUNT_SETTINGS.awsCredentials;
  }

  const port = (key: typeof SETTING_KEYS.awsEndpointPort | typeof SETTING_KEYS.localApiPort, fallback: number) => {
    const raw = get(key);
    if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && raw <= 65_535) return raw;
    if (raw !== undefined && raw !== null)
      report(key, `must be a port from 1 to 65535, or 0 for a free one; got ${JSON.stringify(raw)}`);
    return fallback;
  };
  const awsEndpointPort = port(SETTING_KEYS.awsEndpointPort, DEFAULT_ACCOUNT_SETTINGS.awsEndpointPort);
  const localApiPort = port(SETTING_KEYS.localApiPort, DEFAULT_ACCOUNT_SETTINGS.localApiPort);

  return {
    settings: {
      location,
      timeScale,
      logFormat,
      pythonInterpreter,
      excludeGlobs,
      pricing,
      followDeliveries,
      awsCredentials,
      awsEndpointPort,
      localApiPort,
    },
    problems,
  };
}

/**
 * `{ "arm64": { "gbSecond": 0.0000133334 } }`, as the `pricing.<arch>.<price>` settings or one object give it:
 * non-negative numbers per architecture; empty (null) leaves a price to the price data; anything else is reported.
 */
function pricingOf(value: unknown, report: (message: string) => void): PricingOverride {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    report('must be an object such as {"arm64": {"gbSecond": 0.0000133334, "requestsPerMillion": 0.2}}');
    return {};
  }
  const out: PricingOverride = {};
  for (const [arch, prices] of Object.entries(value as Record<string, unknown>)) {
    if (arch !== 'x86_64' && arch !== 'arm64') {
      report(`has "${arch}", which is not an architecture (x86_64 or arm64)`);
      continue;
    }
    const entry: Partial<{ requestsPerMillion: number; gbSecond: number }> = {};
    for (const [field, n] of Object.entries((prices ?? {}) as Record<string, unknown>)) {
      if (n === null) continue;
      if ((field === 'requestsPerMillion' || field === 'gbSecond') && typeof n === 'number' && n >= 0) entry[field] = n;
      else
        report(`${arch}.${field} must be requestsPerMillion or gbSecond, a number of USD (got ${JSON.stringify(n)})`);
    }
    if (Object.keys(entry).length > 0) out[arch] = entry;
  }
  return out;
}

/**
 * The value `key` has in a settings.json object, read as VS Code reads it (its configuration model's value tree):
 * `"lambdaTrigger.pricing.arm64.gbSecond": 1` and `"lambdaTrigger.pricing": {"arm64": {"gbSecond": 1}}` say the
 * same; keys apply in file order, so a parent's object replaces what child keys above it set, and child keys below
 * it add to it. Language sections (`"[python]"`) are not settings of a folder.
 */
export function settingValue(values: Readonly<Record<string, unknown>>, key: string): unknown {
  const tree: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(structuredClone(values))) {
    if (name.startsWith('[')) continue;
    const parts = name.split('.');
    const last = parts.pop() ?? name;
    let node: Record<string, unknown> | undefined = tree;
    for (const part of parts) {
      const next: unknown = node[part];
      if (next === undefined) node = node[part] = {};
      else if (isPlainObject(next)) node = next;
      else node = undefined; // VS Code ignores a key below a value that is not an object
      if (!node) break;
    }
    if (node) node[last] = value;
  }
  let found: unknown = tree;
  for (const part of `lambdaTrigger.${key}`.split('.')) found = isPlainObject(found) ? found[part] : undefined;
  return found;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `<root>/.vscode/settings.json`: the workspace folder's own settings file. */
export function workspaceSettingsFile(root: string): string {
  return path.join(root, '.vscode', 'settings.json');
}

/**
 * The account settings of a workspace folder as its `.vscode/settings.json` gives them (JSON with comments, as VS
 * Code writes it); defaults when the file does not exist. A file that does not parse is reported, not fatal.
 */
export function readWorkspaceSettings(root: string): { settings: AccountSettings; problems: SettingsProblem[] } {
  const file = workspaceSettingsFile(root);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: DEFAULT_ACCOUNT_SETTINGS, problems: [] };
    return {
      settings: DEFAULT_ACCOUNT_SETTINGS,
      problems: [{ setting: file, message: `cannot be read: ${(err as Error).message}` }],
    };
  }
  const errors: ParseError[] = [];
  const value = parseJsonc(text, errors, { allowTrailingComma: true }) as unknown;
  if (errors.length > 0 || value === null || typeof value !== 'object' || Array.isArray(value)) {
    const first = errors[0];
    const where = first ? ` (${printParseErrorCode(first.error)} at offset ${first.offset})` : '';
    return {
      settings: DEFAULT_ACCOUNT_SETTINGS,
      problems: [{ setting: file, message: `is not a JSON object${where}; the defaults apply` }],
    };
  }
  const values = value as Record<string, unknown>;
  return accountSettingsOf((key) => settingValue(values, key));
}
