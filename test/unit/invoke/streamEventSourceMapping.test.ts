import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VirtualClock } from '../../../src/core/invoke/virtualClock';
import { toDynamoDbJson } from '../../../src/core/services/dynamoDbStream';
import { DurableStore } from '../../../src/core/store/durableStore';
import { FakeInvoker, type FakeHandler } from './fakeInvoker';
import { harness, offset, openEngine, T0, type Harness, type TestAccount } from './harness';
import { lambda, stream, type StreamShorthand } from './model';

type KinesisEvent = { Records: Array<{ kinesis: { data: string; sequenceNumber: string; partitionKey: string } }> };
const texts = (e: unknown): string[] =>
  (e as KinesisEvent).Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString('utf8'));
const seqs = (e: unknown): string[] => (e as KinesisEvent).Records.map((r) => r.kinesis.sequenceNumber);
/** The sequence numbers of a Kinesis or DynamoDB Streams event, in batch order. */
const sequenceNumbersOf = (e: unknown): string[] =>
  (
    e as { Records: Array<{ kinesis?: { sequenceNumber: string }; dynamodb?: { SequenceNumber: string } }> }
  ).Records.map((r) => r.kinesis?.sequenceNumber ?? r.dynamodb!.SequenceNumber);
const Q = (name: string): string => `arn:aws:sqs:us-east-1:123456789012:${name}`;
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/s';
const FN_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:f';

function kinesis(mapping: StreamShorthand, handler: FakeHandler, extra: Partial<TestAccount> = {}) {
  return harness(
    {
      functions: [lambda('f', { triggers: [stream('kinesis', 's', mapping)] })],
      streams: [{ type: 'kinesis', name: 's' }],
      queues: [{ name: 'failures' }],
      ...extra,
    },
    { f: handler },
  );
}

const put = (h: Harness, ...data: string[]) =>
  h.services.putKinesisRecords(
    's',
    data.map((d) => ({ data: d, partitionKey: 'pk' })),
  );

