/**
 * The local SQS through the real AWS SDK for JavaScript v3 client: every operation the endpoint offers, with SQS's
 * own answers (queue URLs, message ids, MD5 digests) and errors (a queue that does not exist, a bad parameter, a
 * body that is not JSON).
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsApi } from '../../../../src/core/endpoints/aws/sqsApi';
import { md5OfMessageAttributes } from '../../../../src/core/services/sqsQueue';
import { segmentsText } from '../../../support/storeSegments';
import { openAwsTestAccount, type AwsTestAccount } from './awsTestAccount';
import { rejectsWith } from './sdkErrors';
import { signedFetch } from './signedFetch';

describe('AWS endpoint: SQS through the AWS SDK', function () {
  this.timeout(30_000);
  let t: AwsTestAccount;
  let sqs: SQSClient;
  let ordersUrl: string;

  before(async () => {
    t = await openAwsTestAccount('ltr-aws-sqs-', () => []);
    t.account.services.declare({
      queues: [
        { name: 'Orders', visibilityTimeoutSeconds: 45 },
        { name: 'Shop-dev-Invoices-AbC123' },
        { name: 'Events.fifo', fifo: true },
      ],
    });
    sqs = new SQSClient(t.client);
    ordersUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'Orders' }))).QueueUrl!;
  });
  after(async () => {
    sqs?.destroy();
    await t?.dispose();
  });
  afterEach(async () => {
    for (const name of t.account.services.resourceNames('sqs')) await t.account.services.purgeQueue(name);
  });

  it('SDK-3: GetQueueUrl answers a path-style URL on the endpoint, under the account id', () => {
    assert.equal(ordersUrl, `${t.endpoint.url}/${t.account.location.accountId}/Orders`);
  });

  it('SDK-3: SendMessage puts the message on the local queue with its id and MD5 digests', async () => {
    const attributes = {
      kind: { DataType: 'String', StringValue: 'order' },
      n: { DataType: 'Number', StringValue: '3' },
    };
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: ordersUrl, MessageBody: 'hello', MessageAttributes: attributes }),
    );
    assert.equal(sent.MD5OfMessageBody, createHash('md5').update('hello').digest('hex'));
    assert.equal(sent.MD5OfMessageAttributes, md5OfMessageAttributes(attributes));
    const queued = t.account.services.queueMessages('Orders');
    assert.deepEqual(
      queued.map((m) => [m.messageId, m.body]),
      [[sent.MessageId, 'hello']],
    );
  });

  it('SDK-3: a deployed queue URL (other host, stack-suffixed name) reaches the local queue it stands for', async () => {
    const deployed = 'https://sqs.us-east-1.amazonaws.com/123456789012/shop-dev-Orders-XyZ789';
    const client = new SQSClient({ ...t.client, useQueueUrlAsEndpoint: false });
    try {
      await client.send(new SendMessageCommand({ QueueUrl: deployed, MessageBody: 'deployed' }));
    } finally {
      client.destroy();
    }
    assert.deepEqual(
      t.account.services.queueMessages('Orders').map((m) => m.body),
      ['deployed'],
    );
  });

  it('SDK-3: ReceiveMessage, ChangeMessageVisibility and DeleteMessage work on receipt handles', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: ordersUrl, MessageBody: 'one' }));
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: ordersUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    assert.equal(received.Messages?.length, 1);
    const [message] = received.Messages;
    assert.equal(message.Body, 'one');
    assert.equal(message.Attributes?.ApproximateReceiveCount, '1');
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl }))).Messages, undefined);

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: ordersUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl }));
    assert.equal(again.Messages?.[0]?.MessageId, message.MessageId, 'visible again after its visibility was set to 0');

    await sqs.send(new DeleteMessageCommand({ QueueUrl: ordersUrl, ReceiptHandle: again.Messages![0].ReceiptHandle }));
    assert.equal(t.account.services.queueMessages('Orders').length, 0);
  });

  it('SQS-2: a ReceiveMessage answer comes once its receive is on disk (a kill after it keeps the message in flight)', async () => {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: ordersUrl, MessageBody: 'kept in flight' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl }));
    assert.equal(received.Messages?.[0]?.MessageId, sent.MessageId);
    // Read at once: a receive the engine makes for itself may wait for the next commit; one it answers may not.
    const written = segmentsText(path.join(t.dir, '.lambda-trigger', 'store'));
    assert.match(written, new RegExp(`"messageId":"${sent.MessageId}"[^\\n]*"receiveCount":1`));
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: ordersUrl, ReceiptHandle: received.Messages![0].ReceiptHandle }),
    );
  });

  it('SDK-3: ReceiveMessage with WaitTimeSeconds returns as soon as a message is sent', async () => {
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl, WaitTimeSeconds: 20 }));
    await t.account.services.sendMessage('Orders', { body: 'late' });
    const received = await polling;
    assert.equal(received.Messages?.[0]?.Body, 'late');
  });

  it('SDK-3: a long poll its caller abandons stops waiting: a message sent afterwards stays in the queue', async () => {
    const { account } = t;
    const api = new SqsApi({
      location: account.location,
      services: account.services,
      engine: account.engine,
      functions: () => account.functions(),
      atConcurrencyLimit: () => false,
    });
    const abandon = new AbortController();
    const call = { requestId: 'r', service: 'sqs', operation: 'ReceiveMessage', endpointUrl: t.endpoint.url };
    const polling = api.run({ ...call, signal: abandon.signal }, { QueueUrl: ordersUrl, WaitTimeSeconds: 20 });
    abandon.abort();
    await account.services.sendMessage('Orders', { body: 'probe' });
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl }));
    assert.equal(received.Messages?.[0]?.Body, 'probe', 'no abandoned poll took it');
    assert.deepEqual(await polling, {}, 'the abandoned poll ended empty');
  });

  it('SDK-3: SendMessageBatch and DeleteMessageBatch answer per entry', async () => {
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: ordersUrl,
        Entries: [
          { Id: 'a', MessageBody: 'first' },
          { Id: 'b', MessageBody: 'second' },
          { Id: 'c', MessageBody: 'third', DelaySeconds: 901 },
        ],
      }),
    );
    assert.deepEqual(
      sent.Failed?.map((f) => [f.Id, f.Code, f.SenderFault]),
      [['c', 'InvalidParameterValue', true]],
    );
    assert.deepEqual(sent.Successful?.map((s) => s.Id).sort(), ['a', 'b']);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl, MaxNumberOfMessages: 10 }));
    assert.equal(received.Messages?.length, 2);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: ordersUrl,
        Entries: [
          ...received.Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
          { Id: 'bad', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );
    assert.deepEqual(deleted.Successful?.map((s) => s.Id).sort(), ['d0', 'd1']);
    assert.deepEqual(
      deleted.Failed?.map((f) => [f.Id, f.Code]),
      [['bad', 'ReceiptHandleIsInvalid']],
    );
    assert.equal(t.account.services.queueMessages('Orders').length, 0);
  });

  it('SDK-3: a FIFO queue needs a group id and answers sequence numbers', async () => {
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'Events.fifo' }))).QueueUrl!;
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'e', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }),
    );
    assert.match(sent.SequenceNumber ?? '', /^\d{20}$/);
    await rejectsWith(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'e' })), 'MissingParameter', 400);
  });

  it('SDK-3: GetQueueAttributes, ListQueues and PurgeQueue', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: ordersUrl, MessageBody: 'x' }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: ordersUrl, AttributeNames: ['All'] }),
    );
    assert.equal(Attributes?.QueueArn, t.account.services.queue('Orders').arn);
    assert.equal(Attributes?.ApproximateNumberOfMessages, '1');
    assert.equal(Attributes?.VisibilityTimeout, '45');
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'Ord' }));
    assert.deepEqual(listed.QueueUrls, [ordersUrl]);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: ordersUrl }));
    assert.equal(t.account.services.queueMessages('Orders').length, 0);
  });

  it('SDK-3: a queue that does not exist is QueueDoesNotExist, with SQS query-compatible code', async () => {
    const error = await sqs
      .send(new SendMessageCommand({ QueueUrl: `${t.endpoint.url}/000000000000/Nope`, MessageBody: 'x' }))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof QueueDoesNotExist, `got ${String(error)}`);
    assert.equal(error.$metadata.httpStatusCode, 400);
    assert.equal((error as unknown as { Code?: string }).Code, 'AWS.SimpleQueueService.NonExistentQueue');
    await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: 'Nope' })), { name: 'QueueDoesNotExist' });
  });

  it('SDK-3: bad parameters are 400 InvalidParameterValue; a body that is not JSON is a 400 too', async () => {
    await rejectsWith(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: ordersUrl, MaxNumberOfMessages: 11 })),
      'InvalidParameterValue',
      400,
    );
    const raw = await signedFetch(
      t,
      'sqs',
      { 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0' },
      '{not json',
    );
    assert.equal(raw.status, 400);
    assert.match(JSON.stringify(raw.body), /SerializationException/);
  });

  it('SDK-3: the older query protocol (form in, XML out) sends, receives and names errors by their query codes', async () => {
    const form = (fields: Record<string, string>): string =>
      new URLSearchParams({ Version: '2012-11-05', ...fields }).toString();
    const post = (fields: Record<string, string>) =>
      signedFetch(t, 'sqs', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, form(fields));
    const sent = await post({
      Action: 'SendMessage',
      QueueUrl: ordersUrl,
      MessageBody: 'from a form',
      'MessageAttribute.1.Name': 'kind',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'legacy',
    });
    assert.equal(sent.status, 200, sent.text);
    const [message] = t.account.services.queueMessages('Orders');
    assert.match(
      sent.text,
      new RegExp(
        `<SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult><MessageId>${message.messageId}</MessageId><MD5OfMessageBody>${message.md5OfBody}</MD5OfMessageBody>`,
      ),
    );
    const received = await post({
      Action: 'ReceiveMessage',
      QueueUrl: ordersUrl,
      'AttributeName.1': 'All',
      'MessageAttributeName.1': 'All',
    });
    assert.match(
      received.text,
      /<Message><MessageId>[^<]+<\/MessageId><ReceiptHandle>[^<]+<\/ReceiptHandle><MD5OfBody>[0-9a-f]{32}<\/MD5OfBody><Body>from a form<\/Body>/,
    );
    assert.match(received.text, /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
    assert.match(
      received.text,
      /<MessageAttribute><Name>kind<\/Name><Value><StringValue>legacy<\/StringValue><DataType>String<\/DataType><\/Value><\/MessageAttribute>/,
    );
    const missing = await post({ Action: 'GetQueueUrl', QueueName: 'Nope' });
    assert.equal(missing.status, 400);
    assert.match(missing.text, /<Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code>/);
  });
});
