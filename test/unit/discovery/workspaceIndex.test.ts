import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FunctionConfig } from '../../../src/core/discovery/functionConfig';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';

const FIXTURES = path.resolve(__dirname, '../../fixtures/discovery');

async function indexOf(folder: string): Promise<WorkspaceIndex> {
  const index = new WorkspaceIndex({ root: path.join(FIXTURES, folder) });
  await index.build();
  return index;
}
const byName = (index: WorkspaceIndex, name: string): FunctionConfig => {
  const fn = index.functions().find((f) => f.name === name);
  assert.ok(fn, `function ${name} not found`);
  return fn;
};
const problemLines = (index: WorkspaceIndex) =>
  index
    .problems()
    .map((p) => `${path.relative(FIXTURES, p.file)}:${p.line} ${p.code}`)
    .sort();

describe('discovery: SAM templates', () => {
  it('reads Globals, CodeUri, Handler, MemorySize, Environment with Ref/Sub/Join and env.json overrides', async () => {
    const index = await indexOf('sam');
    const fn = byName(index, 'OrdersFunction');
    const root = path.join(FIXTURES, 'sam');
    assert.equal(fn.id, 'template.yaml#OrdersFunction');
    assert.equal(fn.handlerFile, path.join(root, 'src/orders/index.js'));
    assert.equal(fn.exportName, 'handler');
    assert.equal(fn.runtime, 'nodejs20.x');
    assert.equal(fn.timeout, 10);
    assert.equal(fn.memorySize, 512);
    assert.equal(fn.reservedConcurrency, 5);
    // env.json: Parameters apply to all functions, per-function entries to one; undeclared names are ignored.
    assert.deepEqual(fn.environment, {
      STAGE: 'test',
      QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/dev-orders',
      TABLE: 'from-env-json',
    });
    assert.deepEqual(fn.origins.memorySize, { file: path.join(root, 'template.yaml'), line: 32, source: 'sam' });
    assert.deepEqual(fn.origins.timeout, { file: path.join(root, 'template.yaml'), line: 10, source: 'sam' });
    assert.deepEqual(fn.origins['environment.QUEUE_URL'], {
      file: path.join(root, 'template.yaml'),
      line: 46,
      source: 'sam',
    });
    assert.deepEqual(fn.origins['environment.TABLE'], {
      file: path.join(root, 'env.json'),
      line: 1,
      source: 'env-file',
    });
  });

  it('ASYNC-3/ASYNC-4/ASYNC-7/ASYNC-9: EventInvokeConfig, destinations and DeadLetterQueue', async () => {
    const fn = byName(await indexOf('sam'), 'OrdersFunction');
    assert.deepEqual(fn.deadLetterQueue, {
      type: 'sqs',
      logicalId: 'OrdersDLQ',
      name: 'OrdersDLQ',
      arn: 'arn:aws:sqs:us-east-1:123456789012:OrdersDLQ',
    });
    assert.deepEqual(fn.eventInvokeConfig, {
      maximumRetryAttempts: 1,
      maximumEventAgeInSeconds: 120,
      destinations: {
        onFailure: {
          type: 'sns',
          logicalId: 'FailureTopic',
          name: 'FailureTopic',
          arn: 'arn:aws:sns:us-east-1:123456789012:FailureTopic',
        },
      },
    });
  });

  it('SQS-1..SQS-4, FILTER-1: SQS event with the queue visibility timeout and redrive policy', async () => {
    const fn = byName(await indexOf('sam'), 'OrdersFunction');
    assert.deepEqual(fn.triggers[0], {
      kind: 'sqs',
      id: 'Orders',
      invocation: 'poll',
      enabled: true,
      queue: {
        logicalId: 'OrdersQueue',
        name: 'dev-orders',
        arn: 'arn:aws:sqs:us-east-1:123456789012:dev-orders',
        visibilityTimeout: 90,
        fifo: false,
        redrivePolicy: {
          deadLetterTarget: {
            type: 'sqs',
            logicalId: 'OrdersDLQ',
            name: 'OrdersDLQ',
            arn: 'arn:aws:sqs:us-east-1:123456789012:OrdersDLQ',
          },
          maxReceiveCount: 4,
        },
      },
      batchSize: 5,
      maximumBatchingWindowInSeconds: 2,
      functionResponseTypes: ['ReportBatchItemFailures'],
      filterCriteria: { patterns: [{ body: { type: ['order'] } }] },
    });
  });

  it('STREAM-1/STREAM-2: Kinesis event with section 5 defaults; HttpApi, Schedule; unsupported types kept', async () => {
    const fn = byName(await indexOf('sam'), 'OrdersFunction');
    assert.deepEqual(fn.triggers[1], {
      kind: 'kinesis',
      id: 'Stream',
      invocation: 'poll',
      enabled: true,
      stream: { arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/tx', name: 'tx' },
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: -1,
      bisectBatchOnFunctionError: true,
      parallelizationFactor: 2,
      tumblingWindowInSeconds: 0,
      functionResponseTypes: [],
    });
    assert.deepEqual(fn.triggers[2], {
      kind: 'api',
      id: 'Api',
      invocation: 'sync',
      enabled: true,
      api: 'http',
      path: '/orders',
      method: 'POST',
      payloadFormatVersion: '2.0',
      apiId: 'ServerlessHttpApi',
      stage: '$default',
    });
    assert.deepEqual(fn.triggers[3], {
      kind: 'schedule',
      id: 'Nightly',
      invocation: 'async',
      enabled: true,
      expression: 'rate(1 day)',
    });
    assert.equal(fn.triggers[4].kind, 'unsupported');
  });

  it('reports unresolvable handlers, runtime mismatch, handlers outside the workspace and unsupported events by line', async () => {
    const index = await indexOf('sam');
    assert.deepEqual(problemLines(index), [
      'sam/template.yaml:77 unsupported-event',
      'sam/template.yaml:84 runtime-mismatch',
      'sam/template.yaml:9 deprecated-runtime',
      'sam/template.yaml:90 handler-not-found',
      'sam/template.yaml:95 handler-outside-workspace',
    ]);
    const missing = index.problems().find((p) => p.code === 'handler-not-found');
    assert.match(
      missing?.message ?? '',
      /tried nothere, nothere\.js, nothere\.mjs, nothere\.cjs, nothere\.ts, nothere\.mts, nothere\.cts/,
    );
    assert.equal(byName(index, 'OutsideFunction').handlerFile, undefined);
    assert.equal(byName(index, 'PyFunction').handlerFile, path.join(FIXTURES, 'sam/src/py/pkg/app.py'));
  });
});

describe('discovery: CloudFormation JSON resources', () => {
  it('attaches EventSourceMapping, EventInvokeConfig and Events::Rule to an AWS::Lambda::Function', async () => {
    const fn = byName(await indexOf('cfn'), 'Worker');
    assert.equal(fn.definedBy, 'cloudformation');
    assert.equal(fn.timeout, 30);
    assert.equal(fn.memorySize, 128);
    assert.deepEqual(fn.origins.memorySize, { source: 'default' });
    assert.deepEqual(
      fn.triggers.map((t) => t.kind),
      ['sqs', 'eventbridge'],
    );
    const sqs = fn.triggers[0];
    assert.ok(sqs.kind === 'sqs');
    assert.equal(sqs.batchSize, 1);
    assert.equal(sqs.queue.fifo, true);
    assert.equal(sqs.queue.visibilityTimeout, 30);
    assert.deepEqual(fn.eventInvokeConfig, {
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 21600,
      destinations: {
        onSuccess: {
          type: 'eventbridge',
          logicalId: 'Bus',
          name: 'app-bus',
          arn: 'arn:aws:events:us-east-1:123456789012:event-bus/app-bus',
        },
      },
    });
  });
});

describe('discovery: bad input', () => {
  it('reports invalid YAML, unknown intrinsics and circular refs with lines, and still indexes the rest', async () => {
    const index = await indexOf('bad');
    assert.deepEqual(problemLines(index), [
      'bad/circular.yaml:14 runtime-mismatch',
      'bad/circular.yaml:6 circular-ref',
      'bad/template.yaml:11 invalid-yaml',
      'bad/template.yaml:6 deprecated-runtime',
      'bad/template.yaml:9 unknown-intrinsic',
    ]);
    assert.deepEqual(
      index.functions().map((f) => f.id),
      ['circular.yaml#Fn', 'template.yaml#Fn'],
    );
    const circular = index.problems().find((p) => p.code === 'circular-ref');
    assert.equal(circular?.message, 'Circular reference: A -> B -> A');
  });
});

describe('discovery: serverless.yml', () => {
  it('reads provider defaults, variables, Serverless defaults and events with their properties', async () => {
    const fn = byName(await indexOf('serverless'), 'reserve');
    assert.equal(fn.timeout, 20);
    assert.equal(fn.memorySize, 1024); // the Serverless Framework's default, not Lambda's
    assert.deepEqual(fn.environment, { STAGE: 'dev', SHARED: 'yes', TABLE: 'stock-dev' });
    assert.equal(fn.handlerFile, path.join(FIXTURES, 'serverless/src/handler.js'));
    assert.deepEqual(fn.eventInvokeConfig, {
      maximumRetryAttempts: 1,
      maximumEventAgeInSeconds: 21600,
      destinations: {
        onFailure: { type: 'sqs', arn: 'arn:aws:sqs:us-east-1:123456789012:failures', name: 'failures' },
      },
    });
    assert.deepEqual(
      fn.triggers.map((t) => `${t.kind}:${t.id}`),
      ['sqs:sqs#0', 'dynamodb:stream#1', 'api:httpApi#2', 'api:websocket#3'],
    );
    const sqs = fn.triggers[0];
    assert.ok(sqs.kind === 'sqs');
    assert.equal(sqs.batchSize, 7);
    assert.equal(sqs.queue.visibilityTimeout, 120);
    assert.deepEqual(sqs.functionResponseTypes, ['ReportBatchItemFailures']);
    assert.deepEqual(sqs.filterCriteria, { patterns: [{ body: { kind: ['reserve'] } }] });
    const stream = fn.triggers[1];
    assert.ok(stream.kind === 'dynamodb');
    assert.equal(stream.bisectBatchOnFunctionError, true);
    assert.equal(stream.maximumRetryAttempts, 2);
    assert.deepEqual(fn.origins.timeout, {
      file: path.join(FIXTURES, 'serverless/serverless.yml'),
      line: 12,
      source: 'serverless',
    });
  });
});

describe('discovery: project settings file and .env', () => {
  it('reads lambda-trigger.json (SAM-shaped) and applies the nearest .env', async () => {
    const index = await indexOf('settings');
    const fn = byName(index, 'Hello');
    assert.equal(fn.definedBy, 'settings');
    assert.equal(fn.timeout, 15);
    assert.equal(fn.handlerFile, path.join(FIXTURES, 'settings/api/hello.mjs'));
    assert.deepEqual(fn.environment, { GREETING: 'hello there', DEBUG: '1' });
    assert.deepEqual(fn.origins['environment.GREETING'], {
      file: path.join(FIXTURES, 'settings/.env'),
      line: 2,
      source: 'env-file',
    });
    assert.deepEqual(fn.origins.timeout, {
      file: path.join(FIXTURES, 'settings/lambda-trigger.json'),
      line: 2,
      source: 'settings',
    });
    assert.equal(fn.triggers[0].kind, 'sqs');
    assert.deepEqual(problemLines(index), [
      'settings/.env:4 invalid-settings',
      'settings/lambda-trigger.json:11 invalid-settings',
      'settings/lambda-trigger.json:6 deprecated-runtime',
    ]);
    // The configured export is not listed again as a plain handler.
    assert.deepEqual(
      index.functions().map((f) => f.id),
      ['lambda-trigger.json#Hello'],
    );
  });
});

describe('discovery: incremental index', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'discovery-'));
    fs.mkdirSync(path.join(dir, 'node_modules/lib'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules/lib/index.js'), 'exports.handler = async (event) => event;');
    fs.writeFileSync(path.join(dir, 'a.js'), 'exports.handler = async (event) => event;');
    fs.writeFileSync(
      path.join(dir, 'template.yaml'),
      'Resources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.handler\n      Runtime: nodejs20.x\n      Timeout: 5\n',
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ignores node_modules, and re-reads only a changed template or code file', async () => {
    const index = new WorkspaceIndex({ root: dir });
    await index.build();
    assert.deepEqual(
      index.functions().map((f) => `${f.id} ${f.timeout}`),
      ['template.yaml#A 5'],
    );
    fs.writeFileSync(
      path.join(dir, 'template.yaml'),
      fs.readFileSync(path.join(dir, 'template.yaml'), 'utf8').replace('Timeout: 5', 'Timeout: 9'),
    );
    index.update(path.join(dir, 'template.yaml'));
    assert.deepEqual(
      index.functions().map((f) => `${f.id} ${f.timeout}`),
      ['template.yaml#A 9'],
    );
    index.update(path.join(dir, 'b.py'), 'def lambda_handler(event, context):\n    return 1\n');
    assert.deepEqual(
      index.functions().map((f) => f.id),
      ['template.yaml#A', 'b.py#lambda_handler'],
    );
    index.remove(path.join(dir, 'b.py'));
    index.remove(path.join(dir, 'template.yaml'));
    assert.deepEqual(
      index.functions().map((f) => `${f.id} ${f.handler} ${f.definedBy}`),
      ['a.js#handler a.handler code'],
    );
  });

  it('a handler file replaced by a link to outside the workspace is reported at once, though real paths are remembered', async function () {
    if (process.platform === 'win32') this.skip(); // symlinks need privileges there
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'discovery-outside-'));
    try {
      fs.writeFileSync(path.join(outside, 'a.js'), 'exports.handler = async (event) => event;');
      const index = new WorkspaceIndex({ root: dir });
      await index.build();
      const template = path.join(dir, 'template.yaml');
      const edit = (timeout: number) =>
        index.update(template, fs.readFileSync(template, 'utf8').replace('Timeout: 5', `Timeout: ${timeout}`));
      const boundary = () => index.problems().filter((p) => p.code === 'handler-outside-workspace');
      edit(6);
      assert.deepEqual(boundary(), []);
      // As the editor's file watcher reports it: the file goes, a link comes in its place.
      fs.rmSync(path.join(dir, 'a.js'));
      index.remove(path.join(dir, 'a.js'));
      fs.symlinkSync(path.join(outside, 'a.js'), path.join(dir, 'a.js'));
      index.update(path.join(dir, 'a.js'));
      edit(7);
      assert.equal(boundary().length, 1);
      assert.match(boundary()[0]?.message ?? '', /is outside its code root/);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('NODE-8: LoggingConfig (from Globals or the function) with the line it came from', async () => {
    fs.writeFileSync(
      path.join(dir, 'template.yaml'),
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Globals:',
        '  Function:',
        '    LoggingConfig:',
        '      LogFormat: JSON',
        '      ApplicationLogLevel: warn',
        'Resources:',
        '  A:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      Handler: a.handler',
        '      Runtime: nodejs20.x',
        '',
      ].join('\n'),
    );
    const index = new WorkspaceIndex({ root: dir });
    await index.build();
    const fn = byName(index, 'A');
    assert.deepEqual(fn.loggingConfig, { logFormat: 'JSON', applicationLogLevel: 'WARN' });
    assert.deepEqual(fn.origins['loggingConfig.logFormat'], {
      file: path.join(dir, 'template.yaml'),
      line: 5,
      source: 'sam',
    });
  });

  it('honours configured ignore globs', async () => {
    const index = new WorkspaceIndex({ root: dir, ignoreGlobs: ['**/node_modules', 'a.js', 'template.yaml'] });
    await index.build();
    assert.deepEqual(index.functions(), []);
  });
});

describe('discovery: the local account location', () => {
  it('pseudo parameters and resource ARNs use the region and account the settings give', async () => {
    const index = new WorkspaceIndex({
      root: path.join(FIXTURES, 'sam'),
      location: { region: 'eu-central-1', accountId: '111122223333' },
    });
    await index.build();
    const fn = byName(index, 'OrdersFunction');
    assert.equal(fn.environment.QUEUE_URL, 'https://sqs.eu-central-1.amazonaws.com/111122223333/dev-orders');
    assert.equal(fn.deadLetterQueue?.arn, 'arn:aws:sqs:eu-central-1:111122223333:OrdersDLQ');
  });
});
