/**
 * What `invoke` and `queues` share: the workspace root, its functions (discovery), the bootstraps, and the engine
 * they work on: the live engine of the process that holds the workspace (a VS Code window, through its endpoint),
 * else a local account on the workspace's durable store (`<root>/.lambda-trigger/store`) or on a throwaway one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError, type CliIO } from '../command';
import { onInterrupt } from '../interruption';
import { readWorkspaceSettings, type AccountSettings } from '../../core/account/accountSettings';
import { LocalAccount, workspaceStoreDir } from '../../core/account/localAccount';
import type { RuntimeProgressListener } from '../../core/runtime';
import type { FunctionConfig } from '../../core/discovery/functionConfig';
import { WorkspaceIndex } from '../../core/discovery/workspaceIndex';
import { DEFAULT_IGNORE_GLOBS } from '../../core/discovery/workspaceWalker';
import { removeEndpointFiles } from '../../core/endpoints/endpointLocation';
import { describeHolder, type EngineHolder } from '../../core/endpoints/engineProtocol';
import { LocalWorkspaceEngine } from '../../core/endpoints/localWorkspaceEngine';
import { connectToWorkspaceEngine } from '../../core/endpoints/remoteWorkspaceEngine';
import type { WorkspaceEngine } from '../../core/endpoints/workspaceEngine';
import { StoreInUseError, StoreWriteError } from '../../core/store/durableStore';
import { createThrowawayStore } from '../../core/store/throwawayStore';
import { packageVersion } from '../../shared/version';
import { parseAwsCredentialsMode } from '../../core/endpoints/aws/handlerCredentials';

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

/** `--aws-profile <name>` and `--aws-credentials`, for the parseArgs of the commands that run handlers. */
export const AWS_CREDENTIAL_OPTIONS = {
  'aws-profile': { type: 'string' },
  'aws-credentials': { type: 'boolean' },
} as const;

export const AWS_CREDENTIAL_USAGE = `  --aws-profile <name>   handlers' calls to AWS services the runner does not simulate use this profile of your
                         ~/.aws files (AWS_PROFILE), as the SAM CLI passes it; default: the
                         lambdaTrigger.awsCredentials setting, else none (those calls fail at once)
  --aws-credentials      the same with this shell's AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
                         (SQS, SNS, EventBridge, Kinesis and Lambda calls stay on the local endpoint either way)
`;

/**
 * The settings with the credentials `--aws-profile` or `--aws-credentials` pass to handlers (over the
 * lambdaTrigger.awsCredentials setting), and the flag as given, for what is said when it does not apply.
 */
