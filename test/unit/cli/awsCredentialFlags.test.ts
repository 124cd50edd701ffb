/**
 * `lambda-trigger invoke` runs handlers whose AWS SDK calls reach the run's local AWS endpoint, and takes
 * --aws-profile / --aws-credentials to pass the user's own credentials to them instead (checked as usage).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { tempWorkspace } from '../endpoints/aws/awsTestAccount';
import { cli } from './cliHarness';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::SQS::Queue
  Producer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: producer.handler
      Runtime: nodejs20.x
      CodeUri: .
      Timeout: 30
      Environment:
        Variables:
          QUEUE_URL: !Ref Orders
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: consumer.handler
      Runtime: nodejs20.x
      CodeUri: .
      Events:
        FromOrders:
          Type: SQS
          Properties:
            Queue: !GetAtt Orders.Arn
`;

const PRODUCER = `
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
exports.handler = async (event) => {
  const sent = await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(event) }));
  return { messageId: sent.MessageId };
};
`;

describe('cli: invoke with the local AWS endpoint and the credential flags', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    dir = tempWorkspace('ltr-cli-aws-', {
      'template.yaml': TEMPLATE,
      'producer.js': PRODUCER,
      'consumer.js': `exports.handler = async (event) => { console.log('consumed', event.Records.length); };\n`,
    });
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps(), HOME: dir };
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("SDK-1: a producer's SDK call sends to the local queue (its !Ref URL reaches the endpoint) and the run follows the consumer", async () => {
    const run = await cli(
      ['invoke', 'Producer', '--payload', '-', '--mode', 'sync', '--json', '--root', dir],
      dir,
      env,
      '{"order":1}',
    );
    assert.equal(run.code, 0, run.err + run.out);
    const record = JSON.parse(run.out) as { status: string; attempts: Array<{ result: { messageId: string } }> };
    assert.match(record.attempts[0].result.messageId, /^[0-9a-f-]{36}$/);
    const queues = await cli(['queues', '--json', '--root', dir], dir, env);
    assert.equal(queues.code, 0, queues.err);
    assert.match(queues.out, /"name": "Orders"/);
    assert.match(queues.out, /"total": 0/, 'the consumer received and deleted the message before the run ended');
    assert.ok(fs.existsSync(path.join(dir, '.lambda-trigger', 'store', 'aws-endpoint-key.json')));
  });

  it('SDK-5: --aws-profile and --aws-credentials are one choice; --aws-credentials needs the variables set', async () => {
    const both = await cli(
      ['invoke', 'Producer', '--aws-profile', 'dev', '--aws-credentials', '--root', dir],
      dir,
      env,
    );
    assert.equal(both.code, 2);
    assert.match(both.err, /give one/);
    const unset = await cli(['invoke', 'Producer', '--aws-credentials', '--root', dir], dir, env);
    assert.equal(unset.code, 2);
    assert.match(unset.err, /has not set them/);
    const badProfile = await cli(['invoke', 'Producer', '--aws-profile', 'a b', '--root', dir], dir, env);
    assert.equal(badProfile.code, 2);
    assert.match(badProfile.err, /not a profile name/);
  });
});
