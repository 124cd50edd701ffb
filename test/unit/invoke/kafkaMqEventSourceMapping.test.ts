import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shardIndexForKey } from '../../../src/core/services/shardLog';
import { harness, offset, T0, type Harness } from './harness';
import { kafka, lambda, mq } from './model';

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const FN_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/demo/00000000-0000-0000-0000-000000000000-1';
const fail = (): never => {
  throw new Error('down');
};

describe('invoke: Kafka and MQ mappings', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('KAFKA-1: MSK batches per partition with the aws:kafka shape, after the 500 ms batching window', async () => {
    h = await harness(
      {
        functions: [lambda('f', { triggers: [kafka('orders', { cluster: { name: 'demo' } })] })],
        kafkaTopics: [{ name: 'orders', partitions: 2 }],
      },
      { f: () => null },
    );
    const sent = await h.services.sendKafkaRecords('orders', [
      { key: 'k', value: '{"n":1}', partition: 1, headers: { h: 'hi' } },
      { value: 'plain', partition: 1 },
    ]);
    assert.deepEqual(sent, [
      { topic: 'orders', partition: 1, offset: 0 },
      { topic: 'orders', partition: 1, offset: 1 },
    ]);
    await h.engine.runUntilIdle();
    assert.deepEqual(h.invoker.calls[0].event, {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/demo/00000000-0000-0000-0000-000000000000-1',
      bootstrapServers: 'localhost:9092',
      records: {
        'orders-1': [
          {
            topic: 'orders',
            partition: 1,
            offset: 0,
            timestamp: T0,
            timestampType: 'CREATE_TIME',
            key: b64('k'),
            value: b64('{"n":1}'),
            headers: [{ h: [104, 105] }],
          },
          {
            topic: 'orders',
            partition: 1,
            offset: 1,
            timestamp: T0,
            timestampType: 'CREATE_TIME',
            value: b64('plain'),
            headers: [],
          },
        ],
      },
    });
    assert.equal(offset(h.engine.records()[0].start.simulated), 500);
    assert.deepEqual(
      h.engine.streamPositions().map((p) => [p.shardId, p.checkpoint]),
      [
        ['0', null],
        ['1', '1'],
      ],
    );
  });

  it('KAFKA-1 FILTER-3 FILTER-4: self-managed Kafka filters on the decoded value and commits filtered offsets', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [
              kafka('t', {
                flavor: 'self-managed',
                bootstrapServers: ['k1:9092', 'k2:9092'],
                maximumBatchingWindowInSeconds: 0,
                filters: [{ value: { keep: [true] } }],
              }),
            ],
          }),
        ],
      },
      { f: () => null },
    );
    await h.services.sendKafkaRecords('t', [{ value: '{"keep":false}' }, { value: '{"keep":true}' }, { value: 'x' }]);
    await h.engine.runUntilIdle();
    assert.equal(h.invoker.calls.length, 1);
    const event = h.invoker.calls[0].event as {
      eventSource: string;
      bootstrapServers: string;
      records: Record<string, Array<{ offset: number }>>;
    };
    assert.equal(event.eventSource, 'SelfManagedKafka');
    assert.equal(event.bootstrapServers, 'k1:9092,k2:9092');
    assert.deepEqual(
      event.records['t-0'].map((r) => r.offset),
      [1],
    );
    assert.equal('eventSourceArn' in event, false);
    assert.deepEqual(h.engine.records()[0].batches[0].filteredIds, ['0', '2']);
    assert.equal(h.engine.streamPositions()[0].checkpoint, '2');
  });

  it('KAFKA-1: a failing batch blocks its partition and is retried until MaximumRetryAttempts', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', { triggers: [kafka('t', { maximumBatchingWindowInSeconds: 0, maximumRetryAttempts: 2 })] }),
        ],
      },
      {
        f: () => {
          throw new Error('down');
        },
      },
    );
    await h.services.sendKafkaRecords('t', [{ value: 'a' }]);
    await h.engine.runUntilIdle();
    const [record] = h.engine.records();
    assert.deepEqual(
      record.attempts.map((a) => offset(a.start.simulated)),
      [0, 1000, 3000],
    );
    assert.equal(record.condition, 'RetryAttemptsExhausted');
    assert.equal(h.engine.streamPositions()[0].checkpoint, '0');
  });

  it('STREAM-4 KAFKA-1: a Kafka batch given up reaches an SQS destination as the exact KafkaBatchInfo record', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [
              kafka('orders', {
                cluster: { name: 'demo' },
                maximumBatchingWindowInSeconds: 0,
                maximumRetryAttempts: 1,
                onFailure: 'arn:aws:sqs:us-east-1:123456789012:failures',
              }),
            ],
          }),
        ],
        kafkaTopics: [{ name: 'orders', partitions: 2 }],
      },
      { f: fail },
    );
    await h.services.sendKafkaRecords('orders', [
      { key: 'a', value: 'one', partition: 1 },
      { key: 'b', value: 'two', partition: 1 },
    ]);
    await h.engine.runUntilIdle();
    const [record] = h.engine.records();
    assert.equal(record.condition, 'RetryAttemptsExhausted');
    const [message] = h.services.queueMessages('failures');
    const expected = {
      requestContext: {
        requestId: record.attempts[1].requestId,
        functionArn: FN_ARN,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 2,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2025-01-01T00:00:01.000Z',
      KafkaBatchInfo: {
        batchSize: 2,
        eventSourceArn: CLUSTER_ARN,
        bootstrapServers: 'localhost:9092',
        payloadSize: Buffer.byteLength(JSON.stringify(h.invoker.calls[1].event)),
        recordsInfo: {
          'orders-1': {
            firstRecordOffset: '0',
            lastRecordOffset: '1',
            firstRecordTimestamp: '2025-01-01T00:00:00.000Z',
            lastRecordTimestamp: '2025-01-01T00:00:00.000Z',
          },
        },
      },
    };
    // Compared as text: the key order is part of the record.
    assert.equal(message.body, JSON.stringify(expected));
    assert.deepEqual(
      record.deliveries.map((d) => [d.kind, d.target.type, d.condition]),
      [['destination', 'sqs', 'RetryAttemptsExhausted']],
    );
    assert.equal(h.engine.streamPositions().find((p) => p.shardId === '1')?.checkpoint, '1');
  });

  it('STREAM-4 KAFKA-1: an S3 destination also gets the batch event, as a JSON string in payload', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [
              kafka('t', {
                flavor: 'self-managed',
                bootstrapServers: ['k1:9092'],
                maximumBatchingWindowInSeconds: 0,
                maximumRetryAttempts: 0,
                onFailure: 'arn:aws:s3:::failed-kafka',
              }),
            ],
          }),
        ],
      },
      { f: fail },
    );
    await h.services.sendKafkaRecords('t', [{ value: 'x' }]);
    await h.engine.runUntilIdle();
    const [delivery] = h.engine.records()[0].deliveries;
    const file = path.join(h.dir, 's3', ...delivery.deliveredAs!.slice('s3://'.length).split('/'));
    const object = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(object), [
      'requestContext',
      'responseContext',
      'version',
      'timestamp',
      'KafkaBatchInfo',
      'payload',
    ]);
    // A self-managed cluster has no ARN: neither its event nor the batch info names one.
    assert.deepEqual(Object.keys(object.KafkaBatchInfo as object), [
      'batchSize',
      'bootstrapServers',
      'payloadSize',
      'recordsInfo',
    ]);
    assert.equal(object.payload, JSON.stringify(h.invoker.calls[0].event));
  });

  it('STREAM-4 KAFKA-1: a Kafka topic destination (kafka://) gets each failed record under its own key, with recordInfo and its event', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [
              kafka('orders', {
                cluster: { name: 'demo' },
                maximumBatchingWindowInSeconds: 0,
                maximumRetryAttempts: 0,
                onFailure: 'kafka://orders-dlt',
              }),
            ],
          }),
        ],
        kafkaTopics: [{ name: 'orders-dlt', partitions: 4 }],
      },
      { f: fail },
    );
    await h.services.sendKafkaRecords('orders', [{ key: 'order-7', value: 'seven' }, { value: 'no key' }]);
    await h.engine.runUntilIdle();
    const [record] = h.engine.records();
    const event = h.invoker.calls[0].event as { records: Record<string, Array<Record<string, unknown>>> };
    assert.deepEqual(
      record.deliveries.map((d) => [d.kind, d.target.type, d.target.arn]),
      [
        ['destination', 'kafka', 'kafka://orders-dlt'],
        ['destination', 'kafka', 'kafka://orders-dlt'],
      ],
    );
    // The dead-letter topic holds one message per failed record; the keyed one sits in its key's partition.
    const dlt = h.services.ensureKafkaTopic({ name: 'orders-dlt' });
    const messages = dlt.log.shardIds.flatMap((shard) => dlt.log.records(shard));
    assert.equal(messages.length, 2);
    const keyed = messages.find((m) => m.payload.key === b64('order-7'))!;
    assert.equal(keyed.shardId, String(shardIndexForKey('order-7', 4)));
    const body = JSON.parse(Buffer.from(keyed.payload.value, 'base64').toString('utf8')) as Record<string, unknown>;
    assert.equal(
      JSON.stringify(body),
      JSON.stringify({
        requestContext: {
          requestId: record.attempts[0].requestId,
          functionArn: FN_ARN,
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 1,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: '2025-01-01T00:00:00.000Z',
        KafkaBatchInfo: {
          batchSize: 1,
          eventSourceArn: CLUSTER_ARN,
          bootstrapServers: 'localhost:9092',
          payloadSize: Buffer.byteLength(JSON.stringify(body.payload)),
          recordInfo: { offset: '0', timestamp: '2025-01-01T00:00:00.000Z' },
        },
        payload: { ...(h.invoker.calls[0].event as object), records: { 'orders-0': [event.records['orders-0'][0]] } },
      }),
    );
    const unkeyed = messages.find((m) => m.payload.key === undefined)!;
    const second = JSON.parse(Buffer.from(unkeyed.payload.value, 'base64').toString('utf8')) as {
      KafkaBatchInfo: { recordInfo: { offset: string } };
    };
    assert.equal(second.KafkaBatchInfo.recordInfo.offset, '1');
  });

  it('KAFKA-1 STREAM-4: with an on-failure destination, infinite retries stop after 10', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [
              kafka('t', { maximumBatchingWindowInSeconds: 0, onFailure: 'arn:aws:sns:us-east-1:123456789012:alerts' }),
            ],
          }),
        ],
      },
      { f: fail },
    );
    await h.services.sendKafkaRecords('t', [{ value: 'a' }]);
    await h.engine.runUntilIdle();
    const [record] = h.engine.records();
    assert.equal(record.attempts.length, 11);
    assert.equal(record.condition, 'RetryAttemptsExhausted');
    assert.equal(record.configuration.values.maximumRetryAttempts, 10);
    assert.deepEqual(
      record.deliveries.map((d) => [d.target.type, d.error]),
      [['sns', undefined]],
    );
  });

  it('STREAM-4: a Kafka on-failure topic the mapping itself reads is refused', async () => {
    await assert.rejects(
      harness({ functions: [lambda('f', { triggers: [kafka('t', { onFailure: 'kafka://t' })] })] }, { f: () => null }),
      /the on-failure topic t is a topic the mapping reads/,
    );
  });

  it('MQ-1: ActiveMQ batches are aws:mq messages; a failed batch is redelivered with redelivered true', async () => {
    let calls = 0;
    h = await harness(
      {
        functions: [lambda('f', { triggers: [mq('activemq', 'jobs', { broker: 'b1' })] })],
      },
      {
        f: () => {
          if (calls++ === 0) throw new Error('first try fails');
          return null;
        },
      },
    );
    const [id] = await h.services.sendMqMessages('jobs', [{ data: 'ABC', properties: { p: '1' } }], 'b1');
    assert.equal(id, 'ID:b1-jobs-1:1:1:1:1');
    await h.engine.runUntilIdle();
    const message = {
      messageID: id,
      messageType: 'jms/text-message',
      deliveryMode: 1,
      replyTo: null,
      type: null,
      expiration: '0',
      priority: 4,
      correlationId: null,
      redelivered: false,
      destination: { physicalName: 'jobs' },
      data: b64('ABC'),
      timestamp: T0,
      brokerInTime: T0,
      brokerOutTime: T0,
      properties: { p: '1' },
    };
    const arn = 'arn:aws:mq:us-east-1:123456789012:broker:b1:b-00000000-0000-0000-0000-000000000000';
    assert.deepEqual(
      h.invoker.calls.map((c) => c.event),
      [
        { eventSource: 'aws:mq', eventSourceArn: arn, messages: [message] },
        { eventSource: 'aws:mq', eventSourceArn: arn, messages: [{ ...message, redelivered: true }] },
      ],
    );
    assert.equal(h.engine.records()[0].condition, 'Success');
  });

  it('MQ-1 FILTER-3: RabbitMQ batches are grouped by queue::vhost and filtered on decoded data', async () => {
    h = await harness(
      {
        functions: [lambda('f', { triggers: [mq('rabbitmq', 'pizza', { filters: [{ data: { size: ['L'] } }] })] })],
      },
      { f: () => null },
    );
    await h.services.sendMqMessages('pizza', [{ data: '{"size":"S"}' }, { data: '{"size":"L"}' }]);
    await h.engine.runUntilIdle();
    const event = h.invoker.calls[0].event as {
      eventSource: string;
      rmqMessagesByQueue: Record<
        string,
        Array<{ data: string; redelivered: boolean; basicProperties: { messageId: string; bodySize: number } }>
      >;
    };
    assert.equal(event.eventSource, 'aws:rmq');
    assert.deepEqual(Object.keys(event.rmqMessagesByQueue), ['pizza::/']);
    const [m] = event.rmqMessagesByQueue['pizza::/'];
    assert.deepEqual(
      [m.data, m.redelivered, m.basicProperties.messageId, m.basicProperties.bodySize],
      [b64('{"size":"L"}'), false, 'ID:local-broker-pizza-1:1:1:1:2', 12],
    );
  });
});
