/**
 * RUNTIME-2: which Node.js or Python runs a function's runtime: found on this machine (PATH, version managers, the
 * runtime cache), downloaded from the npm registry (a stand-in registry on a loopback port here) with its integrity
 * checked, or, when neither works, another version that says so.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import { EnvironmentPool } from '../../../src/core/runtime';
import { downloadNode, nodeBinaryPackage } from '../../../src/core/runtime/nodeDownload';
import { RuntimeHosts, type RuntimeHostsOptions } from '../../../src/core/runtime/runtimeHosts';
import type { RuntimeProgress } from '../../../src/core/runtime/runtimeProgress';
import { serveRegistry, tgz } from '../../support/npmPackages';
import { waitFor } from '../../support/waitFor';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';

const posix = process.platform !== 'win32';

/** A stand-in `node` that reports `version` and otherwise runs this process's Node.js. */
function fakeNode(version: string): string {
  return `#!/bin/sh\nif [ "$1" = "--version" ]; then echo v${version}; exit 0; fi\nexec "${process.execPath}" "$@"\n`;
}

/** A loopback URL nothing listens on: connecting is refused at once, as offline. */
async function closedPortUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

function writeExecutable(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode: 0o755 });
  return file;
}

describe('runtime: which Node.js and Python run a runtime (RUNTIME-2)', function () {
  this.timeout(30_000);
  let home: string;
  let cacheDir: string;
  const self = { executable: process.execPath, version: '20.20.2', electron: false };

  beforeEach(function () {
    if (!posix) this.skip();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-hosts-home-'));
    cacheDir = path.join(home, 'cache');
  });
  afterEach(() => home && fs.rmSync(home, { recursive: true, force: true }));

  const hosts = (o: Partial<RuntimeHostsOptions> = {}) =>
    new RuntimeHosts({
      cacheDir,
      registry: 'http://127.0.0.1:9/',
      downloads: false,
      env: { PATH: path.join(home, 'bin') },
      home,
      platform: process.platform,
      self,
      ...o,
    });

  it('RUNTIME-2 a Node.js of the runtime version is found on PATH (node22) and through nvm, fnm, volta, asdf and n', async () => {
    writeExecutable(path.join(home, 'bin', 'node22'), fakeNode('22.4.1'));
    assert.deepEqual(
      await hosts()
        .node('nodejs22.x')
        .then((h) => [h.runsOn, h.executable, h.mismatch]),
      ['Node.js 22.4.1', path.join(home, 'bin', 'node22'), undefined],
    );
    const layouts: [string, string][] = [
      ['.nvm/versions/node/v24.1.0', 'bin/node'],
      ['.local/share/fnm/node-versions/v24.1.0', 'installation/bin/node'],
      ['.volta/tools/image/node/24.1.0', 'bin/node'],
      ['.asdf/installs/nodejs/24.1.0', 'bin/node'],
      ['n/versions/node/24.1.0', 'bin/node'],
    ];
    for (const [dir, binary] of layouts) {
      const managerHome = fs.mkdtempSync(path.join(home, 'manager-'));
      const executable = writeExecutable(path.join(managerHome, dir, binary), fakeNode('24.1.0'));
      const found = await hosts({ home: managerHome, env: { PATH: '', N_PREFIX: managerHome } }).node('nodejs24.x');
      assert.equal(found.executable, executable, dir);
      assert.equal(found.runsOn, 'Node.js 24.1.0', dir);
      assert.equal(found.mismatch, undefined, dir);
    }
    // This process serves its own major version.
    assert.equal((await hosts().node('nodejs20.x')).executable, process.execPath);
  });

  it('RUNTIME-2 a missing Node.js is downloaded from the npm registry into the runtime cache, integrity checked, with progress', async () => {
    const pkg = nodeBinaryPackage(process.platform, process.arch);
    const version = (v: string) => ({
      version: v,
      bin: { node: 'bin/node' },
      tarball: tgz([
        { name: 'package/bin/node', content: fakeNode(v), mode: 0o755 },
        { name: 'package/LICENSE', content: 'MIT' },
        { name: 'package/include/node/node.h', content: '// not kept' },
      ]),
    });
    const registry = await serveRegistry({ [pkg]: [version('24.2.0'), version('24.10.1'), version('26.0.0')] });
    try {
      const progress: RuntimeProgress[] = [];
      const pool = new EnvironmentPool({
        location: DEFAULT_LOCATION,
        bootstrapDir: await buildBootstraps(),
        hosts: hosts({ registry: registry.url, downloads: true, onProgress: (p) => progress.push(p) }),
      });
      try {
        const o = await pool.invoke(
          { name: 'on24', handler: 'basic.handler', runtime: 'nodejs24.x', codeRoot: path.join(fixturesRoot, 'node') },
          '{}',
        );
        assert.equal(o.functionError, undefined, JSON.stringify(o.error));
        assert.deepEqual(o.runtime, {
          runtime: 'nodejs24.x',
          runsOn: 'Node.js 24.10.1',
          executable: path.join(cacheDir, 'node', '24.10.1', 'bin', 'node'),
        });
      } finally {
        await pool.close();
      }
      assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'node')), ['24.10.1']);
      assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'node', '24.10.1')).sort(), ['LICENSE', 'bin']);
      assert.deepEqual(
        progress.map((p) => p.phase),
        ['start', ...progress.slice(1, -1).map(() => 'progress'), 'done'],
      );
      assert.equal(
        progress[0].message,
        `Node.js 24 for nodejs24.x is not on this machine: fetching it from the npm registry (${registry.url})`,
      );
      assert.match(progress[1].message, new RegExp(`^Downloading Node.js 24 for nodejs24.x: ${pkg}@24.10.1, `));
      assert.match(progress.at(-1)!.message, /^Fetched Node.js 24.10.1 in [\d.]+ s: /);
      // Found in the cache next time: nothing is downloaded again.
      const before = registry.requests.length;
      assert.equal(
        (await hosts({ registry: registry.url, downloads: true }).node('nodejs24.x')).runsOn,
        'Node.js 24.10.1',
      );
      assert.equal(registry.requests.length, before);
    } finally {
      await registry.close();
    }
  });

  it('RUNTIME-2 a download that does not match the registry integrity is never used', async () => {
    const pkg = nodeBinaryPackage(process.platform, process.arch);
    const registry = await serveRegistry({
      [pkg]: [
        {
          version: '24.3.0',
          bin: { node: 'bin/node' },
          tarball: tgz([{ name: 'package/bin/node', content: fakeNode('24.3.0'), mode: 0o755 }]),
          integrity: `sha512-${Buffer.alloc(64).toString('base64')}`,
        },
      ],
    });
    try {
      await assert.rejects(
        downloadNode(24, { cacheDir, registry: registry.url }),
        /the downloaded tarball does not match the registry's integrity .*; it was not used/,
      );
      assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'node')), []);
    } finally {
      await registry.close();
    }
  });

  it('RUNTIME-2 offline, nodejs24.x runs on the Node.js there is and says why, naming the registry it could not reach', async () => {
    const progress: RuntimeProgress[] = [];
    const offline = await closedPortUrl();
    const host = await hosts({ registry: offline, downloads: true, onProgress: (p) => progress.push(p) }).node(
      'nodejs24.x',
    );
    assert.equal(host.executable, process.execPath);
    assert.match(
      host.mismatch ?? '',
      /^nodejs24\.x runs on Node\.js 20\.20\.2 \(the Node\.js running the runner\), not on Node\.js 24: no Node\.js 24 was found \(PATH, nvm, fnm, volta, asdf, mise, n, the runtime cache\) and it could not be downloaded: cannot reach the npm registry at http:\/\/127\.0\.0\.1:\d+\/ \(ECONNREFUSED\): is this machine offline/,
    );
    assert.equal(host.mismatch?.includes(offline), true);
    assert.deepEqual(
      progress.map((p) => p.phase),
      ['start', 'failed'],
    );
    assert.match(progress[1].message, /^Could not fetch Node.js 24 for nodejs24.x: cannot reach the npm registry at /);
    // `list` looks without downloading: a missing version is to be fetched on first invoke.
    assert.equal((await hosts({ downloads: true }).plan('nodejs24.x', fixturesRoot)).kind, 'download');
    // Downloads off: said as such.
    assert.match(
      (await hosts().node('nodejs24.x')).mismatch ?? '',
      /no Node\.js 24 was found \(.*\) and downloads are off$/,
    );
  });

  it('RUNTIME-2 a Python of the runtime version is found through pyenv; else python3 runs it and says so', async () => {
    const py314 = writeExecutable(
      path.join(home, '.pyenv', 'versions', '3.14.0', 'bin', 'python3.14'),
      '#!/bin/sh\necho Python 3.14.0\n',
    );
    const found = await hosts().python('python3.14', fixturesRoot);
    assert.deepEqual([found.executable, found.runsOn, found.mismatch], [py314, 'Python 3.14.0', undefined]);
    writeExecutable(path.join(home, 'bin', 'python3'), '#!/bin/sh\necho Python 3.11.7\n');
    const other = await hosts().python('python3.13', fixturesRoot);
    assert.equal(other.executable, 'python3');
    assert.equal(
      other.mismatch,
      'python3.13 runs on Python 3.11.7 (PATH: python3), not on Python 3.13: no Python 3.13 was found (PATH, pyenv, asdf, mise, uv)',
    );
  });

  it('RUNTIME-2 closing the pool stops a Node.js download in flight: nothing is left running or half-written', async () => {
    const pkg = nodeBinaryPackage(process.platform, process.arch);
    let tarballRequested!: () => void;
    const requested = new Promise<void>((resolve) => (tarballRequested = resolve));
    let tarballClosed = false;
    const server = http.createServer((req, res) => {
      const { port } = server.address() as net.AddressInfo;
      if (req.url === `/${pkg}`) {
        res.end(
          JSON.stringify({
            name: pkg,
            versions: {
              '24.5.0': {
                name: pkg,
                version: '24.5.0',
                dist: {
                  tarball: `http://127.0.0.1:${port}/${pkg}.tgz`,
                  integrity: `sha512-${Buffer.alloc(64).toString('base64')}`,
                },
              },
            },
          }),
        );
        return;
      }
      // The tarball starts and then stalls, like a slow network.
      res.writeHead(200, { 'content-length': 50_000_000 });
      res.write(Buffer.alloc(1024));
      res.on('close', () => (tarballClosed = true));
      tarballRequested();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const pool = new EnvironmentPool({
        location: DEFAULT_LOCATION,
        bootstrapDir: await buildBootstraps(),
        cacheDir,
        registry: `http://127.0.0.1:${port}/`,
        // This machine as one without Node.js 24, whatever it has.
        runtimeLookup: { env: { PATH: path.join(home, 'bin') }, home },
      });
      const invocation = pool.invoke(
        { name: 'stalled', handler: 'basic.handler', runtime: 'nodejs24.x', codeRoot: path.join(fixturesRoot, 'node') },
        '{}',
      );
      await requested;
      await pool.close();
      await assert.rejects(invocation);
      await waitFor('the tarball connection to close', () => tarballClosed);
      assert.deepEqual(
        fs.readdirSync(path.join(cacheDir, 'node')).filter((f) => !f.startsWith('.')),
        [],
        'no version was published',
      );
      await waitFor(
        'the partial download to be removed',
        () => fs.readdirSync(path.join(cacheDir, 'node')).length === 0,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('RUNTIME-2 a runtime that cannot be prepared fails the invocation with the reason, and the pool carries on', async () => {
    class UnreadableCache extends RuntimeHosts {
      override host(): Promise<never> {
        return Promise.reject(new Error(`EACCES: permission denied, scandir '${cacheDir}'`));
      }
    }
    const pool = new EnvironmentPool({
      location: DEFAULT_LOCATION,
      bootstrapDir: await buildBootstraps(),
      hosts: new UnreadableCache({ cacheDir, registry: 'http://127.0.0.1:1/' }),
    });
    try {
      const fn = {
        name: 'unprepared',
        handler: 'basic.handler',
        runtime: 'nodejs22.x',
        codeRoot: path.join(fixturesRoot, 'node'),
      };
      for (let i = 0; i < 2; i++) {
        const o = await pool.invoke(fn, '{}');
        assert.equal(o.error?.errorType, 'Runtime.InvalidEntrypoint');
        assert.equal(
          o.error?.errorMessage,
          `Cannot prepare the execution environment: EACCES: permission denied, scandir '${cacheDir}'`,
        );
      }
      assert.deepEqual(pool.processIds(), []);
    } finally {
      await pool.close();
    }
  });
});
