/**
 * DURABLE-14: a durable function started by any trigger, with the unmodified JavaScript SDK in real handler
 * processes on a SAM workspace: an SQS and a Kinesis event source mapping wait for the whole execution (its result
 * is the batch's answer, batch item failures included; past 15 minutes it times out and the batch fails), an SNS
 * notification starts an execution asynchronously whose failure sends the original event to the dead-letter queue,
 * and an API Gateway route answers with the execution's result.
 */
import * as assert from 'node:assert/strict';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { tempWorkspace } from '../endpoints/aws/awsTestAccount';
import { serveWorkspace, type ServedWorkspace } from '../endpoints/httpFrontHarness';
import * as fs from 'node:fs';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Timeout: 30
    DurableConfig:
      ExecutionTimeout: 604800
Resources:
  JobsQueue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt JobsDLQ.Arn
        maxReceiveCount: 1
  JobsDLQ:
    Type: AWS::SQS::Queue
  Jobs:
    Type: AWS::Serverless::Function
    Properties:
      Handler: jobs.handler
      Events:
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt JobsQueue.Arn
            FunctionResponseTypes: [ReportBatchItemFailures]
  ClicksStream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  Clicks:
    Type: AWS::Serverless::Function
    Properties:
      Handler: clicks.handler
      Events:
        Stream:
          Type: Kinesis
          Properties:
            Stream: !GetAtt ClicksStream.Arn
            StartingPosition: TRIM_HORIZON
            MaximumRetryAttempts: 0
  AlertsTopic:
    Type: AWS::SNS::Topic
  AlertsDLQ:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::Serverless::Function
    Properties:
      Handler: alerts.handler
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt AlertsDLQ.Arn
      Events:
        Topic:
          Type: SNS
          Properties:
            Topic: !Ref AlertsTopic
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Handler: orders.handler
      Events:
        Create:
          Type: Api
          Properties:
            Path: /orders
            Method: post
`;

const SDK = `const { withDurableExecution } = require('@aws/durable-execution-sdk-js');\n`;

const FILES: Record<string, string> = {
  'template.yaml': TEMPLATE,
  // Checks each message in a step, waits (an hour when a message asks to be slow), reports the bad ones.
  'jobs.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  const bad = await context.step('check', async () =>
    event.Records.filter((r) => JSON.parse(r.body).ok !== true).map((r) => r.messageId));
  const slow = event.Records.some((r) => JSON.parse(r.body).slow === true);
  await context.wait('settle', slow ? { hours: 1 } : { minutes: 5 });
  return { batchItemFailures: bad.map((id) => ({ itemIdentifier: id })) };
});
`,
  'clicks.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  const count = await context.step('count', async () => event.Records.length);
  await context.wait({ seconds: 30 });
  return { counted: count };
});
`,
  'alerts.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  await context.wait({ minutes: 1 });
  await context.step('page', async () => { throw new Error('nobody on call for ' + event.Records[0].Sns.Message); },
    { retryStrategy: () => ({ shouldRetry: false }) });
});
`,
  'orders.js': `${SDK}
exports.handler = withDurableExecution(async (event, context) => {
  const order = await context.step('create', async () => JSON.parse(event.body));
  await context.wait({ days: 1 });
  if (order.fail) throw new Error('cannot take order ' + order.id);
  return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ created: order.id }) };
});
`,
};

const sqsEvent = (bodies: Array<{ id: string; body: unknown }>): string =>
  JSON.stringify({
    Records: bodies.map((b) => ({ messageId: b.id, body: JSON.stringify(b.body), eventSource: 'aws:sqs' })),
  });

