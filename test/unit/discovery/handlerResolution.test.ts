import * as assert from 'node:assert/strict';
import { resolveHandler } from '../../../src/core/discovery/handlerResolution';

const existing = (files: string[]) => (f: string) => files.includes(f);

describe('discovery: handler resolution', () => {
  it('NODE-1/NODE-2: module before the first dot of the last segment, JavaScript before TypeScript', () => {
    const r = resolveHandler(
      '/app',
      'src/orders.handler.nested',
      'nodejs20.x',
      existing(['/app/src/orders.ts', '/app/src/orders.cjs']),
    );
    assert.equal(r.file, '/app/src/orders.cjs');
    assert.equal(r.exportName, 'handler');
    assert.equal(r.problem, undefined);
  });

  it('NODE-2: falls back to .ts when no JavaScript exists', () => {
    const r = resolveHandler('/app', 'index.handler', 'nodejs22.x', existing(['/app/index.ts']));
    assert.equal(r.file, '/app/index.ts');
  });

  it('PY-1: splits at the last dot, slashes and dots are packages', () => {
    assert.equal(
      resolveHandler('/app', 'pkg/mod.fn', 'python3.12', existing(['/app/pkg/mod.py'])).file,
      '/app/pkg/mod.py',
    );
    assert.equal(
      resolveHandler('/app', 'pkg.mod.fn', 'python3.12', existing(['/app/pkg/mod.py'])).file,
      '/app/pkg/mod.py',
    );
    assert.equal(
      resolveHandler('/app', 'pkg.fn', 'python3.12', existing(['/app/pkg/__init__.py'])).file,
      '/app/pkg/__init__.py',
    );
  });

  it('reports the paths it tried when a handler resolves to nothing', () => {
    const r = resolveHandler('/app', 'missing.handler', 'nodejs20.x', existing([]));
    assert.equal(r.file, undefined);
    assert.equal(r.problem?.code, 'handler-not-found');
    assert.deepEqual(r.tried, [
      '/app/missing',
      '/app/missing.js',
      '/app/missing.mjs',
      '/app/missing.cjs',
      '/app/missing.ts',
      '/app/missing.mts',
      '/app/missing.cts',
    ]);
  });

  it('reports a runtime that does not match the file', () => {
    const r = resolveHandler('/app', 'app.handler', 'python3.12', existing(['/app/app.js']));
    assert.equal(r.file, '/app/app.js');
    assert.equal(r.problem?.code, 'runtime-mismatch');
  });

  it('NODE-1: a handler with ".." is Runtime.MalformedHandlerName', () => {
    assert.equal(resolveHandler('/app', '../x.handler', 'nodejs20.x', existing([])).problem?.code, 'malformed-handler');
    assert.equal(resolveHandler('/app', 'nodot', 'nodejs20.x', existing([])).problem?.code, 'malformed-handler');
  });
});
