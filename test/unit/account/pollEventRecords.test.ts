import * as assert from 'node:assert/strict';
import {
  dynamoDbChangesOf,
  kafkaRecordsOf,
  kinesisRecordsOf,
  mqMessagesOf,
  pollSourceOf,
} from '../../../src/core/account/pollEventRecords';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('account: poll-based events back into source records', () => {
  it('names the source of an event by its eventSource', () => {
    assert.deepEqual(
      [
        pollSourceOf({ Records: [{ eventSource: 'aws:sqs' }] }),
        pollSourceOf({ Records: [{ eventSource: 'aws:kinesis' }] }),
        pollSourceOf({ Records: [{ eventSource: 'aws:dynamodb' }] }),
        pollSourceOf({ eventSource: 'SelfManagedKafka', records: {} }),
        pollSourceOf({ eventSource: 'aws:rmq' }),
        pollSourceOf({ Records: [{ eventSource: 'aws:s3' }] }),
        pollSourceOf('text'),
      ],
      ['sqs', 'kinesis', 'dynamodb', 'kafka', 'mq', undefined, undefined],
    );
  });

  it('STREAM-6 Kinesis: the data bytes and the partition key', () => {
    const [r] = kinesisRecordsOf({ Records: [{ kinesis: { data: b64('amount=12'), partitionKey: 'card-1' } }] });
    assert.deepEqual([Buffer.from(r.data).toString('utf8'), r.partitionKey], ['amount=12', 'card-1']);
  });

  it('STREAM-6 Kinesis: data that is not base64 is named with its place', () => {
    assert.throws(
      () =>
        kinesisRecordsOf({
          Records: [
            { kinesis: { data: b64('a'), partitionKey: 'k' } },
            { kinesis: { data: 'not base64!', partitionKey: 'k' } },
          ],
        }),
      { name: 'AccountRequestError', message: 'Records[1].kinesis.data must be base64 text, got "not base64!".' },
    );
    assert.throws(() => kinesisRecordsOf({ Records: [] }), {
      message: 'A Kinesis event needs a non-empty "Records" array.',
    });
  });

  it('STREAM-6 DynamoDB: eventName, keys and images; a bad eventName is refused', () => {
    assert.deepEqual(
      dynamoDbChangesOf({
        Records: [
          {
            eventName: 'MODIFY',
            dynamodb: { Keys: { id: { S: '1' } }, NewImage: { n: { N: '2' } }, OldImage: { n: { N: '1' } } },
          },
        ],
      }),
      [{ eventName: 'MODIFY', keys: { id: { S: '1' } }, newImage: { n: { N: '2' } }, oldImage: { n: { N: '1' } } }],
    );
    assert.throws(() => dynamoDbChangesOf({ Records: [{ eventName: 'PUT', dynamodb: { Keys: {} } }] }), {
      message: 'Records[0].eventName must be INSERT, MODIFY or REMOVE, got "PUT".',
    });
  });

  it('KAFKA-1 Kafka: topic, key as text, value bytes and headers from byte arrays', () => {
    const [{ topic, record }] = kafkaRecordsOf({
      eventSource: 'aws:kafka',
      records: {
        'orders-0': [{ topic: 'orders', key: b64('k1'), value: b64('{"a":1}'), headers: [{ h: [104, 105] }] }],
      },
    });
    assert.deepEqual(
      [topic, record.key, Buffer.from(record.value).toString('utf8'), record.headers],
      ['orders', 'k1', '{"a":1}', { h: 'hi' }],
    );
    assert.throws(() => kafkaRecordsOf({ records: { 'orders-0': [{ value: b64('x'), headers: [{ h: [300] }] }] } }), {
      message: 'records["orders-0"][0].headers[0].h must be a list of bytes (0..255).',
    });
  });

  it('MQ-1 MQ: ActiveMQ messages with their properties, RabbitMQ messages of every queue', () => {
    const active = mqMessagesOf({ eventSource: 'aws:mq', messages: [{ data: b64('one'), properties: { n: 1 } }] });
    assert.deepEqual(
      active.map((m) => [Buffer.from(m.data).toString('utf8'), m.properties]),
      [['one', { n: '1' }]],
    );
    const rabbit = mqMessagesOf({
      eventSource: 'aws:rmq',
      rmqMessagesByQueue: { 'q::/': [{ data: b64('a') }, { data: b64('b') }] },
    });
    assert.deepEqual(
      rabbit.map((m) => Buffer.from(m.data).toString('utf8')),
      ['a', 'b'],
    );
    assert.throws(() => mqMessagesOf({ eventSource: 'aws:mq', messages: [] }), {
      message: 'The MQ event holds no messages.',
    });
  });
});