export function withAwsCredentialFlags(
  settings: AccountSettings,
  values: { 'aws-profile'?: string | undefined; 'aws-credentials'?: boolean | undefined },
  io: CliIO,
): { settings: AccountSettings; flag?: string } {
  const profile = values['aws-profile'];
  const fromEnvironment = values['aws-credentials'] === true;
  if (profile !== undefined && fromEnvironment)
    throw new UsageError('--aws-profile and --aws-credentials both say which credentials handlers get; give one');
  if (profile !== undefined) {
    const mode = parseAwsCredentialsMode(`profile:${profile}`);
    if (!mode || mode.kind !== 'profile') throw new UsageError(`--aws-profile "${profile}" is not a profile name`);
    return { settings: { ...settings, awsCredentials: mode }, flag: '--aws-profile' };
  }
  if (fromEnvironment) {
    if (!io.env.AWS_ACCESS_KEY_ID || !io.env.AWS_SECRET_ACCESS_KEY)
      throw new UsageError(
        '--aws-credentials passes AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to handlers, but this shell has not set them',
      );
    return { settings: { ...settings, awsCredentials: { kind: 'environment' } }, flag: '--aws-credentials' };
  }
  return { settings };
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

/** The engine a command works on, and how to let go of it. */
export interface OpenedEngine {
  engine: WorkspaceEngine;
  /** Set when the engine is another process's (the CLI attached to it through its endpoint). */
  attachedTo?: EngineHolder;
  /** Disconnects, or disposes the account and removes a throwaway store. */
  close(): Promise<void>;
}

const CLI_CLIENT = 'the lambda-trigger CLI';

/** The live engine that serves `root` (a VS Code window holding it), or undefined when none does. */
export async function attachToWorkspace(root: string): Promise<OpenedEngine | undefined> {
  const remote = await connectToWorkspaceEngine(root, { client: CLI_CLIENT, version: packageVersion });
  if (!remote) return undefined;
  return { engine: remote, attachedTo: remote.engineHolder, close: () => remote.close() };
}

/** A local account on the workspace's store (or a throwaway one), held by this process until close. */
export async function openWorkspaceAccount(options: {
  root: string;
  settings: AccountSettings;
  functions: readonly FunctionConfig[];
  bootstrapDir: string;
  /** A temp store, removed on close, instead of `<root>/.lambda-trigger/store`. */
  ephemeral?: boolean;
  /** With `ephemeral`: the temp store starts as a copy of the workspace's (its lock left out). */
  copyWorkspaceStore?: boolean;
  timeScale?: number;
  /** Deliveries a run follows of an event retried for hours (default: the lambdaTrigger.followDeliveries setting). */
  followDeliveries?: number;
  /** false: mappings stay off, so messages can be inspected and moved without functions receiving them. */
  eventSourceMappings?: boolean;
  /** Where downloads and installs an environment waits for are reported (the CLI's stderr). */
  onRuntimeProgress?: RuntimeProgressListener;
  /** Where what opening the store repaired is said (the CLI's stderr). */
  onStoreWarning?: (message: string) => void;
  /** false: code roots may lie outside the workspace (a handler run on its own, by its path). */
  confineCodeToWorkspace?: boolean;
  /** The user's environment, whose credentials or profile files handlers get when the settings say so. */
  userEnv?: NodeJS.ProcessEnv;
}): Promise<OpenedEngine> {
  const tempStore = options.ephemeral
    ? createThrowawayStore(options.copyWorkspaceStore ? workspaceStoreDir(options.root) : undefined)
    : undefined;
  let account: LocalAccount | undefined;
  let closing: Promise<void> | undefined;
  // Called by the command when it is done, or by an interrupt (Ctrl-C) first: either way, once.
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      try {
        await account?.dispose();
      } finally {
        if (tempStore) fs.rmSync(tempStore, { recursive: true, force: true });
        forget();
      }
    })());
  const forget = onInterrupt(close);
  try {
    account = await LocalAccount.open({
      workspaceRoot: options.root,
      ...(options.confineCodeToWorkspace === false ? { confineCodeToWorkspace: false } : {}),
      functions: options.functions,
      bootstrapDir: options.bootstrapDir,
      ...(tempStore ? { storeDir: tempStore } : {}),
      storeOwner: 'the lambda-trigger CLI',
      location: options.settings.location,
      logFormat: options.settings.logFormat,
      pricing: options.settings.pricing,
      awsCredentials: options.settings.awsCredentials,
      awsEndpointPort: options.settings.awsEndpointPort,
      ...(options.userEnv ? { userEnv: options.userEnv } : {}),
      ...(options.settings.pythonInterpreter ? { pythonInterpreter: options.settings.pythonInterpreter } : {}),
      timeScale: options.timeScale ?? options.settings.timeScale,
      followDeliveries: options.followDeliveries ?? options.settings.followDeliveries,
      ...(options.eventSourceMappings === false ? { eventSourceMappings: false } : {}),
      ...(options.onRuntimeProgress ? { onRuntimeProgress: options.onRuntimeProgress } : {}),
      ...(options.onStoreWarning ? { onStoreWarning: options.onStoreWarning } : {}),
    });
  } catch (err) {
    await close();
    throw err;
  }
  // Holding the workspace's store, this process knows that no one serves it: an endpoint left there is stale.
  if (!tempStore) removeEndpointFiles(options.root);
  return { engine: new LocalWorkspaceEngine(account), close };
}

export interface EngineChoice {
  /** The command, for what is said on stderr. */
  command: string;
  io: CliIO;
  root: string;
  settings: AccountSettings;
  bootstrapDir: string;
  /** The functions of a store this process opens (discovery); asked only when no live engine serves the workspace. */
  functions: () => Promise<FunctionConfig[]>;
  /**
   * Why this run keeps to a store of its own even when a live engine serves the workspace (said on stderr then):
   * set, the run never attaches.
   */
  ownStore?: string;
  /** A temp store instead of the workspace's. */
  ephemeral?: boolean;
  /** The command only reads the store (a listing): when it cannot be written, the run reads a copy of it. */
  readsOnly?: boolean;
  /**
   * The store is held by a process that serves no endpoint, or cannot be written: fail (StoreInUseError or
   * StoreWriteError, exit 75), or use a throwaway store.
   */
  whenHeld: 'fail' | 'throwaway';
  timeScale?: number;
  followDeliveries?: number;
  eventSourceMappings?: boolean;
  /** false: the functions' code roots may lie outside the workspace (a handler run on its own, by its path). */
  confineCodeToWorkspace?: boolean;
  /** `--aws-profile` or `--aws-credentials` when given (said not to apply when the run attaches to a live engine). */
  awsCredentialsFlag?: string;
}

