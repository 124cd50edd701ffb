/**
 * Only the user gets in: the endpoint accepts requests signed (SigV4) with the workspace's key, or with the user's
 * own key when they chose to pass it to handlers; everything else gets the service's own 403. A service the runner
 * does not simulate is refused at once with a message saying so. Malformed requests are a 4xx, never a crash.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENDPOINT_KEY_FILE, loadEndpointKey } from '../../../../src/core/endpoints/aws/endpointKey';
import { openAwsTestAccount, type AwsTestAccount } from './awsTestAccount';
import { rejectsWith } from './sdkErrors';
import { signedFetch } from './signedFetch';

const STRANGER = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('AWS endpoint: only the workspace key gets in', function () {
  this.timeout(30_000);
  let t: AwsTestAccount;

  before(async () => {
    t = await openAwsTestAccount('ltr-aws-auth-', () => []);
    t.account.services.declare({ queues: [{ name: 'Orders' }] });
  });
  after(() => t?.dispose());

  it('SDK-2: answers requests signed with the workspace key', async () => {
    const sqs = new SQSClient(t.client);
    try {
      assert.equal((await sqs.send(new ListQueuesCommand({}))).QueueUrls?.length, 1);
    } finally {
      sqs.destroy();
    }
  });

  it("SDK-2: refuses another key with each service's 403 (SQS's query-compatible code, SNS's, Lambda's)", async () => {
    const other = { ...t.client, credentials: STRANGER };
    const sqs = new SQSClient(other);
    const sns = new SNSClient(other);
    const lambda = new LambdaClient(other);
    try {
      const refused = await rejectsWith(sqs.send(new ListQueuesCommand({})), 'InvalidClientTokenId', 403);
      assert.match(refused.message, /AKIAIOSFODNN7EXAMPLE is not this workspace's/);
      await rejectsWith(sns.send(new ListTopicsCommand({})), 'InvalidClientTokenId', 403);
      await rejectsWith(lambda.send(new ListFunctionsCommand({})), 'UnrecognizedClientException', 403);
    } finally {
      for (const c of [sqs, sns, lambda]) c.destroy();
    }
  });

  it('SDK-2: refuses the workspace key id with a wrong secret: the signature does not match', async () => {
    const forged = { ...t.client, credentials: { ...t.client.credentials, secretAccessKey: STRANGER.secretAccessKey } };
    const sqs = new SQSClient(forged);
    const sns = new SNSClient(forged);
    const lambda = new LambdaClient(forged);
    try {
      await rejectsWith(sqs.send(new ListQueuesCommand({})), 'SignatureDoesNotMatch', 403);
      await rejectsWith(sns.send(new ListTopicsCommand({})), 'SignatureDoesNotMatch', 403);
      await rejectsWith(lambda.send(new ListFunctionsCommand({})), 'InvalidSignatureException', 403);
    } finally {
      for (const c of [sqs, sns, lambda]) c.destroy();
    }
  });

  it('SDK-2: refuses a request signed more than 15 minutes from now (a replay) as an expired signature', async () => {
    const stale = await signedFetch(
      t,
      'sqs',
      { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': 'application/x-amz-json-1.0' },
      '{}',
      '/',
      'POST',
      t.client.credentials,
      new Date(Date.now() - 20 * 60_000),
    );
    assert.equal(stale.status, 403);
    assert.match(stale.text, /InvalidSignatureException.*Signature expired/);
  });

  it('SDK-2: refuses an unsigned request with 403 MissingAuthenticationToken', async () => {
    const response = await fetch(t.endpoint.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    assert.equal(response.status, 403);
    assert.match(await response.text(), /MissingAuthenticationTokenException/);
  });

  it('SDK-2: answers a service it does not simulate at once with a 403 that says so, in that protocol', async () => {
    const dynamo = await signedFetch(
      t,
      'dynamodb',
      { 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-type': 'application/x-amz-json-1.0' },
      '{"TableName":"Orders"}',
    );
    assert.equal(dynamo.status, 403);
    const error = dynamo.body as { __type: string; message: string };
    assert.equal(error.__type, 'UnrecognizedClientException');
    assert.match(error.message, /does not simulate the dynamodb service/);
    assert.match(error.message, /--aws-profile/);
    const s3 = await signedFetch(t, 's3', {}, '', '/bucket/key', 'GET');
    assert.equal(s3.status, 403);
    assert.match(s3.text, /<Code>InvalidAccessKeyId<\/Code><Message>Lambda Trigger Runner does not simulate the s3/);
  });

  it('SDK-2: answers bytes that are not HTTP with a 400 and keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const url = new URL(t.endpoint.url);
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write('GARBAGE \x00\x01\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    const sqs = new SQSClient(t.client);
    try {
      await sqs.send(new ListQueuesCommand({}));
    } finally {
      sqs.destroy();
    }
  });
});

describe('AWS endpoint: a configured port', function () {
  this.timeout(30_000);

  it('SDK-2: listens on the configured port; one in use is said with the setting that asks for it', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const free = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (probe.address() as net.AddressInfo).port;
          probe.close(() => resolve(p));
        });
      });
      const t = await openAwsTestAccount('ltr-aws-port-', () => [], {}, { awsEndpointPort: free });
      try {
        assert.equal(t.endpoint.url, `http://127.0.0.1:${free}`);
      } finally {
        await t.dispose();
      }
      await assert.rejects(
        openAwsTestAccount('ltr-aws-port-taken-', () => [], {}, { awsEndpointPort: port }),
        {
          message: new RegExp(
            `cannot listen on 127\\.0\\.0\\.1:${port} \\(the lambdaTrigger\\.awsEndpoint\\.port setting\\): .*EADDRINUSE`,
          ),
        },
      );
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});

describe('AWS endpoint: the workspace key file', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-aws-key-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('SDK-2: is made once, owner-only, and read back the same', () => {
    const key = loadEndpointKey(dir);
    assert.match(key.accessKeyId, /^LKIA[A-Z2-7]{16}$/);
    assert.equal(key.secretAccessKey.length, 40);
    if (process.platform !== 'win32') assert.equal(fs.statSync(path.join(dir, ENDPOINT_KEY_FILE)).mode & 0o777, 0o600);
    assert.deepEqual(loadEndpointKey(dir), key);
  });

  it('SDK-2: is replaced when others could read it, or when it is damaged', () => {
    const key = loadEndpointKey(dir);
    const file = path.join(dir, ENDPOINT_KEY_FILE);
    if (process.platform !== 'win32') {
      fs.chmodSync(file, 0o644);
      const replaced = loadEndpointKey(dir);
      assert.notEqual(replaced.accessKeyId, key.accessKeyId);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    }
    fs.writeFileSync(file, '{damaged', { mode: 0o600 });
    assert.match(loadEndpointKey(dir).accessKeyId, /^LKIA/);
  });
});
