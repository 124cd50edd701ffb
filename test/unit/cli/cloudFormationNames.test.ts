/**
 * `lambda-trigger invoke` on a template that leaves names to CloudFormation or sets its own: a FIFO queue without
 * `QueueName`, functions with a physical `FunctionName`.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli } from './cliHarness';

const TEMPLATE = [
  'Transform: AWS::Serverless-2016-10-31',
  'Resources:',
  '  Orders:',
  '    Type: AWS::SQS::Queue',
  '    Properties:',
  '      FifoQueue: true',
  '      ContentBasedDeduplication: true',
  '  Hello:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      FunctionName: !Sub ${AWS::StackName}-hello',
  '      Handler: app.handler',
  '      Runtime: nodejs20.x',
  '  Worker:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      Handler: app.handler',
  '      Runtime: nodejs20.x',
  '      Events:',
  '        FromOrders:',
  '          Type: SQS',
  '          Properties:',
  '            Queue: !GetAtt Orders.Arn',
];

const HANDLER = [
  'exports.handler = async (event, context) => ({',
  '  functionName: context.functionName,',
  '  env: process.env.AWS_LAMBDA_FUNCTION_NAME,',
  '  arn: context.invokedFunctionArn,',
  '  logGroup: context.logGroupName,',
  '});',
];

describe('cli: names CloudFormation gives or the template sets', function () {
  this.timeout(60_000);
  let root: string;
  let env: Record<string, string>;
  const run = (args: string[]) => cli(args, root, env);

  before(async () => {
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
  });
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-cli-names-'));
    fs.writeFileSync(path.join(root, 'template.yaml'), TEMPLATE.join('\n') + '\n');
    fs.writeFileSync(path.join(root, 'app.js'), HANDLER.join('\n') + '\n');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("SQS-5 the queue's ContentBasedDeduplication applies: a FIFO batch without deduplication ids goes through", async () => {
    const event = path.join(root, 'event.json');
    fs.writeFileSync(event, JSON.stringify({ Records: [{ body: 'order', attributes: { MessageGroupId: 'g' } }] }));
    const { code, out, err } = await run(['invoke', 'Worker', '--payload', event, '--mode', 'batch', '--json']);
    assert.equal(err, '');
    assert.equal(code, 0, out);
    const record = JSON.parse(out) as InvocationRecord;
    const [message] = (record.event as { Records: Array<{ attributes: Record<string, string> }> }).Records;
    // SHA-256 of the body, as SQS derives it.
    assert.equal(message.attributes.MessageDeduplicationId, createHash('sha256').update('order').digest('hex'));
  });

  it('SQS-5 a FIFO queue without QueueName gets a generated .fifo name, and a batch goes through it', async () => {
    const event = path.join(root, 'event.json');
    fs.writeFileSync(
      event,
      JSON.stringify({
        Records: [{ body: 'order', attributes: { MessageGroupId: 'customer-1', MessageDeduplicationId: 'order-1' } }],
      }),
    );
    const { code, out, err } = await run(['invoke', 'Worker', '--payload', event, '--mode', 'batch', '--json']);
    assert.equal(err, '');
    assert.equal(code, 0, out);
    const record = JSON.parse(out) as InvocationRecord;
    assert.equal(record.status, 'succeeded');
    assert.match(record.source!.arn!, /:local-stack-Orders-[0-9A-Z]{12}\.fifo$/);
    const [message] = (record.event as { Records: Array<{ attributes: Record<string, string> }> }).Records;
    assert.equal(message.attributes.MessageGroupId, 'customer-1');
  });

  it("NODE-6 NODE-7 a physical FunctionName is the function's name in Lambda: invoke by either name; context, environment and ARN use it", async () => {
    const event = path.join(root, 'event.json');
    fs.writeFileSync(event, '{}');
    for (const name of ['Hello', 'local-stack-hello']) {
      const { code, out, err } = await run(['invoke', name, '--payload', event, '--mode', 'sync', '--json']);
      assert.equal(err, '');
      assert.equal(code, 0, out);
      const record = JSON.parse(out) as InvocationRecord;
      assert.equal(record.functionName, 'Hello');
      assert.deepEqual(JSON.parse(record.response!.Payload!), {
        functionName: 'local-stack-hello',
        env: 'local-stack-hello',
        arn: 'arn:aws:lambda:us-east-1:123456789012:function:local-stack-hello',
        logGroup: '/aws/lambda/local-stack-hello',
      });
    }
  });
});
