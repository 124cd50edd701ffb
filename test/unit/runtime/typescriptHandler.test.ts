import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvironmentPool, type FunctionSpec } from '../../../src/core/runtime';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

describe('runtime: TypeScript handlers (NODE-2)', function () {
  this.timeout(20000);
  let pool: EnvironmentPool;
  let cacheDir: string;
  const tsRoot = path.join(fixturesRoot, 'node', 'ts');
  const spec = (handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec => ({
    name: ('ts-' + handler).replace(/[^A-Za-z0-9_-]/g, '_'),
    handler,
    runtime: 'nodejs20.x',
    codeRoot: tsRoot,
    ...extra,
  });

  before(async () => {
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-ts-cache-'));
    pool = new EnvironmentPool({
      location: DEFAULT_LOCATION,
      bootstrapDir: await buildBootstraps(),
      typescriptCacheDir: cacheDir,
    });
  });
  after(() => {
    pool.dispose();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('NODE-2 resolves handler.ts when no JavaScript exists, with its .ts imports', async () => {
    const o = await pool.invoke(spec('handler.handler'), '{"name":"ts"}');
    assert.deepEqual(o.result, { message: 'hello ts' });
  });

  it('NODE-2 error stack traces point at .ts lines (source maps)', async () => {
    const o = await pool.invoke(spec('handler.fails'), '{}');
    assert.equal(o.error?.errorType, 'Error');
    assert.equal(o.error?.errorMessage, 'typed failure');
    assert.match(
      o.error?.trace?.[1] ?? '',
      new RegExp(`${path.join(tsRoot, 'handler.ts').replace(/[/.]/g, '\\$&')}:12:9`),
    );
  });

  it('NODE-2 a bundled JavaScript handler that comes with its source map gets stack traces at its source lines; a plain one at its own', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-js-map-'));
    try {
      // What a bundler writes: the code moved to other lines, and a map back to the original file.
      const original = path.join(dir, 'original.js');
      const source = '// a comment line\n\n\nexports.fails = async () => {\n  throw new Error("mapped");\n};\n';
      fs.writeFileSync(original, source);
      const esbuild = await import('esbuild');
      const built = await esbuild.transform(source, {
        sourcefile: original,
        sourcemap: 'inline',
        format: 'cjs',
        minifyWhitespace: true,
      });
      fs.writeFileSync(path.join(dir, 'bundle.js'), built.code);
      fs.writeFileSync(path.join(dir, 'plain.js'), source);
      const js = (handler: string): FunctionSpec => ({
        name: handler.replace('.', '_'),
        handler,
        runtime: 'nodejs20.x',
        codeRoot: dir,
      });
      const mapped = await pool.invoke(js('bundle.fails'), '{}');
      assert.equal(mapped.error?.errorMessage, 'mapped');
      assert.match(mapped.error?.trace?.[1] ?? '', /original\.js:5:9/);
      const plain = await pool.invoke(js('plain.fails'), '{}');
      assert.match(plain.error?.trace?.[1] ?? '', /plain\.js:5:9/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('NODE-2 .mts handlers run, with import.meta.url', async () => {
    assert.equal((await pool.invoke(spec('module.handler'), '{}')).result, 'mts:string');
  });

  it('NODE-3 a TypeScript syntax error is Runtime.UserCodeSyntaxError with the .ts location', async () => {
    // Written at run time: a broken .ts file in the fixtures would break the project's type check.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-ts-broken-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'broken.ts'),
        'export const handler = async (event: { a: number }) => {\n  return event.a +;\n};\n',
      );
      const o = await pool.invoke(spec('broken.handler', { codeRoot: dir }), '{}');
      assert.equal(o.error?.errorType, 'Runtime.UserCodeSyntaxError');
      assert.equal(o.error?.errorMessage, 'SyntaxError: Unexpected ";"');
      assert.deepEqual(o.error?.trace, [
        'Runtime.UserCodeSyntaxError: SyntaxError: Unexpected ";"',
        `    at ${path.join(dir, 'broken.ts')}:2:19`,
      ]);
      assert.equal(o.coldStart, true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('NODE-2 tsconfig paths are honoured', async () => {
    // Written at run time: the project's own type check does not know this fixture's path aliases.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-ts-paths-'));
    try {
      fs.mkdirSync(path.join(dir, 'src/shared'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@shared/*': ['src/shared/*'] } } }),
      );
      fs.writeFileSync(path.join(dir, 'src/shared/constants.ts'), 'export const ANSWER: number = 42;\n');
      fs.writeFileSync(
        path.join(dir, 'src/app.ts'),
        "import { ANSWER } from '@shared/constants';\nexport const handler = async (): Promise<number> => ANSWER;\n",
      );
      const o = await pool.invoke(spec('src/app.handler', { codeRoot: dir }), '{}');
      assert.equal(o.result, 42);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('recompiles when a source file changes, and reuses the cache otherwise', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-ts-src-'));
    try {
      const file = path.join(dir, 'app.ts');
      fs.writeFileSync(file, 'export const handler = async (): Promise<number> => 1;\n');
      const s: FunctionSpec = { name: 'ts-change', handler: 'app.handler', runtime: 'nodejs20.x', codeRoot: dir };
      assert.equal((await pool.invoke(s, '{}')).result, 1);
      const compiledCount = fs.readdirSync(cacheDir).length;
      pool.reset('ts-change');
      assert.equal((await pool.invoke(s, '{}')).result, 1);
      assert.equal(fs.readdirSync(cacheDir).length, compiledCount);
      fs.writeFileSync(file, 'export const handler = async (): Promise<number> => 2;\n');
      const later = new Date(Date.now() + 5000);
      fs.utimesSync(file, later, later);
      pool.reset('ts-change');
      assert.equal((await pool.invoke(s, '{}')).result, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('ES module TypeScript (NODE-2)', () => {
    let dir: string;
    before(() => {
      // Written at run time: the fixture has its own node_modules and package.json "type".
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-ts-esm-'));
      const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      };
      write('package.json', JSON.stringify({ type: 'module' }));
      write(
        'node_modules/esm-dep/package.json',
        JSON.stringify({ name: 'esm-dep', type: 'module', exports: './index.js' }),
      );
      write('node_modules/esm-dep/index.js', "export const dep = 'from node_modules';\n");
      write('config.json', JSON.stringify({ greeting: 'hello' }));
      write('legacy.cjs', "module.exports = { platform: require('node:os').platform() };\n");
      write('lib/shout.ts', 'export const shout = (s: string): string => s.toUpperCase();\n');
      write(
        'app.ts',
        [
          "import { readFile } from 'node:fs/promises';",
          "import { dep } from 'esm-dep';",
          "import legacy from './legacy.cjs';",
          "import { shout } from './lib/shout';",
          '',
          '// Top-level await, as a Node.js 20+ runtime allows it in an ES module.',
          "const config = JSON.parse(await readFile(new URL('./config.json', import.meta.url), 'utf8')) as { greeting: string };",
          '',
          'export const handler = async (event: { name: string }) => ({',
          '  message: `${config.greeting} ${shout(event.name)}`,',
          '  dep,',
          '  platform: (legacy as { platform: string }).platform,',
          '  url: import.meta.url,',
          '});',
          '',
          'export const fails = async (): Promise<never> => {',
          "  throw new Error('esm failure');",
          '};',
          '',
        ].join('\n'),
      );
      write('cjs/package.json', JSON.stringify({ type: 'commonjs' }));
      write('cjs/app.ts', 'await Promise.resolve();\nexport const handler = async (): Promise<number> => 1;\n');
      write(
        'tla.mts',
        "const ready = await Promise.resolve('mts with top-level await');\nexport const handler = async (): Promise<string> => ready;\n",
      );
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('NODE-2 a .ts module under "type": "module" with top-level await loads as ESM: import.meta.url, its packages, the CommonJS it imports', async () => {
      const o = await pool.invoke(spec('app.handler', { name: 'ts-esm', codeRoot: dir }), '{"name":"esm"}');
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      assert.deepEqual(o.result, {
        message: 'hello ESM',
        dep: 'from node_modules',
        platform: os.platform(),
        url: pathToFileURL(path.join(dir, 'app.ts')).href,
      });
    });

    it('NODE-2 an .mts handler with top-level await loads as ESM', async () => {
      assert.equal(
        (await pool.invoke(spec('tla.handler', { name: 'ts-tla', codeRoot: dir }), '{}')).result,
        'mts with top-level await',
      );
    });

    it('NODE-2 ES module TypeScript errors point at .ts lines (source maps)', async () => {
      const o = await pool.invoke(spec('app.fails', { name: 'ts-esm-fails', codeRoot: dir }), '{}');
      assert.equal(o.error?.errorMessage, 'esm failure');
      assert.match(
        o.error?.trace?.[1] ?? '',
        new RegExp(`\\(${path.join(dir, 'app.ts').replace(/[/.]/g, '\\$&')}:17:9\\)$`),
      );
    });

    it('NODE-2 top-level await in a CommonJS .ts module stays a syntax error, as in CommonJS JavaScript', async () => {
      const o = await pool.invoke(spec('cjs/app.handler', { name: 'ts-cjs-tla', codeRoot: dir }), '{}');
      assert.equal(o.error?.errorType, 'Runtime.UserCodeSyntaxError');
      assert.match(
        o.error?.errorMessage ?? '',
        /Top-level await is currently not supported with the "cjs" output format/,
      );
    });
  });
});
