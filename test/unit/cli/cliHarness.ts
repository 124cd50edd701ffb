/** A captured CliIO and a throwaway copy of examples/sam-app, so the CLI's durable store never lands in the repo. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { captureIO } from '../../support/cliIO';

export const repoRoot = path.resolve(__dirname, '../../..');
export const examplesDir = path.join(repoRoot, 'examples');
export const cliFixtures = path.join(repoRoot, 'test/fixtures/cli');

/** Copies a workspace (an example or a fixture) into a fresh temp dir; returns its path. */
export function copyWorkspace(source: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ltr-cli-${path.basename(source)}-`));
  fs.cpSync(source, dir, { recursive: true });
  return dir;
}

/** Runs `lambda-trigger <args>` in `cwd` and returns the exit code with what it printed. */
export async function cli(
  args: string[],
  cwd: string,
  env: Record<string, string>,
  stdin = '',
): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO(cwd, stdin, env);
  const code = await runCli(args, io);
  return { code, out: io.out, err: io.err };
}
