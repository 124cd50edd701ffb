/**
 * The local SNS, EventBridge and Kinesis through the real AWS SDK for JavaScript v3 clients: a publish fans out to
 * the topic's subscribed queue (filter policies apply), PutEvents goes through the bus's rules to their targets,
 * PutRecord(s) append to the stream's shards; unknown resources and bad input get each service's own error.
 */
import * as assert from 'node:assert/strict';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { ListTopicsCommand, PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { openAwsTestAccount, type AwsTestAccount } from './awsTestAccount';
import { rejectsWith } from './sdkErrors';
import { signedFetch } from './signedFetch';

describe('AWS endpoint: SNS, EventBridge and Kinesis through the AWS SDK', function () {
  this.timeout(30_000);
  let t: AwsTestAccount;
  let sns: SNSClient;
  let events: EventBridgeClient;
  let kinesis: KinesisClient;
  let topicArn: string;

  before(async () => {
    t = await openAwsTestAccount('ltr-aws-fanout-', () => []);
    const { services } = t.account;
    services.declare({
      queues: [{ name: 'Audit' }, { name: 'Big' }, { name: 'Shipping' }],
      streams: [{ type: 'kinesis', name: 'Clicks', shardCount: 2 }],
    });
    services.declare({
      topics: [
        {
          name: 'Orders',
          subscriptions: [
            { protocol: 'sqs', endpoint: services.queue('Audit').arn, rawMessageDelivery: true },
            { protocol: 'sqs', endpoint: services.queue('Big').arn, filterPolicy: { size: ['big'] } },
          ],
        },
      ],
      buses: [
        {
          name: 'shop',
          rules: [
            {
              name: 'shipped',
              eventPattern: { 'detail-type': ['Shipped'] },
              targets: [services.queue('Shipping').arn],
            },
          ],
        },
      ],
    });
    topicArn = services.topic('Orders').arn;
    sns = new SNSClient(t.client);
    events = new EventBridgeClient(t.client);
    kinesis = new KinesisClient(t.client);
  });
  after(async () => {
    for (const c of [sns, events, kinesis]) c?.destroy();
    await t?.dispose();
  });
  afterEach(async () => {
    for (const name of t.account.services.resourceNames('sqs')) await t.account.services.purgeQueue(name);
  });

  const bodies = (queue: string): string[] => t.account.services.queueMessages(queue).map((m) => m.body);

  it('SDK-3: Publish fans out to the subscribed queues whose filter policy accepts the message', async () => {
    const published = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'order 1',
        MessageAttributes: { size: { DataType: 'String', StringValue: 'small' } },
      }),
    );
    assert.match(published.MessageId ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(bodies('Audit'), ['order 1']);
    assert.deepEqual(bodies('Big'), [], 'the filter policy turned it away');
  });

  it('SDK-3: PublishBatch answers per entry; a deployed topic ARN reaches the local topic', async () => {
    const deployedArn = 'arn:aws:sns:us-east-1:123456789012:shop-prod-Orders-1A2B3C';
    const result = await sns.send(
      new PublishBatchCommand({
        TopicArn: deployedArn,
        PublishBatchRequestEntries: [
          { Id: 'one', Message: 'first', MessageAttributes: { size: { DataType: 'String', StringValue: 'big' } } },
          { Id: 'two', Message: 'second' },
          { Id: 'three', Message: '' },
        ],
      }),
    );
    assert.deepEqual(
      result.Successful?.map((s) => s.Id),
      ['one', 'two'],
    );
    assert.deepEqual(
      result.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]),
      [['three', 'InvalidParameter', true]],
    );
    assert.deepEqual(bodies('Audit'), ['first', 'second']);
    assert.equal(
      (JSON.parse(bodies('Big')[0]) as { Message: string }).Message,
      'first',
      'an SQS subscriber without raw delivery gets the envelope',
    );
  });

  it('SDK-3: ListTopics lists the local topics', async () => {
    const listed = await sns.send(new ListTopicsCommand({}));
    assert.deepEqual(
      listed.Topics?.map((x) => x.TopicArn),
      [topicArn],
    );
  });

  it('SDK-3: SNS errors: NotFound for an unknown topic, InvalidParameter for a bad one, in the query XML shape', async () => {
    await rejectsWith(
      sns.send(new PublishCommand({ TopicArn: topicArn.replace('Orders', 'Nope'), Message: 'x' })),
      'NotFoundException',
      404,
    );
    await rejectsWith(
      sns.send(new PublishCommand({ TopicArn: 'not-an-arn', Message: 'x' })),
      'InvalidParameterException',
      400,
    );
    const raw = await signedFetch(
      t,
      'sns',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'Action=Subscribe&Version=2010-03-31',
    );
    assert.equal(raw.status, 400);
    assert.match(raw.text, /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);
  });

  it('SDK-3: PutEvents goes through the bus rules to their targets, and answers an event id per entry', async () => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'shop', Source: 'shop.orders', DetailType: 'Shipped', Detail: '{"id":1}' },
          { EventBusName: 'shop', Source: 'shop.orders', DetailType: 'Packed', Detail: '{"id":2}' },
          { EventBusName: 'shop', Source: 'shop.orders', DetailType: 'Shipped', Detail: 'not json' },
        ],
      }),
    );
    assert.equal(result.FailedEntryCount, 1);
    assert.match(result.Entries?.[0]?.EventId ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(result.Entries?.[2]?.ErrorCode, 'MalformedDetail');
    const delivered = bodies('Shipping').map((b) => JSON.parse(b) as { 'detail-type': string; detail: unknown });
    assert.deepEqual(
      delivered.map((e) => [e['detail-type'], e.detail]),
      [['Shipped', { id: 1 }]],
    );
    await rejectsWith(
      events.send(
        new PutEventsCommand({ Entries: [{ EventBusName: 'nope', Source: 's', DetailType: 'd', Detail: '{}' }] }),
      ),
      'ResourceNotFoundException',
      400,
    );
  });

  it('SDK-3: PutRecord and PutRecords append to the shard the partition key hashes to', async () => {
    const one = await kinesis.send(
      new PutRecordCommand({ StreamName: 'Clicks', PartitionKey: 'user-1', Data: Buffer.from('click 1') }),
    );
    assert.match(one.SequenceNumber ?? '', /^\d{56}$/);
    const many = await kinesis.send(
      new PutRecordsCommand({
        StreamARN: t.account.services.stream('kinesis', 'Clicks').arn,
        Records: [
          { PartitionKey: 'user-1', Data: Buffer.from('click 2') },
          { PartitionKey: 'user-2', Data: Buffer.from('click 3') },
        ],
      }),
    );
    assert.equal(many.FailedRecordCount, 0);
    assert.equal(many.Records?.[0]?.ShardId, one.ShardId, 'the same partition key, the same shard');
    const log = t.account.services.stream('kinesis', 'Clicks').log;
    const stored = log.records(one.ShardId!).map((r) => Buffer.from(r.payload.data, 'base64').toString());
    assert.deepEqual(stored.slice(0, 2), ['click 1', 'click 2']);
    await rejectsWith(
      kinesis.send(new PutRecordCommand({ StreamName: 'Nope', PartitionKey: 'k', Data: Buffer.from('x') })),
      'ResourceNotFoundException',
      400,
    );
    await rejectsWith(
      kinesis.send(new PutRecordCommand({ StreamName: 'Clicks', PartitionKey: '', Data: Buffer.from('x') })),
      'ValidationException',
      400,
    );
  });
});
