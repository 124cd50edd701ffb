/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- rendered events are untyped JSON, inspected field by field */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildCatalogueIndex, CATALOGUE_INDEX, loadCatalogue } from '../../../src/core/events/eventCatalogue';
import { EventParameterError, UnknownEventTypeError } from '../../../src/core/events/eventErrors';

const TEMPLATES = resolve(__dirname, '../../../event-templates');
const FIXTURES = resolve(__dirname, '../../fixtures/events');
const catalogue = loadCatalogue(TEMPLATES);
const NOW = Date.UTC(2024, 0, 2, 3, 4, 5, 600);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered events are untyped JSON
type Rec = Record<string, any>;
const render = (id: string, params: Rec = {}, opts: Rec = {}) =>
  catalogue.render(id, params, { now: NOW, ...opts }) as Rec;

describe('event catalogue', () => {
  it('holds at least 60 templates, including every source the issue names', () => {
    const ids = catalogue.ids();
    assert.ok(ids.length >= 60, `only ${ids.length} templates`);
    const required = [
      's3:put',
      's3:delete',
      's3:restore',
      's3:eventbridge-object-created',
      'apigateway:aws-proxy',
      'apigateway:http-api-proxy',
      'apigateway:websocket-connect',
      'apigateway:websocket-message',
      'apigateway:authorizer',
      'apigateway:request-authorizer',
      'apigateway:http-api-authorizer',
      'lambda:function-url',
      'alb:request',
      'sqs:receive-message',
      'sqs:receive-message-fifo',
      'sns:notification',
      'eventbridge:custom-event',
      'cloudwatch:scheduled-event',
      'eventbridge:ec2-instance-state-change',
      'dynamodb:insert',
      'dynamodb:modify',
      'dynamodb:remove',
      'kinesis:get-records',
      'kinesis:kinesis-firehose',
      'cloudwatch:logs',
      'cognito-idp:pre-sign-up',
      'cognito-idp:post-confirmation',
      'cognito-idp:pre-token-generation',
      'cognito-idp:custom-message',
      'cognito-idp:define-auth-challenge',
      'cognito-idp:create-auth-challenge',
      'cognito-idp:verify-auth-challenge',
      'cloudformation:create-request',
      'cloudformation:update-request',
      'cloudformation:delete-request',
      'ses:email-receiving',
      'kafka:msk',
      'kafka:self-managed',
      'mq:activemq',
      'mq:rabbitmq',
      'iot:rule',
      'iotevents:lambda-action',
      'alexa-skills-kit:start-session',
      'lex-v2:book-car',
      'config:item-change-notification',
      'codecommit:repository',
      'codepipeline:job',
      's3:batch-invocation',
      'secretsmanager:rotation',
      'connect:contact-flow-event',
      'cloudfront:viewer-request',
      'cloudfront:origin-request',
      'cloudfront:viewer-response',
      'cloudfront:origin-response',
      'appsync:resolver',
      'cloudwatch:alarm-state-change',
    ];
    assert.deepEqual(
      required.filter((id) => !catalogue.get(id)),
      [],
    );
  });

  it('declares the invocation model of section 1 for each source', () => {
    assert.equal(catalogue.get('s3:put')!.invocation, 'async');
    assert.equal(catalogue.get('apigateway:aws-proxy')!.invocation, 'sync');
    assert.equal(catalogue.get('sqs:receive-message')!.invocation, 'poll');
    assert.equal(catalogue.get('kinesis:kinesis-firehose')!.invocation, 'sync');
    assert.equal(catalogue.get('cloudformation:create-request')!.invocation, 'async');
  });

  it(`has an up-to-date ${CATALOGUE_INDEX} (run \`lambda-trigger events --write-index\` after editing templates)`, () => {
    assert.deepEqual(
      JSON.parse(readFileSync(join(TEMPLATES, CATALOGUE_INDEX), 'utf8')),
      JSON.parse(buildCatalogueIndex(TEMPLATES)),
    );
  });

  it('loads the same templates from the index and from the files', () => {
    assert.deepEqual(loadCatalogue(TEMPLATES, { useIndex: false }).list(), catalogue.list());
  });

  for (const t of catalogue.list()) {
    it(`${t.id}: renders with defaults, validates against its own schema and is detected as itself`, () => {
      const event = render(t.id, {}, t.batch ? { records: 3 } : {});
      assert.deepEqual(catalogue.validate(event, t.id).errors, []);
      assert.equal(catalogue.guessEventType(event), t.id);
    });
  }
});