/**
 * The one place the CLI picks its engine: the live engine serving the workspace when there is one (so what it does
 * is what the VS Code window shows), else the workspace's store opened here, as without VS Code.
 */
export async function openWorkspaceEngine(choice: EngineChoice): Promise<OpenedEngine> {
  const { io, root } = choice;
  const say = (text: string): void => io.stderr(`lambda-trigger ${choice.command}: ${text}\n`);
  const attached = (opened: OpenedEngine): OpenedEngine => {
    const holder = opened.attachedTo!;
    if (choice.timeScale !== undefined)
      say(
        `--time-scale does not apply: the engine of ${describeHolder(holder)} runs at its own time scale ` +
          `(${holder.timeScale}; the lambdaTrigger.timeScale setting of that window).`,
      );
    if (choice.followDeliveries !== undefined)
      say(
        `--follow does not apply: the engine of ${describeHolder(holder)} follows failing events as far as the ` +
          `lambdaTrigger.followDeliveries setting of that window says.`,
      );
    if (choice.awsCredentialsFlag !== undefined)
      say(
        `${choice.awsCredentialsFlag} does not apply: handlers run in the engine of ${describeHolder(holder)}, with ` +
          `the credentials the lambdaTrigger.awsCredentials setting of that window gives them.`,
      );
    return opened;
  };
  let ephemeral = choice.ephemeral ?? false;
  if (choice.ownStore === undefined) {
    const live = await attachToWorkspace(root);
    if (live) return attached(live);
  } else {
    const holder = await liveEngineOf(root);
    if (holder) {
      say(
        `the engine of ${describeHolder(holder)} serves ${root}, but ${choice.ownStore}: this run uses a throwaway ` +
          `store of its own (its queues start empty and its records do not reach that engine).`,
      );
      ephemeral = true;
    }
  }
  const functions = await choice.functions();
  const open = (throwaway: boolean, copy = false): Promise<OpenedEngine> =>
    openWorkspaceAccount({
      root,
      settings: choice.settings,
      functions,
      bootstrapDir: choice.bootstrapDir,
      ephemeral: throwaway,
      copyWorkspaceStore: copy,
      ...(choice.timeScale !== undefined ? { timeScale: choice.timeScale } : {}),
      ...(choice.followDeliveries !== undefined ? { followDeliveries: choice.followDeliveries } : {}),
      ...(choice.eventSourceMappings === false ? { eventSourceMappings: false } : {}),
      ...(choice.confineCodeToWorkspace === false ? { confineCodeToWorkspace: false } : {}),
      userEnv: io.env,
      onRuntimeProgress: runtimeProgressOn(io),
      onStoreWarning: say,
    });
  try {
    return await open(ephemeral);
  } catch (err) {
    if (err instanceof StoreWriteError && !ephemeral && choice.readsOnly) {
      // A listing needs nothing written: it reads what the store holds, from a copy.
      say(`${err.message} This run reads a copy of it.`);
      return open(true, true);
    }
    if (err instanceof StoreWriteError && choice.whenHeld === 'throwaway' && !ephemeral) {
      // A store that cannot be written (read-only, disk full) must not stop a run that needs nothing kept.
      say(`${err.message} This run uses a throwaway store (its queues start empty and its records are not kept).`);
      return open(true);
    }
    if (!(err instanceof StoreInUseError)) throw err;
    if (choice.ownStore === undefined) {
      // The holder may have started serving since this run looked.
      const live = await attachToWorkspace(root);
      if (live) return attached(live);
    }
    if (choice.whenHeld === 'fail') throw err;
    // A process that serves no endpoint holds the workspace's store: run anyway, on a store of this run's own.
    say(
      `${err.message.split(';')[0]}; this run uses a throwaway store (its queues start empty and its records are ` +
        `not kept).`,
    );
    return open(true);
  }
}

/**
 * RUNTIME-2/3: what an environment waits for (a Node.js download, an SDK install) is said on stderr as it happens:
 * its start, about every quarter of a download, and its end or failure.
 */
export function runtimeProgressOn(io: CliIO): RuntimeProgressListener {
  const quarters = new Map<string, number>();
  return (p) => {
    if (p.phase === 'progress') {
      const quarter = Math.floor((p.fraction ?? 0) * 4);
      if (quarter <= (quarters.get(p.task) ?? 0)) return;
      quarters.set(p.task, quarter);
    } else quarters.delete(p.task);
    io.stderr(`lambda-trigger: ${p.message}\n`);
  };
}

/** Who serves `root` right now, if anyone does (for what is said on stderr). */
async function liveEngineOf(root: string): Promise<EngineHolder | undefined> {
  const live = await attachToWorkspace(root).catch(() => undefined);
  if (!live) return undefined;
  await live.close();
  return live.attachedTo;
}
