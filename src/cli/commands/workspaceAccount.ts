/**
 * What `invoke` and `queues` share: the workspace root, its functions (discovery), the bootstraps, and the local
 * account on the workspace's durable store (`<root>/.lambda-trigger/store`) or on a throwaway one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError, type CliIO } from '../command';
import { readWorkspaceSettings, type AccountSettings } from '../../core/account/accountSettings';
import { LocalAccount } from '../../core/account/localAccount';
import type { FunctionConfig } from '../../core/discovery/functionConfig';
import { WorkspaceIndex } from '../../core/discovery/workspaceIndex';
import { DEFAULT_IGNORE_GLOBS } from '../../core/discovery/workspaceWalker';

export const BOOTSTRAP_DIR_ENV = 'LAMBDA_TRIGGER_BOOTSTRAP_DIR';

/** `--root` (default cwd), which must be a directory. */
export function workspaceRootOf(io: CliIO, root: string | undefined): string {
  const dir = path.resolve(io.cwd, root ?? '.');
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`--root ${dir} is not a directory`);
  return dir;
}

/**
 * The workspace folder's settings (`.vscode/settings.json`, as the VS Code window reads them): a setting that is
 * wrong is said on stderr and its default applies.
 */
export function workspaceSettingsOf(root: string, io: CliIO): AccountSettings {
  const { settings, problems } = readWorkspaceSettings(root);
  for (const p of problems) io.stderr(`lambda-trigger: ${p.setting} ${p.message}\n`);
  return settings;
}

/** The workspace's functions, discovered with the folder's region, account and excludes. */
export async function discoverFunctions(
  root: string,
  io: CliIO,
  settings: AccountSettings = workspaceSettingsOf(root, io),
  extraIgnoreGlobs: readonly string[] = [],
): Promise<FunctionConfig[]> {
  const index = new WorkspaceIndex({
    root,
    env: io.env,
    location: settings.location,
    ignoreGlobs: [...DEFAULT_IGNORE_GLOBS, ...settings.excludeGlobs, ...extraIgnoreGlobs],
  });
  await index.build();
  return index.functions();
}

/** The bundled bootstraps: LAMBDA_TRIGGER_BOOTSTRAP_DIR, else `runtime/` beside the CLI bundle. */
export function bootstrapDirOf(io: CliIO, explicit?: string): string {
  return explicit ?? io.env[BOOTSTRAP_DIR_ENV] ?? path.join(__dirname, 'runtime');
}

/** Edit distance, for "did you mean" lists. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** Up to five known names close to `name` (case-insensitive substring or a small edit distance), closest first. */
export function closeNames(name: string, known: readonly string[]): string[] {
  const wanted = name.toLowerCase();
  return known
    .map((k) => {
      const lower = k.toLowerCase();
      const d = lower.includes(wanted) || wanted.includes(lower) ? 0 : distance(wanted, lower);
      return { k, d };
    })
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(k.length / 3)))
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .slice(0, 5)
    .map(({ k }) => k);
}

/** "No function named X in <root>. Did you mean: ...?" with the full list when nothing is close. */
export function unknownNameMessage(kind: string, name: string, known: readonly string[], where: string): string {
  const close = closeNames(name, known);
  if (close.length > 0) return `no ${kind} named "${name}" in ${where}; did you mean ${close.join(', ')}?`;
  return `no ${kind} named "${name}" in ${where}; known: ${known.length ? known.join(', ') : '(none)'}`;
}

export interface WorkspaceAccount {
  account: LocalAccount;
  /** Disposes the account and removes a throwaway store. */
  close(): Promise<void>;
}

export async function openWorkspaceAccount(options: {
  root: string;
  settings: AccountSettings;
  functions: readonly FunctionConfig[];
  bootstrapDir: string;
  /** A temp store, removed on close, instead of `<root>/.lambda-trigger/store`. */
  ephemeral?: boolean;
  timeScale?: number;
  /** false: mappings stay off, so messages can be inspected and moved without functions receiving them. */
  eventSourceMappings?: boolean;
}): Promise<WorkspaceAccount> {
  const tempStore = options.ephemeral ? fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-trigger-store-')) : undefined;
  const account = await LocalAccount.open({
    workspaceRoot: options.root,
    functions: options.functions,
    bootstrapDir: options.bootstrapDir,
    ...(tempStore ? { storeDir: tempStore } : {}),
    storeOwner: 'the lambda-trigger CLI',
    location: options.settings.location,
    logFormat: options.settings.logFormat,
    ...(options.settings.pythonInterpreter ? { pythonInterpreter: options.settings.pythonInterpreter } : {}),
    timeScale: options.timeScale ?? options.settings.timeScale,
    ...(options.eventSourceMappings === false ? { eventSourceMappings: false } : {}),
  });
  return {
    account,
    async close() {
      try {
        await account.dispose();
      } finally {
        if (tempStore) fs.rmSync(tempStore, { recursive: true, force: true });
      }
    },
  };
}