describe('batches (SQS-7, STREAM-6, KAFKA-1, MQ-1)', () => {
  it('SQS records have distinct message ids and increasing SentTimestamps', () => {
    const { Records } = render('sqs:receive-message', {}, { records: 5 });
    assert.equal(Records.length, 5);
    assert.equal(new Set(Records.map((r: Rec) => r.messageId)).size, 5);
    assert.equal(new Set(Records.map((r: Rec) => r.receiptHandle)).size, 5);
    assert.deepEqual(
      Records.map((r: Rec) => r.attributes.SentTimestamp),
      [0, 1, 2, 3, 4].map((i) => String(NOW + i)),
    );
  });

  it('SQS FIFO records carry increasing sequence numbers in one message group (SQS-5)', () => {
    const { Records } = render('sqs:receive-message-fifo', { sequenceNumber: '18849496460467696128' }, { records: 3 });
    assert.deepEqual(
      Records.map((r: Rec) => r.attributes.SequenceNumber),
      ['18849496460467696128', '18849496460467696129', '18849496460467696130'],
    );
    assert.deepEqual(new Set(Records.map((r: Rec) => r.attributes.MessageGroupId)), new Set(['group-1']));
  });

  it('Kinesis records: 56-digit sequence numbers + index, eventID = shardId:sequenceNumber', () => {
    const base = '49545115243490985018280067714973144582180062593244200961';
    const { Records } = render('kinesis:get-records', { sequenceNumber: base }, { records: 2 });
    assert.equal(Records[1].kinesis.sequenceNumber, '49545115243490985018280067714973144582180062593244200962');
    assert.equal(Records[1].eventID, 'shardId-000000000006:49545115243490985018280067714973144582180062593244200962');
    assert.deepEqual(
      Records.map((r: Rec) => r.kinesis.approximateArrivalTimestamp),
      [NOW / 1000, (NOW + 1) / 1000],
    );
  });

  it('DynamoDB records have distinct eventIDs and sequence numbers', () => {
    const { Records } = render('dynamodb:insert', {}, { records: 4 });
    assert.equal(new Set(Records.map((r: Rec) => r.eventID)).size, 4);
    assert.deepEqual(
      Records.map((r: Rec) => r.dynamodb.SequenceNumber),
      ['111000000000000000001', '111000000000000000002', '111000000000000000003', '111000000000000000004'],
    );
  });

  it('renders one record per body from a list of bodies, with the MD5 of each', () => {
    const { Records } = render('sqs:receive-message', {}, { items: ['a', 'b'] });
    assert.deepEqual(
      Records.map((r: Rec) => [r.body, r.md5OfBody]),
      [
        ['a', '0cc175b9c0f1b6a831c399e269772661'],
        ['b', '92eb5ffee6ae2fec3ad71c777531578f'],
      ],
    );
  });

  it('Kafka records are grouped under "<topic>-<partition>" with increasing offsets', () => {
    const ev = render('kafka:msk', { topic: 'orders', topicPartition: 2, offset: 7 }, { records: 3 });
    assert.deepEqual(Object.keys(ev.records), ['orders-2']);
    assert.deepEqual(
      ev.records['orders-2'].map((r: Rec) => r.offset),
      [7, 8, 9],
    );
    assert.equal(Buffer.from(ev.records['orders-2'][0].value as string, 'base64').toString(), '{"key":"value"}');
    assert.deepEqual(ev.records['orders-2'][0].headers, [{ headerKey: [...Buffer.from('headerValue')] }]);
  });

  it('RabbitMQ messages are grouped under "<queue>::<vhost>"', () => {
    const ev = render('mq:rabbitmq', { queue: 'q1' }, { items: ['x', 'yy'] });
    assert.deepEqual(
      ev.rmqMessagesByQueue['q1::/'].map((m: Rec) => [m.data, m.basicProperties.bodySize]),
      [
        ['eA==', 1],
        ['eXk=', 2],
      ],
    );
  });
});

