/**
 * RUNTIME-3: what Lambda's runtimes include. A Node.js handler may import the AWS SDK for JavaScript v3 without
 * bundling it: the project's own copy wins, else it is installed into the run's runtime cache (a temporary
 * directory, test/support/testRuntimeCache.ts) from the npm registry on first need. A Python interpreter without
 * boto3 gets the cache's copy. Calls without credentials fail at once with the SDK's own error.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { EnvironmentPool, type FunctionSpec } from '../../../src/core/runtime';
import { supports } from '../../../src/core/runtime/boto3ForPython';
import { npmRegistryUrl } from '../../../src/core/runtime/npmRegistry';
import { RuntimeHosts } from '../../../src/core/runtime/runtimeHosts';
import type { RuntimeProgress } from '../../../src/core/runtime/runtimeProgress';
import { testRuntimeCache } from '../../support/testRuntimeCache';
import { buildBootstraps } from './bootstrapBuild';

/** The SDK reads ~/.aws when it can: a test must not find the developer's credentials. */
const NO_CREDENTIAL_FILES = {
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
};

async function registryReachable(): Promise<boolean> {
  try {
    return (
      await fetch(`${npmRegistryUrl()}@aws-sdk%2fclient-sts`, { method: 'HEAD', signal: AbortSignal.timeout(10_000) })
    ).ok;
  } catch {
    return false;
  }
}

async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

const CALL_STS = `
  try {
    await new STSClient({}).send(new GetCallerIdentityCommand({}));
    return { called: true };
  } catch (e) {
    return { name: e.name, message: e.message, imdsOff: process.env.AWS_EC2_METADATA_DISABLED };
  }
`;