describe('durable functions: started by every kind of trigger (DURABLE-14)', function () {
  this.timeout(120_000);
  let served: ServedWorkspace;
  let source: string;

  before(async () => {
    source = tempWorkspace('ltr-durable-triggers-', FILES);
    served = await serveWorkspace(source);
  });
  after(async () => {
    await served?.dispose();
    fs.rmSync(source, { recursive: true, force: true });
  });

  const storyOf = (head: InvocationRecord): InvocationRecord[] =>
    served.account.engine.records().filter((r) => r.id === head.id || r.storyId === head.id);

  it('DURABLE-14 SQS-4: an SQS mapping waits for the execution, whose result is the batch response', async () => {
    const records = await served.account.invoke(
      'Jobs',
      sqsEvent([
        { id: 'job-ok', body: { ok: true } },
        { id: 'job-bad', body: { ok: false } },
      ]),
      'batch',
    );
    const batch = records.find((r) => r.batches?.length)!;
    assert.equal(batch.source?.type, 'sqs');
    assert.equal(batch.attempts.length, 1);
    assert.equal(batch.attempts[0].outcome, 'success');
    assert.deepEqual(batch.attempts[0].result, { batchItemFailures: [{ itemIdentifier: 'job-bad' }] });
    assert.deepEqual(batch.batches[0].reportedFailures, ['job-bad']);
    // The execution's two invocations (the step and the wait, then the end) continue the batch's story.
    const invocations = storyOf(batch).filter((r) => r.execution);
    assert.deepEqual(
      invocations.map((r) => [r.execution!.invocation, r.execution!.outcome]),
      [
        [1, 'PENDING'],
        [2, 'SUCCEEDED'],
      ],
    );
    assert.equal(invocations[0].source?.type, 'sqs');
    assert.equal(invocations[0].source?.parentRecordId, batch.id);
    const execution = served.account.engine.durable.find(invocations[0].execution!.arn)!;
    assert.equal(execution.status, 'SUCCEEDED');
    // Not idempotent: an execution per batch, named by its id.
    assert.equal(execution.name, execution.id);
    assert.equal(execution.executionTimeoutSeconds, 900);
  });

  it('DURABLE-14: past 15 minutes the execution a mapping started times out, and the batch fails', async () => {
    const records = await served.account.invoke(
      'Jobs',
      sqsEvent([{ id: 'job-slow', body: { ok: true, slow: true } }]),
      'batch',
    );
    const batch = records.find((r) => r.batches?.length && r.attempts.length > 0)!;
    assert.equal(batch.attempts[0].outcome, 'functionError');
    assert.equal(batch.attempts[0].error?.errorType, 'ExecutionTimedOut');
    assert.match(
      batch.attempts[0].error?.errorMessage ?? '',
      /900 seconds an execution started by an event source mapping/,
    );
    const execution = served.account.engine.durable.find(storyOf(batch).find((r) => r.execution)!.execution!.arn)!;
    assert.equal(execution.status, 'TIMED_OUT');
    assert.equal(execution.endMs! - execution.startMs, 15 * 60_000);
    // SQS-2 SQS-3: the message came back and, received once already, moved to the dead-letter queue.
    await served.account.engine.runUntilIdle();
    const dead = served.account.engine.services.queue('JobsDLQ').messages();
    assert.ok(dead.some((m) => m.body === '{"ok":true,"slow":true}'));
  });

  it('DURABLE-14 STREAM-1: a Kinesis mapping waits for the execution, then moves on', async () => {
    const data = (text: string) => Buffer.from(text).toString('base64');
    const records = await served.account.invoke(
      'Clicks',
      JSON.stringify({
        Records: [
          { kinesis: { data: data('a'), partitionKey: 'p' }, eventSource: 'aws:kinesis' },
          { kinesis: { data: data('b'), partitionKey: 'p' }, eventSource: 'aws:kinesis' },
        ],
      }),
      'batch',
    );
    const batch = records.find((r) => r.batches?.length)!;
    assert.equal(batch.status, 'succeeded');
    assert.deepEqual(batch.attempts[0].result, { counted: 2 });
    const invocations = storyOf(batch).filter((r) => r.execution);
    assert.equal(invocations.length, 2);
    assert.equal(invocations[0].source?.type, 'kinesis');
  });

  it('DURABLE-14 ASYNC-9: an SNS notification starts an execution; when it fails, the original event goes to the DLQ', async () => {
    const { records } = await served.account.sendToResource(
      JSON.stringify({
        Records: [
          {
            EventSource: 'aws:sns',
            Sns: { TopicArn: 'arn:aws:sns:us-east-1:123456789012:AlertsTopic', Message: 'disk full' },
          },
        ],
      }),
    );
    const head = records.find((r) => r.functionName === 'Alerts' && r.execution?.invocation === 1)!;
    assert.equal(head.mode, 'async');
    assert.equal(head.source?.type, 'sns');
    const execution = served.account.engine.durable.find(head.execution!.arn)!;
    assert.equal(execution.status, 'FAILED');
    // Lambda does not retry a failed execution: one execution, its invocations only.
    assert.equal(served.account.engine.durable.list('Alerts').executions.length, 1);
    const [message] = served.account.engine.services.queue('AlertsDLQ').messages();
    assert.equal(
      (JSON.parse(message.body) as { Records: Array<{ Sns: { Message: string } }> }).Records[0].Sns.Message,
      'disk full',
    );
    assert.equal(message.messageAttributes.ErrorMessage?.StringValue, 'StepError: nobody on call for disk full');
    assert.equal(served.account.engine.record(head.id)?.deliveries.at(-1)?.kind, 'deadLetterQueue');
  });

  it('DURABLE-14 HTTP-1: an API route answers with the execution result after its day-long wait', async () => {
    const created = await fetch(`${served.front.url}/orders`, { method: 'POST', body: '{"id":"o-7"}' });
    assert.equal(created.status, 201);
    assert.deepEqual(await created.json(), { created: 'o-7' });
    const failed = await fetch(`${served.front.url}/orders`, { method: 'POST', body: '{"id":"o-8","fail":true}' });
    assert.equal(failed.status, 502);
    const head = served.account.engine
      .records()
      .find(
        (r) => r.functionName === 'Orders' && r.execution?.invocation === 1 && r.http?.request.body?.includes('o-7'),
      );
    assert.ok(head, 'the first invocation keeps the request');
    assert.equal(head.source?.type, 'apigateway');
    assert.equal(head.http?.response?.statusCode, 201);
    assert.equal(head.execution?.status, 'SUCCEEDED');
  });
});
