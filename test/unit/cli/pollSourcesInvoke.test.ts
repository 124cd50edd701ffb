/**
 * `invoke --mode batch` through DynamoDB Streams, Amazon MSK and Amazon MQ triggers (test/fixtures/cli/streams-app):
 * the template's records are put on the source and the mapping delivers them (STREAM-6, KAFKA-1, MQ-1).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli, cliFixtures, copyWorkspace } from './cliHarness';

describe('cli: lambda-trigger invoke through DynamoDB Streams, Kafka and MQ triggers', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  const invoke = async (args: string[]): Promise<{ code: number; record: InvocationRecord }> => {
    const { code, out, err } = await cli(['invoke', ...args, '--json'], root, env);
    assert.equal(err, '');
    return { code, record: JSON.parse(out) as InvocationRecord };
  };

  before(async () => {
    root = copyWorkspace(path.join(cliFixtures, 'streams-app'));
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('STREAM-6 dynamodb:insert records reach the table stream as INSERT changes', async () => {
    const { code, record } = await invoke([
      'CartChangesFunction',
      '--event',
      'dynamodb:insert',
      '--param',
      'keys={"id":"cart-1"}',
      '--param',
      'newImage={"id":"cart-1","items":2}',
    ]);
    assert.equal(code, 0);
    assert.deepEqual([record.mode, record.status, record.source?.type], ['batch', 'succeeded', 'dynamodb']);
    assert.match(record.source!.arn!, /:table\/CartsTable\/stream\//);
    assert.deepEqual(record.attempts[0].result, [
      { eventName: 'INSERT', keys: { id: { S: 'cart-1' } }, newImage: { id: { S: 'cart-1' }, items: { N: '2' } } },
    ]);
  });

  it("KAFKA-1 kafka:msk records go to the trigger's topic (the sample topic stands for it)", async () => {
    const { code, record } = await invoke([
      'ClicksFunction',
      '--event',
      'kafka:msk',
      '--param',
      'key=user-7',
      '--body',
      '{"page":"/a"}',
      '--body',
      '{"page":"/b"}',
    ]);
    assert.equal(code, 0);
    assert.deepEqual([record.mode, record.status], ['batch', 'succeeded']);
    assert.deepEqual(record.attempts[0].result, [
      { group: 'clicks-0', values: ['{"page":"/a"}', '{"page":"/b"}'], keys: ['user-7', 'user-7'] },
    ]);
  });

  it('MQ-1 mq:activemq messages reach the broker queue of the trigger', async () => {
    const { code, record } = await invoke([
      'InvoicesFunction',
      '--event',
      'mq:activemq',
      '--body',
      'INV-1',
      '--body',
      'INV-2',
    ]);
    assert.equal(code, 0);
    assert.deepEqual([record.mode, record.status, record.source?.type], ['batch', 'succeeded', 'mq']);
    assert.deepEqual(record.attempts[0].result, ['INV-1', 'INV-2']);
  });

  it('a Kafka event for a function with an MQ trigger is refused with exit 2', async () => {
    const { code, out, err } = await cli(['invoke', 'InvoicesFunction', '--event', 'kafka:msk'], root, env);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.equal(
      err,
      'lambda-trigger invoke: The event comes from Kafka, but InvoicesFunction is triggered by Amazon MQ (Invoices).\n',
    );
  });
});
