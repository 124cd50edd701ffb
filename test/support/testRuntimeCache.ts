/**
 * Loaded before every unit test (.mocharc.json): the runtime cache (downloaded Node.js versions, the AWS SDK, boto3)
 * is a temporary directory for the whole run, shared by its tests and removed at the end, never the user's own.
 */
import { CACHE_DIR_ENV } from '../../src/core/runtime/runtimeCache';
import { tempDirForRun } from './tempDirs';

if (!process.env[CACHE_DIR_ENV]) process.env[CACHE_DIR_ENV] = tempDirForRun('ltr-test-runtime-cache-');

/** The run's runtime cache. */
export function testRuntimeCache(): string {
  return process.env[CACHE_DIR_ENV]!;
}