describe('runtime: what Lambda preinstalls (RUNTIME-3)', function () {
  this.timeout(180_000);
  let dir: string;
  const progress: RuntimeProgress[] = [];
  let pool: EnvironmentPool;
  const cacheDir = path.join(testRuntimeCache(), 'preinstalled-packages-test');

  const spec = (handler: string, runtime = 'nodejs20.x'): FunctionSpec => ({
    name: handler.replace(/[^A-Za-z0-9_-]/g, '_'),
    handler,
    runtime,
    codeRoot: dir,
    timeout: 30,
    memorySize: 256,
    environment: NO_CREDENTIAL_FILES,
  });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-preinstalled-'));
    fs.writeFileSync(
      path.join(dir, 'esm.mjs'),
      `import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';\nexport const handler = async () => {${CALL_STS}};\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'cjs.js'),
      `const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');\nexports.handler = async () => {${CALL_STS}};\n`,
    );
    pool = new EnvironmentPool({
      location: DEFAULT_LOCATION,
      bootstrapDir: await buildBootstraps(),
      // A cache of this file's own within the run's: the first import here is always a first need.
      cacheDir,
      onProgress: (p) => progress.push(p),
    });
  });
  after(async () => {
    await pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('RUNTIME-3 a handler imports @aws-sdk/client-sts without bundling it: installed into the runtime cache on first need, and a call without credentials fails with the SDK error', async function () {
    if (!(await registryReachable())) this.skip(); // offline: covered by the next tests
    const esm = await pool.invoke(spec('esm.handler'), '{}');
    assert.equal(esm.functionError, undefined, JSON.stringify(esm.error));
    assert.deepEqual(esm.result, {
      name: 'CredentialsProviderError',
      message: 'Could not load credentials from any providers',
      imdsOff: 'true',
    });
    const installs = progress.filter((p) => p.task.startsWith('aws-sdk-js') && p.phase === 'start');
    assert.equal(installs.length, 1);
    assert.match(
      installs[0].message,
      /^Installing @aws-sdk\/client-sts into the runtime cache \(.*aws-sdk-js.node\d+\) from the npm registry/,
    );
    assert.ok(fs.existsSync(path.join(cacheDir, 'aws-sdk-js')));
    // A CommonJS handler finds it there too (NODE_PATH), and nothing is installed again.
    const cjs = await pool.invoke(spec('cjs.handler'), '{}');
    assert.deepEqual(cjs.result, esm.result);
    assert.equal(progress.filter((p) => p.task.startsWith('aws-sdk-js') && p.phase === 'start').length, 1);
  });

  it("RUNTIME-3 the project's own @aws-sdk package wins over the runtime's", async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-own-sdk-'));
    try {
      const pkg = path.join(project, 'node_modules', '@aws-sdk', 'client-own');
      fs.mkdirSync(pkg, { recursive: true });
      fs.writeFileSync(
        path.join(pkg, 'package.json'),
        JSON.stringify({ name: '@aws-sdk/client-own', main: 'index.js' }),
      );
      fs.writeFileSync(path.join(pkg, 'index.js'), "exports.origin = 'the project';\n");
      fs.writeFileSync(
        path.join(project, 'app.js'),
        "exports.handler = async () => require('@aws-sdk/client-own').origin;\n",
      );
      const before = progress.length;
      const offline = new EnvironmentPool({
        location: DEFAULT_LOCATION,
        bootstrapDir: await buildBootstraps(),
        registry: await closedPortUrl(),
        onProgress: (p) => progress.push(p),
      });
      try {
        const o = await offline.invoke({ ...spec('app.handler'), name: 'own-sdk', codeRoot: project }, '{}');
        assert.equal(o.result, 'the project');
        assert.equal(progress.length, before, 'nothing to install');
        assert.equal(
          o.logs.some((l) => l.text.startsWith('[lambda-trigger]')),
          false,
        );
      } finally {
        await offline.close();
      }
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it('RUNTIME-3 offline, a missing @aws-sdk package is said clearly and the import fails as on a runtime without it', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-offline-sdk-'));
    try {
      fs.writeFileSync(
        path.join(project, 'app.mjs'),
        "import { S3Client } from '@aws-sdk/client-never-installed';\nexport const handler = async () => typeof S3Client;\n",
      );
      const registry = await closedPortUrl();
      const events: RuntimeProgress[] = [];
      const offline = new EnvironmentPool({
        location: DEFAULT_LOCATION,
        bootstrapDir: await buildBootstraps(),
        registry,
        cacheDir: path.join(project, 'cache'),
        onProgress: (p) => events.push(p),
      });
      try {
        const o = await offline.invoke({ ...spec('app.handler'), name: 'offline-sdk', codeRoot: project }, '{}');
        assert.equal(o.error?.errorType, 'Runtime.ImportModuleError');
        const note = o.logs.find((l) => l.text.startsWith('[lambda-trigger]'))?.text ?? '';
        assert.match(
          note,
          new RegExp(
            `^\\[lambda-trigger\\] @aws-sdk/client-never-installed is not in the project and could not be installed into the runtime cache: cannot reach the npm registry at ${registry.replace(/[/.]/g, '\\$&')} \\(ECONNREFUSED\\)`,
          ),
        );
        assert.match(note, /npm install @aws-sdk\/client-never-installed\)\.$/);
        assert.deepEqual(
          events.map((e) => e.phase),
          ['start', 'failed'],
        );
      } finally {
        await offline.close();
      }
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it('RUNTIME-3 a Python interpreter without boto3 imports the runtime copy, and a call without credentials fails with NoCredentialsError', async function () {
    // Needs a Python of this machine without boto3, and another one with it to copy from (or pip).
    const hosts = new RuntimeHosts({ cacheDir, registry: npmRegistryUrl() });
    let runtime: string | undefined;
    for (const candidate of ['python3.14', 'python3.13', 'python3.12', 'python3.11', 'python3.10']) {
      const host = await hosts.python(candidate, dir);
      if (host.mismatch || !host.version) continue;
      const { spawnSync } = await import('node:child_process');
      if (spawnSync(host.executable, ['-c', 'import boto3']).status !== 0) {
        runtime = candidate;
        break;
      }
    }
    if (!runtime) this.skip();
    fs.writeFileSync(
      path.join(dir, 'boto.py'),
      [
        'import os',
        'import boto3',
        'def handler(event, context):',
        '    try:',
        "        boto3.client('sts').get_caller_identity()",
        "        return {'called': True}",
        '    except Exception as e:',
        "        return {'name': type(e).__name__, 'message': str(e), 'imdsOff': os.environ.get('AWS_EC2_METADATA_DISABLED'), 'from': boto3.__file__}",
        '',
      ].join('\n'),
    );
    const o = await pool.invoke(spec('boto.handler', runtime), '{}');
    assert.equal(o.functionError, undefined, JSON.stringify(o.error));
    const result = o.result as { name: string; message: string; imdsOff: string; from: string };
    assert.deepEqual(
      [result.name, result.message, result.imdsOff],
      ['NoCredentialsError', 'Unable to locate credentials', 'true'],
    );
    assert.ok(result.from.startsWith(path.join(cacheDir, 'python', 'boto3-')), result.from);
  });

  it('RUNTIME-3 a boto3 copy is only used by the Python versions it supports (Requires-Python)', () => {
    assert.equal(supports('>= 3.10', '3.9.18'), false);
    assert.equal(supports('>= 3.10', '3.14.0'), true);
    assert.equal(supports('>=3.8, <4', '3.12.1'), true);
    assert.equal(supports(undefined, '3.9.0'), true);
  });
});
