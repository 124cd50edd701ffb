/**
 * The local Lambda through the real AWS SDK for JavaScript v3 client: Invoke with each invocation type (SYNC-1,
 * SYNC-2, SYNC-8, ASYNC-1), the log tail, InvokeWithResponseStream's event stream (NODE-11), GetFunction and
 * ListFunctions, and Lambda's errors, with real handlers in child processes.
 */
import * as assert from 'node:assert/strict';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import { functionArn } from '../../../../src/core/resourceArn';
import { waitFor } from '../../../support/waitFor';
import { lambda } from '../../invoke/model';
import { openAwsTestAccount, type AwsTestAccount } from './awsTestAccount';
import { rejectsWith } from './sdkErrors';

const HANDLERS = {
  'echo.js': `exports.handler = async (event) => { console.log('echo', JSON.stringify(event)); return { got: event }; };\n`,
  'fails.js': `exports.handler = async () => { throw new Error('boom'); };\n`,
  'stream.js':
    `exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {\n` +
    `  responseStream.write('part1 ');\n  responseStream.write('part2');\n  responseStream.end();\n});\n`,
};

const text = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('utf8');

describe('AWS endpoint: Lambda through the AWS SDK', function () {
  this.timeout(60_000);
  let t: AwsTestAccount;
  let client: LambdaClient;

  before(async () => {
    t = await openAwsTestAccount(
      'ltr-aws-lambda-',
      (dir) => [
        lambda('Echo', { handler: 'echo.handler', codeRoot: dir, physicalName: 'shop-dev-Echo-AbC123' }),
        lambda('Fails', { handler: 'fails.handler', codeRoot: dir, retries: 0 }),
        lambda('Streams', { handler: 'stream.handler', codeRoot: dir }),
      ],
      HANDLERS,
    );
    client = new LambdaClient(t.client);
  });
  after(async () => {
    client?.destroy();
    await t?.dispose();
  });

  it('SYNC-1: Invoke RequestResponse runs the handler and answers its result, with the log tail when asked', async () => {
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'Echo', Payload: JSON.stringify({ n: 1 }), LogType: 'Tail' }),
    );
    assert.equal(response.StatusCode, 200);
    assert.equal(response.ExecutedVersion, '$LATEST');
    assert.equal(response.FunctionError, undefined);
    assert.deepEqual(JSON.parse(text(response.Payload)), { got: { n: 1 } });
    const log = Buffer.from(response.LogResult ?? '', 'base64').toString('utf8');
    assert.match(log, /START RequestId: /);
    assert.match(log, /echo \{"n":1\}/);
    const record = t.account.engine.records().find((r) => r.functionName === 'Echo' && r.mode === 'sync');
    assert.deepEqual(record?.source, { type: 'sdk', service: 'lambda', operation: 'Invoke' });
  });

  it('SYNC-2: a function error is a 200 with X-Amz-Function-Error and the error as payload', async () => {
    const response = await client.send(new InvokeCommand({ FunctionName: 'Fails' }));
    assert.equal(response.StatusCode, 200);
    assert.equal(response.FunctionError, 'Unhandled');
    const error = JSON.parse(text(response.Payload)) as { errorType: string; errorMessage: string };
    assert.deepEqual([error.errorType, error.errorMessage], ['Error', 'boom']);
  });

  it('ASYNC-1: Invoke Event answers 202 at once and the function runs under async semantics', async () => {
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionArn('Echo', t.account.location),
        InvocationType: 'Event',
        Payload: '{"async":true}',
      }),
    );
    assert.equal(response.StatusCode, 202);
    const record = await waitFor('the async record to succeed', () =>
      t.account.engine
        .records()
        .find((r) => r.mode === 'async' && r.functionName === 'Echo' && r.status === 'succeeded'),
    );
    assert.deepEqual(record.event, { async: true });
  });

  it('SYNC-8: Invoke DryRun answers 204 and runs nothing; a deployed name reaches the local function', async () => {
    const before = t.account.engine.records().filter((r) => r.attempts.length > 0).length;
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'shop-dev-Echo-AbC123', InvocationType: 'DryRun', Payload: '{}' }),
    );
    assert.equal(response.StatusCode, 204);
    assert.equal(t.account.engine.records().filter((r) => r.attempts.length > 0).length, before);
  });

  it('NODE-11: InvokeWithResponseStream answers the streamed body as PayloadChunk events, then InvokeComplete', async () => {
    const response = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'Streams', Payload: '{}' }));
    assert.equal(response.StatusCode, 200);
    let body = '';
    let complete: unknown;
    for await (const event of response.EventStream!) {
      if (event.PayloadChunk) body += text(event.PayloadChunk.Payload);
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    assert.equal(body, 'part1 part2');
    assert.ok(complete, 'the stream ends with InvokeComplete');
  });

  it('SDK-3: GetFunction, GetFunctionConfiguration and ListFunctions describe the local functions', async () => {
    const got = await client.send(new GetFunctionCommand({ FunctionName: 'Echo' }));
    assert.equal(got.Configuration?.FunctionArn, functionArn('Echo', t.account.location));
    assert.equal(got.Configuration?.Handler, 'echo.handler');
    assert.equal(got.Configuration?.Runtime, 'nodejs20.x');
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'Fails' }));
    assert.equal(configuration.Timeout, 3);
    const listed = await client.send(new ListFunctionsCommand({}));
    assert.deepEqual(
      listed.Functions?.map((f) => f.FunctionName),
      ['Echo', 'Fails', 'Streams'],
    );
    const page = await client.send(new ListFunctionsCommand({ MaxItems: 2 }));
    assert.equal(page.Functions?.length, 2);
    const rest = await client.send(new ListFunctionsCommand({ Marker: page.NextMarker }));
    assert.deepEqual(
      rest.Functions?.map((f) => f.FunctionName),
      ['Streams'],
    );
  });

  it("SDK-3: Lambda's errors: an unknown function, a bad name, a payload that is not JSON", async () => {
    const missing = await rejectsWith(
      client.send(new InvokeCommand({ FunctionName: 'Nope' })),
      'ResourceNotFoundException',
      404,
    );
    assert.match(missing.message, /Function not found: arn:aws:lambda:/);
    await rejectsWith(client.send(new GetFunctionCommand({ FunctionName: 'Nope' })), 'ResourceNotFoundException', 404);
    await rejectsWith(client.send(new InvokeCommand({ FunctionName: 'bad name!' })), 'ValidationException', 400);
    await rejectsWith(
      client.send(new InvokeCommand({ FunctionName: 'Echo', Payload: Buffer.from('{not json') })),
      'InvalidRequestContentException',
      400,
    );
  });
});
