import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_OK, parseCommandArgs, UsageError, type CliCommand, type CliIO } from '../command';
import { describeDurableConfig } from '../../core/discovery/durableConfig';
import { describeTrigger } from '../../core/discovery/triggerLabel';
import { DEFAULT_IGNORE_GLOBS } from '../../core/discovery/workspaceWalker';
import type { FunctionConfig } from '../../core/discovery/functionConfig';
import { WorkspaceIndex } from '../../core/discovery/workspaceIndex';
import { runtimeSupport } from '../../core/lambdaRuntimes';
import { RuntimeHosts, type RuntimeId } from '../../core/runtime';
import { npmRegistryUrl } from '../../core/runtime/npmRegistry';
import { defaultRuntimeCacheDir } from '../../core/runtime/runtimeCache';
import { workspaceSettingsOf } from './workspaceAccount';

const USAGE = `Usage: lambda-trigger list [--json] [--root <dir>] [--ignore <glob>]...

Lists every Lambda function found in the workspace (SAM/CloudFormation templates, serverless.yml,
lambda-trigger.json and plain handler exports): name, handler, runtime, file, where it is defined and its triggers.
A plain handler is listed by its path (plain-handlers/invoice.handler) with the Lambda name made from it
(plain-handlers-invoice-handler); \`lambda-trigger invoke <either> --root <dir>\` runs it.
The runtime line says what runs the function here: the Node.js or Python of its runtime, another version (and
why), a Node.js fetched from the npm registry on first invoke, a deprecation, or why it cannot run at all.

  --json           print {root, functions, problems} as JSON (FunctionConfig objects)
  --root <dir>     workspace folder (default: the current directory)
  --ignore <glob>  extra folder glob to skip, relative to the root (repeatable); defaults always apply:
                   ${DEFAULT_IGNORE_GLOBS.join(', ')}`;

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'List the Lambda functions found in the workspace',
  usage: USAGE,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs(
      {
        args: [...args],
        options: { json: { type: 'boolean' }, root: { type: 'string' }, ignore: { type: 'string', multiple: true } },
        strict: true,
        allowPositionals: false,
      },
      USAGE,
    );
    const root = path.resolve(io.cwd, values.root ?? '.');
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory())
      throw new UsageError(`--root ${root} is not a directory`);
    const settings = workspaceSettingsOf(root, io);
    const index = new WorkspaceIndex({
      root,
      ignoreGlobs: [...DEFAULT_IGNORE_GLOBS, ...settings.excludeGlobs, ...(values.ignore ?? [])],
      env: io.env,
      location: settings.location,
    });
    await index.build();
    const result = index.result();
    if (values.json) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      return EXIT_OK;
    }
    const rel = (file: string | undefined) => (file ? path.relative(root, file) || '.' : '-');
    if (result.functions.length === 0) io.stdout(`No Lambda functions found under ${root}\n`);
    const env = io.env as NodeJS.ProcessEnv;
    const hosts = new RuntimeHosts({
      cacheDir: defaultRuntimeCacheDir(env),
      registry: npmRegistryUrl(env),
      env,
      workspaceRoot: root,
      ...(settings.pythonInterpreter ? { pythonInterpreter: settings.pythonInterpreter } : {}),
    });
    for (const fn of result.functions) {
      const origin = fn.origins.handler;
      io.stdout(`${fn.displayName ?? fn.name}\n`);
      // A code-only function is shown by its path; its Lambda name (what the handler sees) is said too.
      if (fn.displayName) io.stdout(`  name     ${fn.name}\n`);
      io.stdout(
        `  handler  ${fn.handler || '-'}  (${fn.runtime || (fn.packageType ? 'container image' : 'runtime unknown')})\n`,
      );
      io.stdout(`  runtime  ${await runtimeLine(fn, hosts)}\n`);
      io.stdout(`  file     ${fn.handlerFile ? rel(fn.handlerFile) : 'not found'}\n`);
      io.stdout(`  defined  ${rel(fn.definedIn)}${origin?.line ? `:${origin.line}` : ''} (${fn.definedBy})\n`);
      io.stdout(`  timeout  ${fn.timeout}s, memory ${fn.memorySize} MB\n`);
      if (fn.durableConfig) io.stdout(`  durable  ${describeDurableConfig(fn.durableConfig)}\n`);
      for (const t of fn.triggers) io.stdout(`  trigger  ${describeTrigger(t)}\n`);
    }
    for (const p of result.problems) {
      io.stderr(`${rel(p.file)}:${p.line}${p.column ? `:${p.column}` : ''}: ${p.severity}: ${p.message} [${p.code}]\n`);
    }
    return EXIT_OK;
  },
};

/**
 * RUNTIME-1/2: whether the function runs here and on what: the Node.js or Python found for its runtime (and why
 * when it is another version), a Node.js fetched on first invoke, a deprecation, or why it cannot run at all.
 */
async function runtimeLine(fn: FunctionConfig, hosts: RuntimeHosts): Promise<string> {
  if (fn.packageType === 'Image')
    return 'container image: cannot run here (the runner runs Node.js and Python code, not images)';
  if (!fn.runtime) return 'unknown: no runtime is set';
  const support = runtimeSupport(fn.runtime);
  if (support.kind !== 'runs') return `${fn.runtime} cannot run here: ${support.reason}`;
  const deprecated = support.deprecatedSince ? `; deprecated since ${support.deprecatedSince}` : '';
  const plan = await hosts.plan(fn.runtime as RuntimeId, fn.codeRoot);
  if (plan.kind === 'download')
    return (
      `${fn.runtime}: no Node.js ${plan.major} on this machine; fetched from the npm registry (${plan.registry}) ` +
      `into ${plan.cacheDir} on first invoke${deprecated}`
    );
  const { host } = plan;
  if (host.mismatch) return `${host.mismatch}${deprecated}`;
  return `${fn.runtime} on ${host.runsOn} (${host.executable})${deprecated}`;
}

export default listCommand;
