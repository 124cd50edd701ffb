/**
 * `invoke --payload` at its edges: a byte-order mark, bytes that are not UTF-8, JSON errors with their place, an
 * async payload over ASYNC-2's limit and a payload nested deeper than the runner takes. The handler runs in a real
 * child process where it runs at all.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli } from './cliHarness';

describe('cli: invoke --payload input edges', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-cli-payload-'));
    fs.writeFileSync(path.join(dir, 'app.js'), 'exports.handler = async (event) => event;\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const invoke = (file: string, bytes: string | Buffer, ...more: string[]) => {
    fs.writeFileSync(path.join(dir, file), bytes);
    return cli(['invoke', 'app.handler', '--payload', file, '--json', ...more], dir, env);
  };

  it('a UTF-8 byte-order mark before the JSON is accepted and not part of the event', async () => {
    const { code, out, err } = await invoke('bom.json', '\ufeff{"name":"café"}');
    assert.equal(code, 0, err);
    assert.deepEqual((JSON.parse(out) as InvocationRecord).attempts[0].result, { name: 'café' });
  });

  it('bytes that are not UTF-8 are refused (exit 2), naming the file and the byte offset', async () => {
    const bytes = Buffer.concat([Buffer.from('{"name":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const { code, err } = await invoke('latin1.json', bytes);
    assert.equal(code, 2);
    assert.equal(
      err,
      `lambda-trigger invoke: ${path.join(dir, 'latin1.json')}: not valid UTF-8: the byte at offset 12 (0xe9) does not begin a UTF-8 character\n`,
    );
  });

  it('a truncated multi-byte character at the end is refused with its offset', async () => {
    const { code, err } = await invoke('cut.json', Buffer.concat([Buffer.from('"ab'), Buffer.from([0xe2, 0x82])]));
    assert.equal(code, 2);
    assert.match(err, /cut\.json: not valid UTF-8: the byte at offset 3 \(0xe2\)/);
  });

  for (const [label, text, where] of [
    ['a trailing comma', '{\n  "a": 1,\n}\n', '3:1'],
    ['a missing bracket', '[1,\n2', '2:2'],
    ['text after the value', '{}\n  x', '2:3'],
    ['an unclosed array 100,000 levels deep', '['.repeat(100_000), '1:100001'],
  ] as const) {
    it(`a JSON error names the file, line and column: ${label}`, async () => {
      const { code, err } = await invoke('bad.json', text);
      assert.equal(code, 2);
      assert.ok(err.startsWith(`lambda-trigger invoke: ${path.join(dir, 'bad.json')}:${where}: not valid JSON: `), err);
    });
  }

  it('a JSON error on stdin names the line and column', async () => {
    const { code, err } = await cli(['invoke', 'app.handler', '--payload', '-'], dir, env, '{\n "a" 1}');
    assert.equal(code, 2);
    assert.match(err, /^lambda-trigger invoke: stdin:2:6: not valid JSON: ColonExpected\n$/);
  });

  for (const mode of ['sync', 'async']) {
    it(`${mode}: a payload nested 100,000 levels deep is refused (exit 2) with its depth and the limit`, async () => {
      const levels = 100_000;
      const { code, out, err } = await invoke('deep.json', '['.repeat(levels) + ']'.repeat(levels), '--mode', mode);
      assert.equal(code, 2, out);
      assert.equal(
        err,
        `lambda-trigger invoke: ${path.join(dir, 'deep.json')}: The payload nests 100000 levels deep; at most 512 levels of arrays and objects can be run\n`,
      );
    });
  }

  it('ASYNC-2 a 2 MB async payload is refused with 413 like a sync one: a rejected record, exit 1', async () => {
    const { code, out, err } = await invoke(
      'big.json',
      JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }),
      '--mode',
      'async',
    );
    assert.equal(code, 1, err);
    const record = JSON.parse(out) as InvocationRecord;
    assert.equal(record.status, 'rejected');
    assert.equal(record.response?.StatusCode, 413);
    assert.equal(record.response?.errorType, 'RequestEntityTooLargeException');
    assert.deepEqual(record.attempts, []);
  });
});