describe('invoke: Kinesis and DynamoDB stream mappings', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('STREAM-6: the Kinesis record shape, with 56-digit sequence numbers growing per shard', async () => {
    h = await kinesis({}, () => null);
    const [a, b] = await put(h, 'hello', 'world');
    assert.equal(a.shardId, 'shardId-000000000000');
    assert.equal(a.sequenceNumber, '49590000000000000000000000000000000000000000000000000001');
    assert.equal(b.sequenceNumber, '49590000000000000000000000000000000000000000000000000002');
    await h.engine.runUntilIdle();
    assert.equal(h.invoker.calls.length, 1);
    assert.deepEqual((h.invoker.calls[0].event as { Records: unknown[] }).Records[0], {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'pk',
        sequenceNumber: a.sequenceNumber,
        data: Buffer.from('hello').toString('base64'),
        approximateArrivalTimestamp: T0 / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${a.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/f-role',
      awsRegion: 'us-east-1',
      eventSourceARN: STREAM_ARN,
    });
    const [record] = h.engine.records();
    assert.equal(record.source?.type, 'kinesis');
    assert.deepEqual(record.batches, [
      { index: 0, recordIds: [a.sequenceNumber, b.sequenceNumber], outcome: 'success', checkpoint: b.sequenceNumber },
    ]);
    assert.deepEqual(
      h.engine.streamPositions().map((p) => [p.shardId, p.checkpoint, p.behind]),
      [['shardId-000000000000', b.sequenceNumber, 0]],
    );
  });

  it('STREAM-1: partition keys map to shards by MD5 hash ranges; each shard is read in order', async () => {
    h = await kinesis({ batchSize: 2 }, () => null, { streams: [{ type: 'kinesis', name: 's', shardCount: 4 }] });
    const results = await h.services.putKinesisRecords(
      's',
      ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => ({ data: k, partitionKey: k })),
    );
    // MD5("a") = 0c..., MD5("b") = 92..., MD5("c") = 4a..., MD5("d") = 82..., MD5("e") = e1..., MD5("f") = 8f...
    assert.deepEqual(
      results.map((r) => r.shardId.slice(-1)),
      ['0', '2', '1', '2', '3', '2'],
    );
    await h.engine.runUntilIdle();
    const shard2 = h.invoker.calls.map((c) => texts(c.event)).filter((t) => t.includes('b') || t.includes('f'));
    assert.deepEqual(shard2, [['b', 'd'], ['f']]);
  });

  it('STREAM-1 STREAM-4: a failing batch blocks the shard; MaximumRetryAttempts 1 gives approximateInvokeCount 2 and the exact KinesisBatchInfo record', async () => {
    h = await kinesis({ batchSize: 2, maximumRetryAttempts: 1, onFailure: Q('failures') }, (e) => {
      if (texts(e).includes('bad')) throw new Error('boom');
      return null;
    });
    const [first, last] = await put(h, 'x', 'bad');
    await h.engine.runUntilIdle();
    const after = await put(h, 'next');
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => texts(c.event)),
      [['x', 'bad'], ['x', 'bad'], ['next']],
    );
    const [failed, next] = h.engine.records();
    assert.deepEqual(
      failed.attempts.map((a) => offset(a.start.simulated)),
      [0, 1000],
    );
    assert.equal(failed.status, 'failed');
    assert.equal(failed.condition, 'RetryAttemptsExhausted');
    assert.equal(failed.batches[0].checkpoint, last.sequenceNumber);
    const [message] = h.services.queueMessages('failures');
    assert.deepEqual(JSON.parse(message.body), {
      requestContext: {
        requestId: failed.attempts[1].requestId,
        functionArn: FN_ARN,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 2,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2025-01-01T00:00:01.000Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: first.sequenceNumber,
        endSequenceNumber: last.sequenceNumber,
        approximateArrivalOfFirstRecord: '2025-01-01T00:00:00.000Z',
        approximateArrivalOfLastRecord: '2025-01-01T00:00:00.000Z',
        batchSize: 2,
        streamArn: STREAM_ARN,
      },
    });
    assert.deepEqual(
      failed.deliveries.map((d) => [d.kind, d.condition, d.target.arn]),
      [['destination', 'RetryAttemptsExhausted', Q('failures')]],
    );
    assert.equal(next.batches[0].checkpoint, after[0].sequenceNumber);
  });

  it('STREAM-4: DynamoDB stream records and the exact DDBStreamBatchInfo record, arrivals in whole seconds', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [stream('dynamodb', 'Orders', { maximumRetryAttempts: 1, onFailure: Q('failures') })],
          }),
        ],
        streams: [{ type: 'dynamodb', name: 'Orders', streamViewType: 'NEW_AND_OLD_IMAGES' }],
      },
      {
        f: () => {
          throw new Error('boom');
        },
      },
    );
    const [change] = await h.services.putDynamoDbChanges('Orders', [
      {
        eventName: 'MODIFY',
        keys: toDynamoDbJson({ Id: 101 }),
        newImage: toDynamoDbJson({ Id: 101, Message: 'new' }),
        oldImage: toDynamoDbJson({ Id: 101, Message: 'old' }),
      },
    ]);
    await h.engine.runUntilIdle();
    const streamArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000';
    assert.equal(change.sequenceNumber, '1000000000000000000000001');
    assert.deepEqual((h.invoker.calls[0].event as { Records: unknown[] }).Records, [
      {
        eventID: change.eventID,
        eventName: 'MODIFY',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: T0 / 1000,
          Keys: { Id: { N: '101' } },
          NewImage: { Id: { N: '101' }, Message: { S: 'new' } },
          OldImage: { Id: { N: '101' }, Message: { S: 'old' } },
          SequenceNumber: change.sequenceNumber,
          SizeBytes: 102,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: streamArn,
      },
    ]);
    const [record] = h.engine.records();
    assert.deepEqual(JSON.parse(h.services.queueMessages('failures')[0].body), {
      requestContext: {
        requestId: record.attempts[1].requestId,
        functionArn: FN_ARN,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 2,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2025-01-01T00:00:01.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000000000000000001-00000000',
        startSequenceNumber: change.sequenceNumber,
        endSequenceNumber: change.sequenceNumber,
        approximateArrivalOfFirstRecord: '2025-01-01T00:00:00Z',
        approximateArrivalOfLastRecord: '2025-01-01T00:00:00Z',
        batchSize: 1,
        streamArn,
      },
    });
  });

  for (const kind of ['kinesis', 'dynamodb'] as const) {
    const infoKey = kind === 'kinesis' ? 'KinesisBatchInfo' : 'DDBStreamBatchInfo';
    for (const [how, handler, functionError] of [
      [
        'reported item failures',
        (e: unknown) => ({ batchItemFailures: [{ itemIdentifier: sequenceNumbersOf(e)[0] }] }),
        null,
      ],
      ['an invalid report', () => ({ batchItemFailures: [{ itemIdentifier: '' }] }), null],
      [
        'a thrown error',
        () => {
          throw new Error('boom');
        },
        'Unhandled',
      ],
    ] as const) {
      it(`STREAM-3 STREAM-4: ${kind} given up after ${how}: responseContext.functionError is ${JSON.stringify(functionError)}, keys in Lambda's order`, async () => {
        h = await harness(
          {
            functions: [
              lambda('f', {
                triggers: [
                  stream(kind, 's', {
                    maximumRetryAttempts: 1,
                    functionResponseTypes: ['ReportBatchItemFailures'],
                    onFailure: Q('failures'),
                  }),
                ],
              }),
            ],
            streams: [{ type: kind, name: 's' }],
          },
          { f: handler },
        );
        if (kind === 'kinesis') await put(h, 'a');
        else await h.services.putDynamoDbChanges('s', [{ eventName: 'INSERT', keys: toDynamoDbJson({ id: 1 }) }]);
        await h.engine.runUntilIdle();
        const [record] = h.engine.records();
        assert.equal(record.condition, 'RetryAttemptsExhausted');
        const body = h.services.queueMessages('failures')[0].body;
        const parsed = JSON.parse(body) as Record<string, unknown>;
        assert.deepEqual(Object.keys(parsed), ['requestContext', 'responseContext', 'version', 'timestamp', infoKey]);
        // The exact text: key order and a null that is written, not left out.
        assert.equal(
          JSON.stringify(parsed.responseContext),
          `{"statusCode":200,"executedVersion":"$LATEST","functionError":${JSON.stringify(functionError)}}`,
        );
        assert.ok(body.includes(`"responseContext":${JSON.stringify(parsed.responseContext)}`));
        assert.deepEqual(Object.keys(parsed.requestContext as object), [
          'requestId',
          'functionArn',
          'condition',
          'approximateInvokeCount',
        ]);
      });
    }
  }

  it('STREAM-4: an S3 destination gets the record with the batch event as payload, the record keys sorted as Lambda writes the object', async () => {
    h = await kinesis({ maximumRetryAttempts: 0, onFailure: 'arn:aws:s3:::failed-batches' }, () => {
      throw new Error('boom');
    });
    const [sent] = await put(h, 'bad');
    await h.engine.runUntilIdle();
    const [record] = h.engine.records();
    const [delivery] = record.deliveries;
    assert.match(
      delivery.deliveredAs!,
      /^s3:\/\/failed-batches\/aws\/lambda\/f:s\/shardId-000000000000\/2025\/01\/01\/2025-01-01T00\.00\.00-[0-9a-f-]{36}$/,
    );
    const file = path.join(h.dir, 's3', ...delivery.deliveredAs!.slice('s3://'.length).split('/'));
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(text, delivery.body);
    const expected = {
      KinesisBatchInfo: {
        approximateArrivalOfFirstRecord: '2025-01-01T00:00:00.000Z',
        approximateArrivalOfLastRecord: '2025-01-01T00:00:00.000Z',
        batchSize: 1,
        endSequenceNumber: sent.sequenceNumber,
        shardId: 'shardId-000000000000',
        startSequenceNumber: sent.sequenceNumber,
        streamArn: STREAM_ARN,
      },
      // The event the function got, its keys in their own order.
      payload: h.invoker.calls[0].event,
      requestContext: {
        approximateInvokeCount: 1,
        condition: 'RetryAttemptsExhausted',
        functionArn: FN_ARN,
        requestId: record.attempts[0].requestId,
      },
      responseContext: { executedVersion: '$LATEST', functionError: 'Unhandled', statusCode: 200 },
      timestamp: '2025-01-01T00:00:00.000Z',
      version: '1.0',
    };
    // Compared as text: the key order is part of the record.
    assert.equal(text, JSON.stringify(expected));
  });

  it("STREAM-6: a DynamoDB stream is declared with its table's view type: KEYS_ONLY records carry the keys alone, OLD_IMAGE the old image", async () => {
    h = await harness(
      {
        functions: [
          lambda('keys', { triggers: [stream('dynamodb', 'Users', { viewType: 'KEYS_ONLY' })] }),
          lambda('old', { triggers: [stream('dynamodb', 'Orders', { viewType: 'OLD_IMAGE' })] }),
        ],
      },
      { keys: () => null, old: () => null },
    );
    const change = {
      eventName: 'MODIFY' as const,
      keys: toDynamoDbJson({ id: 1 }),
      newImage: toDynamoDbJson({ id: 1, v: 'new' }),
      oldImage: toDynamoDbJson({ id: 1, v: 'old' }),
    };
    await h.services.putDynamoDbChanges('Users', [change]);
    await h.services.putDynamoDbChanges('Orders', [change]);
    await h.engine.runUntilIdle();
    const dynamodbOf = (fn: string) =>
      (
        h.invoker.calls.find((c) => c.functionName === fn)!.event as {
          Records: Array<{ dynamodb: Record<string, unknown> }>;
        }
      ).Records[0].dynamodb;
    const { SequenceNumber: _s1, SizeBytes: _b1, ...keysOnly } = dynamodbOf('keys');
    assert.deepEqual(keysOnly, {
      ApproximateCreationDateTime: T0 / 1000,
      Keys: { id: { N: '1' } },
      StreamViewType: 'KEYS_ONLY',
    });
    const { SequenceNumber: _s2, SizeBytes: _b2, ...oldOnly } = dynamodbOf('old');
    assert.deepEqual(oldOnly, {
      ApproximateCreationDateTime: T0 / 1000,
      Keys: { id: { N: '1' } },
      OldImage: { id: { N: '1' }, v: { S: 'old' } },
      StreamViewType: 'OLD_IMAGE',
    });
  });

  it('STREAM-2: BisectBatchOnFunctionError splits a failing batch, left half first, without using retries', async () => {
    h = await kinesis(
      {
        batchSize: 4,
        maximumRetryAttempts: 0,
        bisectBatchOnFunctionError: true,
        onFailure: Q('failures'),
      },
      (e) => {
        if (texts(e).includes('bad')) throw new Error('boom');
        return null;
      },
    );
    const sent = await put(h, 'a', 'b', 'bad', 'd');
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => texts(c.event)),
      [['a', 'b', 'bad', 'd'], ['a', 'b'], ['bad', 'd'], ['bad'], ['d']],
    );
    const [record] = h.engine.records();
    const s = sent.map((r) => r.sequenceNumber);
    assert.deepEqual(
      record.batches.map((b) => [b.index, b.recordIds, b.bisectedFrom, b.outcome, b.checkpoint]),
      [
        [0, s, undefined, 'failure', undefined],
        [1, [s[0], s[1]], 0, 'success', s[1]],
        [2, [s[2], s[3]], 0, 'failure', undefined],
        [3, [s[2]], 2, 'failure', s[2]],
        [4, [s[3]], 2, 'success', s[3]],
      ],
    );
    assert.deepEqual(
      record.attempts.map((a) => a.batchIndex),
      [0, 1, 2, 3, 4],
    );
    const body = JSON.parse(h.services.queueMessages('failures')[0].body) as {
      requestContext: { approximateInvokeCount: number };
      KinesisBatchInfo: { startSequenceNumber: string; batchSize: number };
    };
    assert.equal(body.requestContext.approximateInvokeCount, 1);
    assert.equal(body.KinesisBatchInfo.startSequenceNumber, s[2]);
    assert.equal(body.KinesisBatchInfo.batchSize, 1);
  });

  it('STREAM-3: the checkpoint moves before the lowest failed sequence number and the retry starts there', async () => {
    let first = true;
    h = await kinesis({ batchSize: 4, functionResponseTypes: ['ReportBatchItemFailures'] }, (e) => {
      const s = seqs(e);
      const report = first ? { batchItemFailures: [{ itemIdentifier: s[3] }, { itemIdentifier: s[1] }] } : null;
      first = false;
      return report;
    });
    const sent = (await put(h, 'a', 'b', 'c', 'd')).map((r) => r.sequenceNumber);
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => texts(c.event)),
      [
        ['a', 'b', 'c', 'd'],
        ['b', 'c', 'd'],
      ],
    );
    const [record] = h.engine.records();
    assert.deepEqual(
      record.batches.map((b) => [b.recordIds, b.reportedFailures, b.outcome, b.checkpoint, b.retryOf]),
      [
        [sent, [sent[3], sent[1]], 'partialFailure', sent[0], undefined],
        [sent.slice(1), [], 'success', sent[3], 0],
      ],
    );
    assert.equal(offset(record.attempts[1].start.simulated), 1000);
  });

  for (const [label, response] of [
    ['""', ''],
    ['[]', []],
    ['null', null],
    ['{}', {}],
    ['{"batchItemFailures": []}', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
  ] as const) {
    it(`STREAM-3: ${label} counts as full success`, async () => {
      h = await kinesis({ functionResponseTypes: ['ReportBatchItemFailures'] }, () => response);
      await put(h, 'a', 'b');
      await h.engine.runUntilIdle();
      assert.equal(h.invoker.calls.length, 1);
      assert.equal(h.engine.records()[0].condition, 'Success');
    });
  }

  for (const [label, item, reason] of [
    ['an empty identifier', { itemIdentifier: '' }, /itemIdentifier is empty/],
    ['a null identifier', { itemIdentifier: null }, /itemIdentifier is null/],
    ['a missing identifier', {}, /has no itemIdentifier/],
    ['an identifier not in the batch', { itemIdentifier: '1' }, /is not in the batch/],
  ] as const) {
    it(`STREAM-3: ${label} fails the whole batch`, async () => {
      let calls = 0;
      h = await kinesis({ functionResponseTypes: ['ReportBatchItemFailures'] }, () =>
        calls++ === 0 ? { batchItemFailures: [item] } : null,
      );
      await put(h, 'a', 'b');
      await h.engine.runUntilIdle();
      assert.deepEqual(
        h.invoker.calls.map((c) => texts(c.event)),
        [
          ['a', 'b'],
          ['a', 'b'],
        ],
      );
      const [record] = h.engine.records();
      assert.match(record.batches[0].reportInvalidReason ?? '', reason);
    });
  }

  it('STREAM-1 STREAM-4: records past MaximumRecordAgeInSeconds are skipped with RecordAgeExceeded and no responseContext', async () => {
    h = await kinesis({ maximumRecordAgeInSeconds: 60, onFailure: Q('failures') }, () => {
      throw new Error('boom');
    });
    const [sent] = await put(h, 'old');
    await h.engine.runUntilIdle();
    // Retries at 1, 3, 7, 15, 31 s; at 63 s the record is 63 s old.
    assert.deepEqual(
      h.engine.records()[0].attempts.map((a) => offset(a.start.simulated)),
      [0, 1000, 3000, 7000, 15_000, 31_000],
    );
    const [record] = h.engine.records();
    assert.equal(record.condition, 'RecordAgeExceeded');
    assert.deepEqual(JSON.parse(h.services.queueMessages('failures')[0].body), {
      requestContext: {
        requestId: record.attempts[5].requestId,
        functionArn: FN_ARN,
        condition: 'RecordAgeExceeded',
        approximateInvokeCount: 6,
      },
      version: '1.0',
      timestamp: '2025-01-01T00:01:03.000Z',
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: sent.sequenceNumber,
        endSequenceNumber: sent.sequenceNumber,
        approximateArrivalOfFirstRecord: '2025-01-01T00:00:00.000Z',
        approximateArrivalOfLastRecord: '2025-01-01T00:00:00.000Z',
        batchSize: 1,
        streamArn: STREAM_ARN,
      },
    });
  });

  it('STREAM-5: tumbling windows carry the returned state and end with a final invocation', async () => {
    h = await kinesis({ tumblingWindowInSeconds: 60 }, (e) => {
      const event = e as { state: { total?: number }; Records: unknown[] };
      return { state: { total: (event.state.total ?? 0) + event.Records.length } };
    });
    await put(h, 'a', 'b');
    await h.engine.runUntilIdle();
    // runUntilIdle ran the clock to the window's end; the next records open a new window.
    await put(h, 'c');
    await h.engine.runUntilIdle();
    const events = h.invoker.calls.map((c) => {
      const { Records, ...rest } = c.event as { Records: unknown[] };
      return { records: Records.length, ...rest };
    });
    const window1 = { start: '2025-01-01T00:00:00Z', end: '2025-01-01T00:01:00Z' };
    const window2 = { start: '2025-01-01T00:01:00Z', end: '2025-01-01T00:02:00Z' };
    const common = { shardId: 'shardId-000000000000', eventSourceARN: STREAM_ARN, isWindowTerminatedEarly: false };
    assert.deepEqual(events, [
      { records: 2, window: window1, state: {}, ...common, isFinalInvokeForWindow: false },
      { records: 0, window: window1, state: { total: 2 }, ...common, isFinalInvokeForWindow: true },
      { records: 1, window: window2, state: {}, ...common, isFinalInvokeForWindow: false },
      { records: 0, window: window2, state: { total: 1 }, ...common, isFinalInvokeForWindow: true },
    ]);
  });

  it('FILTER-3 FILTER-4: filters see Kinesis data decoded; the shard advances past filtered records', async () => {
    h = await kinesis({ filters: [{ data: { kind: ['order'] } }] }, () => null);
    const sent = await put(h, '{"kind":"order","n":1}', '{"kind":"ping"}', 'not json', '{"kind":"order","n":2}');
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => texts(c.event)),
      [['{"kind":"order","n":1}', '{"kind":"order","n":2}']],
    );
    const [record] = h.engine.records();
    assert.deepEqual(record.batches[0].filteredIds, [sent[1].sequenceNumber, sent[2].sequenceNumber]);
    assert.equal(h.engine.streamPositions()[0].checkpoint, sent[3].sequenceNumber);
    // Only filtered-out records: no invocation, the checkpoint still moves.
    const [ping] = await put(h, '{"kind":"ping"}');
    await h.engine.runUntilIdle();
    assert.equal(h.invoker.calls.length, 1);
    assert.equal(h.engine.streamPositions()[0].checkpoint, ping.sequenceNumber);
  });

  it('FILTER-3: DynamoDB filters match the dynamodb field', async () => {
    h = await harness(
      {
        functions: [
          lambda('f', {
            triggers: [
              stream('dynamodb', 'T', {
                filters: [{ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['a'] } } } }],
              }),
            ],
          }),
        ],
      },
      { f: () => null },
    );
    await h.services.putDynamoDbChanges('T', [
      { eventName: 'INSERT', keys: toDynamoDbJson({ id: 1 }), newImage: toDynamoDbJson({ id: 1, kind: 'a' }) },
      { eventName: 'INSERT', keys: toDynamoDbJson({ id: 2 }), newImage: toDynamoDbJson({ id: 2, kind: 'b' }) },
    ]);
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) =>
        (c.event as { Records: Array<{ dynamodb: { Keys: unknown } }> }).Records.map((r) => r.dynamodb.Keys),
      ),
      [[{ id: { N: '1' } }]],
    );
  });

  it('STREAM-1: with ParallelizationFactor 2 a failing key blocks only its own lane', async () => {
    h = await kinesis({ parallelizationFactor: 2, maximumRetryAttempts: 2 }, (e) => {
      if (texts(e).some((t) => t.startsWith('a'))) throw new Error('a fails');
      return null;
    });
    // MD5("a") is odd, MD5("e") even: lanes 1 and 0.
    await h.services.putKinesisRecords('s', [
      { data: 'a1', partitionKey: 'a' },
      { data: 'e1', partitionKey: 'e' },
      { data: 'a2', partitionKey: 'a' },
      { data: 'e2', partitionKey: 'e' },
    ]);
    await h.engine.runUntilIdle();
    assert.deepEqual(
      h.invoker.calls.map((c) => texts(c.event)),
      [
        ['e1', 'e2'],
        ['a1', 'a2'],
        ['a1', 'a2'],
        ['a1', 'a2'],
      ],
    );
    assert.deepEqual(
      h.engine.streamPositions().map((p) => [p.lane, p.behind]),
      [
        [0, 0],
        [1, 0],
      ],
    );
  });

  it('StartingPosition LATEST skips records written before the mapping existed; AT_TIMESTAMP starts at the time', async () => {
    h = await harness({ functions: [lambda('f')], streams: [{ type: 'kinesis', name: 's' }] }, {});
    await put(h, 'before');
    const dir = h.dir;
    await h.engine.close();
    const invoker = new FakeInvoker({ f: () => null, g: () => null });
    const { engine, services } = openEngine(
      await DurableStore.open(path.join(dir, 'store')),
      {
        functions: [
          lambda('f', { triggers: [stream('kinesis', 's', { startingPosition: 'LATEST' })] }),
          lambda('g', {
            triggers: [
              stream('kinesis', 's', { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: T0 / 1000 }),
            ],
          }),
        ],
      },
      invoker,
      new VirtualClock({ start: T0 + 5000 }),
    );
    h = { ...h, engine, services, close: async () => engine.close() };
    await services.putKinesisRecords('s', [{ data: 'after', partitionKey: 'pk' }]);
    await engine.runUntilIdle();
    assert.deepEqual(
      invoker.calls.map((c) => [c.functionName, texts(c.event)]),
      [
        ['f', ['after']],
        ['g', ['before', 'after']],
      ],
    );
  });
});