describe('value transforms', () => {
  it('CloudWatch Logs: awslogs.data gunzips to the DATA_MESSAGE built from the parameters', () => {
    const ev = render('cloudwatch:logs', {
      logGroup: '/aws/lambda/orders',
      messages: ['one', 'two'],
      account: '111122223333',
    });
    const decoded = JSON.parse(gunzipSync(Buffer.from(ev.awslogs.data as string, 'base64')).toString('utf8')) as Rec;
    assert.equal(decoded.messageType, 'DATA_MESSAGE');
    assert.equal(decoded.owner, '111122223333');
    assert.equal(decoded.logGroup, '/aws/lambda/orders');
    assert.deepEqual(decoded.subscriptionFilters, ['example-filter']);
    assert.deepEqual(
      decoded.logEvents.map((e: Rec) => [e.timestamp, e.message]),
      [
        [NOW, 'one'],
        [NOW + 1, 'two'],
      ],
    );
    assert.match(decoded.logEvents[0].id as string, /^\d{56}$/);
  });

  it('SQS md5OfBody is the real MD5 of the body', () => {
    const body = '{"orderId": 42, "note": "héllo"}';
    const ev = render('sqs:receive-message', { body });
    assert.equal(ev.Records[0].md5OfBody, createHash('md5').update(body, 'utf8').digest('hex'));
    assert.equal(render('sqs:receive-message').Records[0].md5OfBody, '7b270e59b47ff90a553787216d55d91d');
  });

  it('S3 keys are URL-encoded as S3 does (space as +, / kept)', () => {
    assert.equal(
      render('s3:put', { key: 'photos/my cat&dog.jpg' }).Records[0].s3.object.key,
      'photos/my+cat%26dog.jpg',
    );
  });

  it('Kinesis data is base64 of the text; DynamoDB images are DynamoDB JSON', () => {
    assert.equal(render('kinesis:get-records', { data: 'hello' }).Records[0].kinesis.data, 'aGVsbG8=');
    const ddb = render('dynamodb:modify', { keys: { Id: 1 }, newImage: { Id: 1, tags: ['a'], ok: true, n: null } });
    assert.deepEqual(ddb.Records[0].dynamodb.Keys, { Id: { N: '1' } });
    assert.deepEqual(ddb.Records[0].dynamodb.NewImage, {
      Id: { N: '1' },
      tags: { L: [{ S: 'a' }] },
      ok: { BOOL: true },
      n: { NULL: true },
    });
  });

  it('Config invokingEvent is JSON in a string', () => {
    const ev = render('config:periodic-rule', { account: '111122223333' });
    assert.deepEqual(JSON.parse(ev.invokingEvent as string), {
      awsAccountId: '111122223333',
      notificationCreationTime: new Date(NOW).toISOString(),
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    });
  });

  it('API Gateway REST: multiValue maps follow the single-value ones; HTTP API joins the query string', () => {
    const rest = render('apigateway:aws-proxy', { queryStringParameters: { a: '1', b: 'x y' } });
    assert.deepEqual(rest.multiValueQueryStringParameters, { a: ['1'], b: ['x y'] });
    assert.equal(rest.requestContext.requestTime, '02/Jan/2024:03:04:05 +0000');
    assert.equal(
      render('apigateway:http-api-proxy', { queryStringParameters: { a: '1', b: 'x y' } }).rawQueryString,
      'a=1&b=x%20y',
    );
  });

  it('CloudFormation ResourceProperties = ServiceToken plus the given properties', () => {
    const ev = render('cloudformation:create-request', {
      properties: { Size: '3' },
      functionName: 'fn',
      account: '111122223333',
    });
    assert.deepEqual(ev.ResourceProperties, {
      ServiceToken: 'arn:aws:lambda:us-east-1:111122223333:function:fn',
      Size: '3',
    });
  });
});

