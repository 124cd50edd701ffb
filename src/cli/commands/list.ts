import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { describeTrigger } from '../../core/discovery/triggerLabel';
import { DEFAULT_IGNORE_GLOBS } from '../../core/discovery/workspaceWalker';
import { WorkspaceIndex } from '../../core/discovery/workspaceIndex';
import { workspaceSettingsOf } from './workspaceAccount';

const USAGE = `Usage: lambda-trigger list [--json] [--root <dir>] [--ignore <glob>]...

Lists every Lambda function found in the workspace (SAM/CloudFormation templates, serverless.yml,
lambda-trigger.json and plain handler exports): name, handler, runtime, file, where it is defined and its triggers.
A plain handler is listed by its path (plain-handlers/invoice.handler) with the Lambda name made from it
(plain-handlers-invoice-handler); \`lambda-trigger invoke <either> --root <dir>\` runs it.

  --json           print {root, functions, problems} as JSON (FunctionConfig objects)
  --root <dir>     workspace folder (default: the current directory)
  --ignore <glob>  extra folder glob to skip, relative to the root (repeatable); defaults always apply:
                   ${DEFAULT_IGNORE_GLOBS.join(', ')}`;

export const listCommand: CliCommand = {
  name: 'list',
  summary: 'List the Lambda functions found in the workspace',
  usage: USAGE,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    let values: { json?: boolean; root?: string; ignore?: string[] };
    try {
      ({ values } = parseArgs({
        args: [...args],
        options: { json: { type: 'boolean' }, root: { type: 'string' }, ignore: { type: 'string', multiple: true } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
    }
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
    for (const fn of result.functions) {
      const origin = fn.origins.handler;
      io.stdout(`${fn.displayName ?? fn.name}\n`);
      // A code-only function is shown by its path; its Lambda name (what the handler sees) is said too.
      if (fn.displayName) io.stdout(`  name     ${fn.name}\n`);
      io.stdout(`  handler  ${fn.handler}  (${fn.runtime || 'runtime unknown'})\n`);
      io.stdout(`  file     ${fn.handlerFile ? rel(fn.handlerFile) : 'not found'}\n`);
      io.stdout(`  defined  ${rel(fn.definedIn)}${origin?.line ? `:${origin.line}` : ''} (${fn.definedBy})\n`);
      io.stdout(`  timeout  ${fn.timeout}s, memory ${fn.memorySize} MB\n`);
      for (const t of fn.triggers) io.stdout(`  trigger  ${describeTrigger(t)}\n`);
    }
    for (const p of result.problems) {
      io.stderr(`${rel(p.file)}:${p.line}${p.column ? `:${p.column}` : ''}: ${p.severity}: ${p.message} [${p.code}]\n`);
    }
    return EXIT_OK;
  },
};

export default listCommand;
