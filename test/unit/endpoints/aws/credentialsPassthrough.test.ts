/**
 * Opting in to pass the user's own credentials to handlers (the lambdaTrigger.awsCredentials setting, the CLI's
 * --aws-profile / --aws-credentials), as the SAM CLI does: handlers get the user's profile or credential variables
 * instead of the workspace key, calls to other services go to AWS (no catch-all endpoint), the simulated services
 * still go to the local endpoint, which then accepts the user's key as well.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queueUrl } from '../../../../src/core/resourceArn';
import { DEFAULT_LOCATION } from '../../../../src/core/awsLocation';
import { handlerAwsAccess, parseAwsCredentialsMode } from '../../../../src/core/endpoints/aws/handlerCredentials';
import { lambda, sqs } from '../../invoke/model';
import { openAwsTestAccount, type AwsTestAccount } from './awsTestAccount';
import { rejectsWith } from './sdkErrors';

const USER_KEY = { accessKeyId: 'AKIAUSEROWNKEY000001', secretAccessKey: 'user-own-secret-0000000000000000000000000' };
const PROFILE_KEY = {
  accessKeyId: 'AKIAPROFILEKEY000002',
  secretAccessKey: 'profile-secret-00000000000000000000000000',
};

const HANDLERS = {
  'environment.js': `exports.handler = async () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_')));\n`,
  'producer.js': `
const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
exports.handler = async (event) => {
  const sent = await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify(event) }));
  return sent.MessageId;
};
`,
  'consumer.js': `exports.handler = async () => {};\n`,
};

const functions = (dir: string) => [
  lambda('Environment', { handler: 'environment.handler', codeRoot: dir }),
  lambda('Producer', {
    handler: 'producer.handler',
    codeRoot: dir,
    timeout: 30,
    environment: { QUEUE_URL: queueUrl('Orders', DEFAULT_LOCATION) },
  }),
  lambda('Consumer', { handler: 'consumer.handler', codeRoot: dir, triggers: [sqs('Orders')] }),
];

describe('AWS endpoint: passing the user credentials to handlers', function () {
  this.timeout(60_000);

  it('SDK-5: reads the setting: none, environment, profile:<name>; anything else is not a mode', () => {
    assert.deepEqual(parseAwsCredentialsMode('none'), { kind: 'none' });
    assert.deepEqual(parseAwsCredentialsMode('environment'), { kind: 'environment' });
    assert.deepEqual(parseAwsCredentialsMode('profile:dev-admin'), { kind: 'profile', profile: 'dev-admin' });
    assert.equal(parseAwsCredentialsMode('profile:'), undefined);
    assert.equal(parseAwsCredentialsMode('all'), undefined);
  });

  it('SDK-5: keeps only URLs of local queues pointing at the endpoint; other values stay as they are', () => {
    const access = handlerAwsAccess({
      endpoint: { url: 'http://127.0.0.1:9', accessKeyId: 'LKIA', secretAccessKey: 's', region: 'us-east-1' },
      mode: { kind: 'none' },
      userEnv: {},
      functionName: 'F',
      accountId: '123456789012',
      localQueue: (name) => (name === 'Orders' || name === 'shop-dev-Orders-AbC' ? 'Orders' : undefined),
    });
    assert.equal(
      access.rewrite('https://sqs.eu-west-1.amazonaws.com/999999999999/shop-dev-Orders-AbC'),
      'http://127.0.0.1:9/123456789012/Orders',
    );
    assert.equal(
      access.rewrite('https://sqs.eu-west-1.amazonaws.com/999999999999/Other'),
      'https://sqs.eu-west-1.amazonaws.com/999999999999/Other',
    );
    assert.equal(access.rewrite('plain'), 'plain');
  });

  describe('environment', () => {
    let t: AwsTestAccount;
    before(async () => {
      t = await openAwsTestAccount('ltr-aws-env-creds-', functions, HANDLERS, {
        awsCredentials: { kind: 'environment' },
        userEnv: {
          HOME: os.tmpdir(),
          AWS_ACCESS_KEY_ID: USER_KEY.accessKeyId,
          AWS_SECRET_ACCESS_KEY: USER_KEY.secretAccessKey,
        },
      });
    });
    after(() => t?.dispose());

    it("SDK-5: handlers get the user's credential variables, the local endpoint for the simulated services only", async () => {
      const [record] = await t.account.invoke('Environment', '{}', 'sync');
      const env = record.attempts[0]?.result as Record<string, string>;
      assert.equal(env.AWS_ACCESS_KEY_ID, USER_KEY.accessKeyId);
      assert.equal(env.AWS_SECRET_ACCESS_KEY, USER_KEY.secretAccessKey);
      assert.equal(env.AWS_ENDPOINT_URL_SQS, t.endpoint.url);
      assert.equal(env.AWS_ENDPOINT_URL, undefined, 'other services go to AWS');
      assert.equal(env.AWS_REGION, DEFAULT_LOCATION.region, "the region stays the runner's");
    });

    it("SDK-5: the endpoint accepts the user's key as well as the workspace key, and still refuses others", async () => {
      const asUser = new SQSClient({ ...t.client, credentials: USER_KEY });
      const asStranger = new SQSClient({
        ...t.client,
        credentials: { ...USER_KEY, accessKeyId: 'AKIASOMEONEELSE00003' },
      });
      try {
        assert.ok((await asUser.send(new ListQueuesCommand({}))).QueueUrls?.length);
        await rejectsWith(asStranger.send(new ListQueuesCommand({})), 'InvalidClientTokenId', 403);
      } finally {
        asUser.destroy();
        asStranger.destroy();
      }
    });

    it('SDK-5: a producer signing with the user credentials still feeds the local queue and its consumer', async () => {
      const [producer] = await t.account.invoke('Producer', '{"n":1}', 'sync');
      assert.equal(producer.status, 'succeeded', JSON.stringify(producer.attempts[0]?.error));
      const consumer = t.account.engine.records().find((r) => r.functionName === 'Consumer');
      assert.equal(consumer?.status, 'succeeded');
    });
  });

  describe('profile', () => {
    let t: AwsTestAccount;
    let home: string;
    before(async () => {
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-aws-profile-home-'));
      const credentials = path.join(home, 'credentials');
      fs.writeFileSync(
        credentials,
        `[default]\naws_access_key_id = AKIADEFAULT000000000\naws_secret_access_key = nope\n\n[dev]\naws_access_key_id = ${PROFILE_KEY.accessKeyId}\naws_secret_access_key = ${PROFILE_KEY.secretAccessKey}\n`,
      );
      t = await openAwsTestAccount('ltr-aws-profile-creds-', functions, HANDLERS, {
        awsCredentials: { kind: 'profile', profile: 'dev' },
        userEnv: { HOME: home, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: path.join(home, 'config') },
      });
    });
    after(async () => {
      await t?.dispose();
      fs.rmSync(home, { recursive: true, force: true });
    });

    it('SDK-5: handlers get AWS_PROFILE and the files, no key of their own; their SDK reads the profile and reaches the local queue', async () => {
      const [record] = await t.account.invoke('Environment', '{}', 'sync');
      const env = record.attempts[0]?.result as Record<string, string>;
      assert.equal(env.AWS_PROFILE, 'dev');
      assert.equal(env.AWS_ACCESS_KEY_ID, undefined);
      assert.equal(env.AWS_ENDPOINT_URL, undefined);
      const [producer] = await t.account.invoke('Producer', '{"n":2}', 'sync');
      assert.equal(producer.status, 'succeeded', JSON.stringify(producer.attempts[0]?.error));
      assert.ok(t.account.engine.records().some((r) => r.functionName === 'Consumer' && r.status === 'succeeded'));
    });
  });
});
