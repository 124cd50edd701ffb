/**
 * What discovery reads from the resources a function's triggers and destinations name: on-failure destinations of
 * event source mappings, a table's stream view type, queue names CloudFormation generates, physical function names.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type {
  FunctionConfig,
  KafkaTrigger,
  SqsTrigger,
  StreamTrigger,
} from '../../../src/core/discovery/functionConfig';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';

let dir: string;

async function index(files: Record<string, string[]>): Promise<WorkspaceIndex> {
  for (const [name, lines] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), lines.join('\n') + '\n');
  const built = new WorkspaceIndex({ root: dir });
  await built.build();
  return built;
}

function fn(built: WorkspaceIndex, name: string): FunctionConfig {
  const found = built.functions().find((f) => f.name === name);
  assert.ok(found, `function ${name} not found`);
  return found;
}

describe('discovery: resources of triggers and destinations', () => {
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-template-resources-'));
    fs.writeFileSync(path.join(dir, 'app.js'), 'exports.handler = async () => null;\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('STREAM-4 KAFKA-1: Kafka mappings read DestinationConfig.OnFailure (a kafka:// topic, a queue) from CloudFormation and SAM', async () => {
    const built = await index({
      'template.yaml': [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  Failures:',
        '    Type: AWS::SQS::Queue',
        '  Cluster:',
        '    Type: AWS::MSK::Cluster',
        '    Properties:',
        '      ClusterName: demo',
        '  Plain:',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      Handler: app.handler',
        '      Runtime: nodejs20.x',
        '  PlainMapping:',
        '    Type: AWS::Lambda::EventSourceMapping',
        '    Properties:',
        '      FunctionName: !Ref Plain',
        '      Topics: [orders]',
        '      SelfManagedEventSource:',
        '        Endpoints:',
        '          KafkaBootstrapServers: [broker:9092]',
        '      DestinationConfig:',
        '        OnFailure:',
        '          Destination: kafka://orders-failed',
        '  Managed:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: app.handler',
        '      Runtime: nodejs20.x',
        '      Events:',
        '        Stream:',
        '          Type: MSK',
        '          Properties:',
        '            Stream: !GetAtt Cluster.Arn',
        '            Topics: [payments]',
        '            StartingPosition: TRIM_HORIZON',
        '            DestinationConfig:',
        '              OnFailure:',
        '                Type: SQS',
        '                Destination: !GetAtt Failures.Arn',
      ],
    });
    const plain = fn(built, 'Plain').triggers[0] as KafkaTrigger;
    assert.equal(plain.kind, 'kafka');
    assert.equal(plain.flavor, 'self-managed');
    assert.deepEqual(plain.onFailure, { type: 'kafka', arn: 'kafka://orders-failed', name: 'orders-failed' });
    const managed = fn(built, 'Managed').triggers[0] as KafkaTrigger;
    assert.equal(managed.flavor, 'msk');
    assert.deepEqual(managed.onFailure, {
      type: 'sqs',
      logicalId: 'Failures',
      name: 'Failures',
      arn: 'arn:aws:sqs:us-east-1:123456789012:Failures',
    });
  });

  it("STREAM-6: a DynamoDB trigger's stream carries its table's StreamViewType (CloudFormation, SAM and serverless.yml)", async () => {
    const built = await index({
      'template.yaml': [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  Users:',
        '    Type: AWS::DynamoDB::Table',
        '    Properties:',
        '      StreamSpecification:',
        '        StreamViewType: KEYS_ONLY',
        '  Orders:',
        '    Type: AWS::DynamoDB::Table',
        '    Properties:',
        '      TableName: orders-table',
        '      StreamSpecification:',
        '        StreamViewType: NEW_IMAGE',
        '  OnUsers:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: app.handler',
        '      Runtime: nodejs20.x',
        '      Events:',
        '        Changes:',
        '          Type: DynamoDB',
        '          Properties:',
        '            Stream: !GetAtt Users.StreamArn',
        '            StartingPosition: TRIM_HORIZON',
        '  OnOrders:',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      Handler: app.handler',
        '      Runtime: nodejs20.x',
        '  OrdersMapping:',
        '    Type: AWS::Lambda::EventSourceMapping',
        '    Properties:',
        '      FunctionName: !Ref OnOrders',
        '      EventSourceArn: !GetAtt Orders.StreamArn',
        '      StartingPosition: LATEST',
      ],
      'serverless.yml': [
        'service: svc',
        'provider:',
        '  name: aws',
        '  runtime: nodejs20.x',
        'functions:',
        '  onItems:',
        '    handler: app.handler',
        '    events:',
        '      - stream:',
        '          type: dynamodb',
        '          arn: !GetAtt Items.StreamArn',
        'resources:',
        '  Resources:',
        '    Items:',
        '      Type: AWS::DynamoDB::Table',
        '      Properties:',
        '        StreamSpecification:',
        '          StreamViewType: OLD_IMAGE',
      ],
    });
    const streamOf = (name: string) => (fn(built, name).triggers[0] as StreamTrigger).stream;
    assert.deepEqual(streamOf('OnUsers'), {
      logicalId: 'Users',
      name: 'Users',
      arn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Users',
      viewType: 'KEYS_ONLY',
    });
    assert.equal(streamOf('OnOrders').name, 'orders-table');
    assert.equal(streamOf('OnOrders').viewType, 'NEW_IMAGE');
    assert.equal(streamOf('onItems').viewType, 'OLD_IMAGE');
  });

  it("SQS-2: a queue's MessageRetentionPeriod reaches its trigger (SAM and serverless.yml); none is left out", async () => {
    const built = await index({
      'template.yaml': [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  Kept:',
        '    Type: AWS::SQS::Queue',
        '    Properties:',
        '      MessageRetentionPeriod: 86400',
        '  Plain:',
        '    Type: AWS::SQS::Queue',
        '  OnKept:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: app.handler',
        '      Runtime: nodejs20.x',
        '      Events:',
        '        Kept:',
        '          Type: SQS',
        '          Properties:',
        '            Queue: !GetAtt Kept.Arn',
        '        Plain:',
        '          Type: SQS',
        '          Properties:',
        '            Queue: !GetAtt Plain.Arn',
      ],
      'serverless.yml': [
        'service: svc',
        'provider:',
        '  name: aws',
        '  runtime: nodejs20.x',
        'functions:',
        '  onJobs:',
        '    handler: app.handler',
        '    events:',
        '      - sqs:',
        '          arn: !GetAtt Jobs.Arn',
        'resources:',
        '  Resources:',
        '    Jobs:',
        '      Type: AWS::SQS::Queue',
        '      Properties:',
        '        MessageRetentionPeriod: 1209600',
      ],
    });
    const queues = (name: string) => fn(built, name).triggers.map((t) => (t as SqsTrigger).queue);
    assert.deepEqual(
      queues('OnKept').map((q) => q.messageRetentionPeriod),
      [86400, undefined],
    );
    assert.equal(queues('onJobs')[0].messageRetentionPeriod, 1209600);
  });

  it('a FIFO queue or topic without a name is named as CloudFormation names it: <stack>-<logicalId>-<suffix>.fifo', async () => {
    const built = await index({
      'template.yaml': [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        '  Orders:',
        '    Type: AWS::SQS::Queue',
        '    Properties:',
        '      FifoQueue: true',
        '  Named:',
        '    Type: AWS::SQS::Queue',
        '    Properties:',
        '      FifoQueue: true',
        '      QueueName: named.fifo',
        '  Events:',
        '    Type: AWS::SNS::Topic',
        '    Properties:',
        '      FifoTopic: true',
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
        '        FromNamed:',
        '          Type: SQS',
        '          Properties:',
        '            Queue: !GetAtt Named.Arn',
        '      Environment:',
        '        Variables:',
        '          QUEUE_URL: !Ref Orders',
        '          TOPIC_ARN: !Ref Events',
      ],
    });
    const worker = fn(built, 'Worker');
    const [orders, named] = worker.triggers.map((t) => (t as SqsTrigger).queue);
    assert.match(orders.name!, /^local-stack-Orders-[0-9A-Z]{12}\.fifo$/);
    assert.equal(orders.fifo, true);
    assert.equal(orders.arn, `arn:aws:sqs:us-east-1:123456789012:${orders.name}`);
    assert.equal(worker.environment.QUEUE_URL, `https://sqs.us-east-1.amazonaws.com/123456789012/${orders.name}`);
    assert.match(
      worker.environment.TOPIC_ARN,
      /^arn:aws:sns:us-east-1:123456789012:local-stack-Events-[0-9A-Z]{12}\.fifo$/,
    );
    assert.equal(named.name, 'named.fifo');
    // The same name on every run: the store keeps the queue's messages under it.
    const again = await index({});
    assert.equal((fn(again, 'Worker').triggers[0] as SqsTrigger).queue.name, orders.name);
  });
});
