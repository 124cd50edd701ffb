import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';
import type { TemplateFunction } from '../../../src/core/discovery/cloudFormationTemplate';
import { readServerlessConfig } from '../../../src/core/discovery/serverlessConfig';
import { parseTemplateDocument } from '../../../src/core/discovery/templateDocument';
import { describeTrigger } from '../../../src/core/discovery/triggerLabel';
import { loadCatalogue } from '../../../src/core/events/eventCatalogue';
import { eventForTrigger } from '../../../src/core/events/triggerEvents';

const FILE = '/w/app/serverless.yml';
const read = (lines: string[]) =>
  readServerlessConfig(parseTemplateDocument(FILE, lines.join('\n') + '\n'), { location: DEFAULT_LOCATION });
const byName = (functions: TemplateFunction[], name: string): TemplateFunction => {
  const fn = functions.find((f) => f.name === name);
  assert.ok(fn, `function ${name} among ${functions.map((f) => f.name).join(', ')}`);
  return fn;
};
const HEADER = [
  'service: shop',
  'provider:',
  '  name: aws',
  '  runtime: nodejs20.x',
  'plugins:',
  '  - serverless-lift',
];

describe('discovery: serverless-lift constructs', () => {
  it('a queue construct with a worker is a <id>Worker function with an SQS trigger on the queue Lift creates: batch 1, ReportBatchItemFailures, visibility 6 × timeout, redrive to its DLQ after 3 receives', () => {
    const { functions, problems } = read([
      ...HEADER,
      'constructs:',
      '  jobs:',
      '    type: queue',
      '    worker:',
      '      handler: src/worker.handler',
      '      timeout: 10',
      '      memorySize: 512',
    ]);
    assert.deepEqual(problems, []);
    const worker = byName(functions, 'jobsWorker');
    assert.equal(worker.handler, 'src/worker.handler');
    assert.equal(worker.timeout, 10);
    assert.equal(worker.memorySize, 512);
    assert.deepEqual(worker.triggers, [
      {
        kind: 'sqs',
        id: 'jobs',
        invocation: 'poll',
        enabled: true,
        queue: {
          name: 'shop-dev-jobs',
          arn: 'arn:aws:sqs:us-east-1:123456789012:shop-dev-jobs',
          visibilityTimeout: 60,
          fifo: false,
          redrivePolicy: {
            deadLetterTarget: {
              type: 'sqs',
              name: 'shop-dev-jobs-dlq',
              arn: 'arn:aws:sqs:us-east-1:123456789012:shop-dev-jobs-dlq',
            },
            maxReceiveCount: 3,
          },
        },
        batchSize: 1,
        maximumBatchingWindowInSeconds: 0,
        functionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
    assert.deepEqual(worker.origins['triggers.0'], { file: FILE, line: 8, source: 'serverless' });
    assert.deepEqual(worker.origins.timeout, { file: FILE, line: 12, source: 'serverless' });
  });

  it('a queue construct naming a function as worker keeps its batchSize, maxRetries (the redrive count), batching window, FIFO and concurrency; ${construct:...} variables name its queues', () => {
    const { functions, problems } = read([
      ...HEADER,
      'functions:',
      '  process:',
      '    handler: src/process.handler',
      '    timeout: 20',
      '  publish:',
      '    handler: src/publish.handler',
      '    environment:',
      '      QUEUE_URL: ${construct:orders.queueUrl}',
      '      DLQ_ARN: ${construct:orders.dlqArn}',
      '      BUCKET: ${construct:avatars.bucketName}',
      'constructs:',
      '  orders:',
      '    type: queue',
      '    worker: process',
      '    fifo: true',
      '    batchSize: 5',
      '    maxRetries: 7',
      '    maxBatchingWindow: 4',
      '    maxConcurrency: 20',
      '  avatars:',
      '    type: storage',
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      functions.map((f) => f.name),
      ['process', 'publish'],
    );
    const [trigger] = byName(functions, 'process').triggers;
    assert.ok(trigger.kind === 'sqs');
    assert.equal(trigger.queue.name, 'shop-dev-orders.fifo');
    assert.equal(trigger.queue.fifo, true);
    assert.equal(trigger.queue.visibilityTimeout, 20 * 6 + 4);
    assert.equal(trigger.queue.redrivePolicy?.maxReceiveCount, 7);
    assert.equal(trigger.queue.redrivePolicy?.deadLetterTarget.name, 'shop-dev-orders-dlq.fifo');
    assert.equal(trigger.batchSize, 5);
    assert.equal(trigger.maximumBatchingWindowInSeconds, 4);
    assert.equal(trigger.maximumConcurrency, 20);
    assert.equal(describeTrigger(trigger), 'SQS shop-dev-orders.fifo, batch 5');
    assert.deepEqual(byName(functions, 'publish').environment, {
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/shop-dev-orders.fifo',
      DLQ_ARN: 'arn:aws:sqs:us-east-1:123456789012:shop-dev-orders-dlq.fifo',
      BUCKET: 'shop-dev-avatars',
    });
  });

  it('a webhook construct is an HTTP API route whose authorizer is a function (POST by default, payload 2.0); an insecure webhook and storage add no function', () => {
    const { functions, problems } = read([
      ...HEADER,
      'constructs:',
      '  stripe:',
      '    type: webhook',
      '    path: /stripe',
      '    authorizer:',
      '      handler: src/stripe.authorize',
      '  github:',
      '    type: webhook',
      '    path: /github',
      '    method: PUT',
      '    insecure: true',
      '  uploads:',
      '    type: storage',
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      functions.map((f) => f.name),
      ['stripeAuthorizer'],
    );
    const [trigger] = functions[0].triggers;
    assert.deepEqual(trigger, {
      kind: 'api',
      id: 'stripe',
      invocation: 'sync',
      enabled: true,
      api: 'http',
      method: 'POST',
      path: '/stripe',
      payloadFormatVersion: '2.0',
      authorizer: true,
    });
    assert.equal(describeTrigger(trigger), 'HTTP API POST /stripe (authorizer)');
    const catalogue = loadCatalogue(path.resolve(__dirname, '../../../event-templates'));
    const event = eventForTrigger(trigger, catalogue);
    assert.equal(event?.templateId, 'apigateway:http-api-authorizer');
    assert.deepEqual(event?.params, { method: 'POST', path: '/stripe', routeKey: 'POST /stripe' });
  });

  it('a queue with no worker, a worker that is no function and an unknown construct type are reported at the construct', () => {
    const { functions, problems } = read([
      ...HEADER,
      'constructs:',
      '  lonely:',
      '    type: queue',
      '  dangling:',
      '    type: queue',
      '    worker: nothere',
      '  mystery:',
      '    type: teleporter',
    ]);
    assert.deepEqual(functions, []);
    assert.deepEqual(
      problems.map((p) => `${p.line} ${p.severity} ${p.message}`),
      [
        '8 error Construct lonely (queue) has no worker function',
        '10 error Construct dangling: its worker nothere is not a function of this file',
        '13 info Construct mystery is of a type the runner does not know (teleporter); it adds no function here',
      ],
    );
  });
});
