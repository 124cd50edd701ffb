/**
 * Loaded before every unit test (.mocharc.json): the runtime cache (downloaded Node.js versions, the AWS SDK, boto3)
 * is a temporary directory for the whole run, shared by its tests and removed at the end, never the user's own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CACHE_DIR_ENV } from '../../src/core/runtime/runtimeCache';

if (!process.env[CACHE_DIR_ENV]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-test-runtime-cache-'));
  process.env[CACHE_DIR_ENV] = dir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
}

/** The run's runtime cache. */
export function testRuntimeCache(): string {
  return process.env[CACHE_DIR_ENV]!;
}
