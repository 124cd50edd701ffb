/**
 * `invoke` reports what the invocation set going in other functions: a producer's SendMessage through the AWS SDK
 * runs the queue's consumer through its mapping (SDK-1), and the text report lists that record after the producer's
 * (the JSON output stays the invoked function's records).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, cliFixtures, copyWorkspace } from './cliHarness';

describe('cli: what an invocation set going', function () {
  this.timeout(120_000);
  let root: string;
  let env: Record<string, string>;

  before(async () => {
    root = copyWorkspace(path.join(cliFixtures, 'sdk-chain-app'));
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('SDK-1: a producer whose SendMessage runs the consumer: the report lists the consumer record after its own', async () => {
    const { code, out, err } = await cli(['invoke', 'ProducerFunction', '--payload', '-'], root, env, '{"order":42}');
    assert.equal(code, 0, err);
    const [own, started] = out.split('what it set going');
    assert.match(own, /^ProducerFunction {2}sync {2}succeeded/m);
    assert.ok(started, `the report has the section (stdout: ${out})`);
    assert.match(
      started,
      /\n {2}ConsumerFunction {2}batch {2}succeeded .*from sqs arn:aws:sqs:us-east-1:123456789012:OrdersQueue/,
    );
    assert.match(out, /event of record \S+ \(ProducerFunction\): 2 records/);
  });

  it('--full prints the consumer whole, with its logs; --json stays the invoked record', async () => {
    const full = await cli(['invoke', 'ProducerFunction', '--payload', '-', '--full'], root, env, '{"order":7}');
    assert.equal(full.code, 0, full.err);
    assert.match(full.out.split('what it set going')[1] ?? '', /consumed \{"order":7\}/);
    const json = await cli(['invoke', 'ProducerFunction', '--payload', '-', '--json'], root, env, '{"order":8}');
    const record = JSON.parse(json.out) as InvocationRecord;
    assert.equal(record.functionName, 'ProducerFunction');
  });
});
