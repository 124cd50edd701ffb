import * as assert from 'node:assert/strict';
import { harness, offset, T0, type Harness } from './harness';
import { kafka, lambda, mq } from './model';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

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
