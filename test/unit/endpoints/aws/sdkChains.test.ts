/**
 * Handlers that call AWS through the SDK, as on AWS, in real child processes: a producer's SendMessage feeds the
 * local queue and the queue's mapping runs the consumer; a publish fans out to a subscribed function; a function
 * invokes another (synchronously and as an event) and itself, without waiting on its own environment; a Python
 * handler does the same with boto3. The records say what the SDK call did and continue the caller's story.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { formatInvocationRecord } from '../../../../src/cli/commands/invocationReport';
import { queueUrl, topicArn } from '../../../../src/core/resourceArn';
import { DEFAULT_LOCATION } from '../../../../src/core/awsLocation';
import type { InvocationRecord } from '../../../../src/core/invoke/invocationRecord';
import { waitFor } from '../../../support/waitFor';
import { lambda, sns, sqs } from '../../invoke/model';
import { openAwsTestAccount, type AwsTestAccount } from './awsTestAccount';

const HANDLERS = {
  'producer.js': `
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const client = new SQSClient({});
exports.handler = async (event) => {
  const sent = await client.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(event) }));
  return { messageId: sent.MessageId };
};
`,
  'consumer.js': `exports.handler = async (event) => { console.log('consumed', event.Records.map((r) => r.body).join(',')); };\n`,
  'publisher.js': `
const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
const client = new SNSClient({});
exports.handler = async (event) => {
  await client.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: event.alert }));
  return 'published';
};
`,
  'subscriber.js': `exports.handler = async (event) => ({ alert: event.Records[0].Sns.Message });\n`,
  'caller.js': `
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
const client = new LambdaClient({});
exports.handler = async (event) => {
  const sync = await client.send(new InvokeCommand({ FunctionName: 'Callee', Payload: JSON.stringify({ x: event.x }) }));
  const queued = await client.send(new InvokeCommand({ FunctionName: 'Callee', InvocationType: 'Event', Payload: '{"x":0}' }));
  return { callee: JSON.parse(Buffer.from(sync.Payload).toString()), eventStatus: queued.StatusCode };
};
`,
  'callee.js': `exports.handler = async (event) => ({ doubled: event.x * 2 });\n`,
  'recur.js': `
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
const client = new LambdaClient({});
exports.handler = async (event) => {
  if (event.depth === 0) return 'bottom';
  try {
    const inner = await client.send(new InvokeCommand({ FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME, Payload: JSON.stringify({ depth: event.depth - 1 }) }));
    return JSON.parse(Buffer.from(inner.Payload).toString());
  } catch (e) {
    return e.name;
  }
};
`,
  'environment.js': `exports.handler = async () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_ENDPOINT_URL') || k.startsWith('AWS_ACCESS') || k === 'QUEUE_URL'));\n`,
  'producer.py': `
import json, os
import boto3

sqs = boto3.client("sqs")

def handler(event, context):
    sent = sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody=json.dumps(event))
    return {"messageId": sent["MessageId"]}
`,
};

const pythonHasBoto3 = (() => {
  try {
    execFileSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('AWS endpoint: SDK calls from handlers run the local consumers', function () {
  this.timeout(120_000);
  let t: AwsTestAccount;
  const location = DEFAULT_LOCATION;

  before(async () => {
    t = await openAwsTestAccount(
      'ltr-aws-chains-',
      (dir) => [
        lambda('Producer', {
          handler: 'producer.handler',
          codeRoot: dir,
          timeout: 30,
          // As a template's !Ref gives it: the deployed-style URL, which the handler's SDK must not send to AWS.
          environment: { QUEUE_URL: queueUrl('Orders', location) },
        }),
        lambda('Consumer', { handler: 'consumer.handler', codeRoot: dir, triggers: [sqs('Orders')] }),
        lambda('Publisher', {
          handler: 'publisher.handler',
          codeRoot: dir,
          timeout: 30,
          environment: { TOPIC_ARN: topicArn('Alerts', location) },
        }),
        lambda('Subscriber', { handler: 'subscriber.handler', codeRoot: dir, triggers: [sns('Alerts')] }),
        lambda('Caller', { handler: 'caller.handler', codeRoot: dir, timeout: 30 }),
        lambda('Callee', { handler: 'callee.handler', codeRoot: dir }),
        lambda('Recur', { handler: 'recur.handler', codeRoot: dir, timeout: 30 }),
        lambda('Environment', {
          handler: 'environment.handler',
          codeRoot: dir,
          environment: { QUEUE_URL: queueUrl('Orders', location) },
        }),
        lambda('PyProducer', {
          handler: 'producer.handler',
          runtime: 'python3.12',
          codeRoot: dir,
          timeout: 30,
          environment: { QUEUE_URL: queueUrl('Orders', location) },
        }),
      ],
      HANDLERS,
    );
  });
  after(() => t?.dispose());

  const recordsOf = (name: string): InvocationRecord[] =>
    t.account.engine.records().filter((r) => r.functionName === name);

  it("SDK-1: handlers get the endpoint for each simulated service and the workspace key; a local queue's URL points at the endpoint", async () => {
    const [record] = await t.account.invoke('Environment', '{}', 'sync');
    const env = record.attempts[0]?.result as Record<string, string>;
    for (const id of ['SQS', 'SNS', 'EVENTBRIDGE', 'KINESIS', 'LAMBDA'])
      assert.equal(env[`AWS_ENDPOINT_URL_${id}`], t.endpoint.url, id);
    assert.equal(env.AWS_ENDPOINT_URL, t.endpoint.url, 'other services answer from the endpoint, at once');
    assert.equal(env.AWS_ACCESS_KEY_ID, t.endpoint.accessKeyId);
    assert.equal(env.QUEUE_URL, `${t.endpoint.url}/${location.accountId}/Orders`);
  });

  it("SDK-4: a producer's SendMessage feeds the local queue and its mapping runs the consumer, in the producer's story", async () => {
    const [producer] = await t.account.invoke('Producer', '{"order":7}', 'sync');
    assert.equal(producer.status, 'succeeded', JSON.stringify(producer.attempts[0]?.error));
    const consumer = recordsOf('Consumer').find((r) => JSON.stringify(r.event).includes('{\\"order\\":7}'));
    assert.ok(consumer, 'the consumer ran before the producer invocation returned');
    assert.equal(consumer.status, 'succeeded');
    assert.equal(consumer.storyId, producer.id, "the consumer's record continues the producer's story");
    const messageId = (producer.attempts[0]?.result as { messageId: string }).messageId;
    assert.deepEqual(consumer.batches[0]?.recordIds, [messageId]);
  });

  it('SDK-4: a publish fans out to the subscribed function', async () => {
    const [publisher] = await t.account.invoke('Publisher', '{"alert":"disk full"}', 'sync');
    assert.equal(publisher.status, 'succeeded', JSON.stringify(publisher.attempts[0]?.error));
    const subscriber = await waitFor('the subscriber to run', () =>
      recordsOf('Subscriber').find((r) => r.status === 'succeeded'),
    );
    assert.deepEqual(subscriber.attempts[0]?.result, { alert: 'disk full' });
    assert.equal(subscriber.storyId, publisher.id);
  });

  it('SDK-4: a function invokes another through the SDK: RequestResponse answers its result, Event queues it', async () => {
    const [caller] = await t.account.invoke('Caller', '{"x":21}', 'sync');
    assert.equal(caller.status, 'succeeded', JSON.stringify(caller.attempts[0]?.error));
    assert.deepEqual(caller.attempts[0]?.result, { callee: { doubled: 42 }, eventStatus: 202 });
    const callees = recordsOf('Callee');
    const sync = callees.find((r) => r.mode === 'sync');
    assert.deepEqual(sync?.source, {
      type: 'sdk',
      service: 'lambda',
      operation: 'Invoke',
      caller: 'Caller',
      parentRecordId: caller.id,
    });
    assert.equal(sync?.storyId, caller.id);
    assert.match(formatInvocationRecord(sync), /source: sdk: lambda Invoke from Caller/);
    const queued = await waitFor('the queued event to run', () =>
      recordsOf('Callee').find((r) => r.mode === 'async' && r.status === 'succeeded'),
    );
    assert.deepEqual(queued.attempts[0]?.result, { doubled: 0 });
  });

  it('SDK-4: a function invoking itself synchronously gets another environment while its own stays busy', async () => {
    const [outer] = await t.account.invoke('Recur', '{"depth":3}', 'sync');
    assert.equal(outer.status, 'succeeded', JSON.stringify(outer.attempts[0]?.error));
    assert.equal(outer.attempts[0]?.result, 'bottom');
    assert.equal(recordsOf('Recur').length, 4);
  });

  it('SDK-4: past the environments a function may have, a synchronous invoke from a handler is throttled instead of waiting on itself', async () => {
    // Ten environments each wait on the next invoke; the eleventh would wait forever for one of them.
    const [outer] = await t.account.invoke('Recur', '{"depth":12}', 'sync');
    assert.equal(outer.status, 'succeeded', JSON.stringify(outer.attempts[0]?.error));
    assert.equal(outer.attempts[0]?.result, 'TooManyRequestsException');
  });

  it('SDK-1: a Python handler sends with boto3 and the consumer runs', async function () {
    if (!pythonHasBoto3) this.skip(); // python3 on this machine has no boto3 (`python3 -c "import boto3"` fails)
    const [producer] = await t.account.invoke('PyProducer', '{"order":"py"}', 'sync');
    assert.equal(producer.status, 'succeeded', JSON.stringify(producer.attempts[0]?.error));
    const consumer = recordsOf('Consumer').find((r) => JSON.stringify(r.event).includes('{\\"order\\": \\"py\\"}'));
    assert.ok(consumer, 'the consumer ran');
    assert.equal(consumer.storyId, producer.id);
  });
});
