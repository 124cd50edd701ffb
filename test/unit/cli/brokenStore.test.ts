/**
 * `lambda-trigger` on a workspace whose store is broken: read-only, on a full disk, or with a damaged segment. Each
 * gets its own message and an exit code of the documented set; `invoke` runs anyway on a throwaway store.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { failWritesUnder } from '../../support/failingWrites';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, copyWorkspace, examplesDir } from './cliHarness';

describe('cli: a broken workspace store', function () {
  this.timeout(60_000);
  let root: string;
  let storeDir: string;
  let env: Record<string, string>;
  const run = (args: string[]) => cli(args, root, env);
  const invokeSync = () =>
    run(['invoke', 'CreateOrderFunction', '--payload', 'events/api-create-order.json', '--json']);

  before(async () => {
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });
  beforeEach(() => {
    root = copyWorkspace(path.join(examplesDir, 'sam-app'));
    storeDir = path.join(root, '.lambda-trigger', 'store');
    fs.mkdirSync(storeDir, { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  for (const [what, code, reason] of [
    ['read-only', 'EROFS', 'the file system is read-only \\(EROFS\\)'],
    ['on a full disk', 'ENOSPC', 'the disk is full \\(ENOSPC\\)'],
  ] as const) {
    it(`a store ${what}: queues send exits 75 naming the folder and the operation; peek reads a copy; invoke runs on a throwaway store; each says so`, async () => {
      assert.equal((await run(['queues', 'send', 'OrdersDLQ', '--body', 'kept'])).code, 0);
      const before = fs.readdirSync(storeDir).sort();
      const failing = failWritesUnder(storeDir, code);
      try {
        const sent = await run(['queues', 'send', 'OrdersDLQ', '--body', 'refused']);
        assert.equal(sent.code, 75, sent.err);
        assert.equal(sent.out, '');
        assert.equal(
          sent.err,
          `lambda-trigger queues: Cannot write the store at ${storeDir} (take the lock): ${reason.replace(/\\/g, '')}.\n`,
        );
        const peek = await run(['queues', 'peek', 'OrdersDLQ', '--json']);
        assert.equal(peek.code, 0, peek.err);
        assert.deepEqual(
          (JSON.parse(peek.out) as Array<{ body: string }>).map((m) => m.body),
          ['kept'],
        );
        assert.equal(
          peek.err,
          `lambda-trigger queues: Cannot write the store at ${storeDir} (take the lock): ${reason.replace(/\\/g, '')}. ` +
            'This run reads a copy of it.\n',
        );
        const invoked = await invokeSync();
        assert.equal(invoked.code, 0, invoked.err);
        assert.equal((JSON.parse(invoked.out) as InvocationRecord).status, 'succeeded');
        assert.match(
          invoked.err,
          new RegExp(
            `^lambda-trigger invoke: Cannot write the store at ${storeDir} \\(take the lock\\): ${reason}\\. ` +
              'This run uses a throwaway store \\(its queues start empty and its records are not kept\\)\\.\\n$',
          ),
        );
      } finally {
        failing.restore();
      }
      assert.deepEqual(fs.readdirSync(storeDir).sort(), before, 'nothing was written');
    });
  }

  it('a disk that fills up once the store is open: the run ends with exit 75 naming the folder and the file, no stack', async () => {
    const failing = failWritesUnder(storeDir, 'ENOSPC', /^segment-/);
    try {
      for (const args of [
        ['queues', 'send', 'OrdersDLQ', '--body', 'lost'],
        ['invoke', 'CreateOrderFunction', '--payload', 'events/api-create-order.json', '--json'],
      ]) {
        const { code, err } = await run(args);
        assert.equal(code, 75, err);
        assert.match(
          err,
          new RegExp(
            `^lambda-trigger ${args[0]}: Cannot write the store at ${storeDir} \\(append to segment-\\d{8}\\.jsonl\\): ` +
              'the disk is full \\(ENOSPC\\)\\.\\n$',
          ),
        );
      }
    } finally {
      failing.restore();
    }
  });

  it('a segment damaged in the middle: its good messages are kept, the file moved aside and the line named; commands run', async () => {
    for (const body of ['first', 'second'])
      assert.equal((await run(['queues', 'send', 'OrdersDLQ', '--body', body])).code, 0);
    const segments = fs
      .readdirSync(storeDir)
      .filter((f) => f.startsWith('segment-'))
      .sort();
    assert.equal(segments.length, 2);
    const second = path.join(storeDir, segments[1]);
    fs.writeFileSync(second, `{"torn":\n${fs.readFileSync(second, 'utf8')}`);
    const peek = await run(['queues', 'peek', 'OrdersDLQ', '--json']);
    assert.equal(peek.code, 0, peek.err);
    assert.deepEqual(
      (JSON.parse(peek.out) as Array<{ body: string }>).map((m) => m.body),
      ['first', 'second'],
    );
    assert.match(
      peek.err,
      new RegExp(
        `^lambda-trigger queues: The store at ${storeDir} was damaged: ${segments[1]} line 1 is not valid JSON\\. ` +
          `Every other entry is kept; the file was moved to ${second}\\.damaged-[\\dTZ-]+\\.\\n$`,
      ),
    );
    assert.equal(fs.readdirSync(storeDir).filter((f) => f.startsWith(`${segments[1]}.damaged-`)).length, 1);
    const invoked = await invokeSync();
    assert.equal(invoked.code, 0, invoked.err);
    assert.equal(invoked.err, '', 'repaired once');
  });
});