describe('parameters and bad input', () => {
  it('coerces text parameters to their declared types', () => {
    const ev = render('s3:put', { size: '2048' }, { paramsAreText: true });
    assert.equal(ev.Records[0].s3.object.size, 2048);
  });

  it('rejects an unknown template id, suggesting ids of the same service', () => {
    assert.throws(
      () => catalogue.render('s3:upload'),
      (e: Error) => {
        assert.ok(e instanceof UnknownEventTypeError);
        assert.match(e.message, /^unknown event type 's3:upload'; did you mean one of: .*s3:put/);
        return true;
      },
    );
  });

  it('rejects an unknown parameter and lists the known ones', () => {
    assert.throws(
      () => catalogue.render('sns:notification', { topicName: 'x' }),
      (e: Error) =>
        e instanceof EventParameterError &&
        /^unknown parameter 'topicName' for sns:notification; its parameters are: message, subject, topic/.test(
          e.message,
        ),
    );
  });

  it('rejects a parameter of the wrong type, typed or as text', () => {
    assert.throws(() => catalogue.render('s3:put', { size: 'big' }), {
      message: 'parameter \'size\' of s3:put expects integer, got string "big"',
    });
    assert.throws(() => catalogue.render('s3:put', { size: '1.5' }, { paramsAreText: true }), {
      message: 'parameter \'size\' of s3:put expects an integer, got "1.5"',
    });
    assert.throws(
      () => catalogue.render('sqs:receive-message', { messageAttributes: '{' }, { paramsAreText: true }),
      EventParameterError,
    );
  });

  it('rejects a value outside the parameter enum', () => {
    assert.throws(() => catalogue.render('s3:put', { eventName: 'ObjectCreated:Upload' }), {
      message:
        'parameter \'eventName\' of s3:put must be one of "ObjectCreated:Put", "ObjectCreated:Post", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload", got "ObjectCreated:Upload"',
    });
  });

  it('rejects --records on a source that does not batch, and batches above the source maximum (SQS-1)', () => {
    assert.throws(() => catalogue.render('s3:put', {}, { records: 2 }), /s3:put is not a poll-based batch event/);
    assert.throws(() => catalogue.render('sqs:receive-message-fifo', {}, { records: 11 }), {
      message: 'sqs:receive-message-fifo batches hold at most 10 records, asked for 11',
    });
  });
});

describe('schema validation', () => {
  const read = (f: string) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as unknown;

  it('a sample missing a required field fails with the path of that field', () => {
    const r = catalogue.validate(read('s3-put-missing-bucket-name.json'), 's3:put');
    assert.equal(r.valid, false);
    assert.deepEqual(r.errors, [
      {
        path: '$.Records[0].s3.bucket.name',
        pointer: '/Records/0/s3/bucket',
        message: "missing required property 'name'",
        keyword: 'required',
        missingProperty: 'name',
      },
    ]);
  });

  it('a field of the wrong type fails with its path (the $eventType marker is ignored)', () => {
    const r = catalogue.validate(read('sqs-size-as-number.json'), 'sqs:receive-message');
    assert.deepEqual(
      r.errors.map((e) => [e.path, e.message]),
      [['$.Records[0].body', 'must be string']],
    );
  });

  it('quotes keys that are not identifiers in paths', () => {
    const ev = render('cloudwatch:scheduled-event');
    delete ev['detail-type'];
    assert.deepEqual(
      catalogue.validate(ev, 'cloudwatch:scheduled-event').errors.map((e) => e.path),
      ['$["detail-type"]'],
    );
  });

  it('detects the type of a payload, or nothing', () => {
    assert.equal(catalogue.guessEventType(read('scheduled-valid.json')), 'cloudwatch:scheduled-event');
    assert.equal(catalogue.guessEventType({ hello: 'world' }), undefined);
    assert.equal(catalogue.guessEventType({ $eventType: 'sns:notification' }), 'sns:notification');
  });
});
