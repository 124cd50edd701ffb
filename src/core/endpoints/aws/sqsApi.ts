/**
 * SQS in the AWS JSON 1.0 protocol the current SDKs and the AWS CLI speak (`X-Amz-Target: AmazonSQS.<Operation>`):
 * SendMessage(Batch), ReceiveMessage (with long polling), DeleteMessage(Batch), ChangeMessageVisibility, GetQueueUrl,
 * GetQueueAttributes, ListQueues and PurgeQueue on the account's local queues. Queue URLs point at this endpoint;
 * a deployed queue's URL or name reaches the local queue it stands for. Errors carry SQS's query-compatible codes
 * (`AWS.SimpleQueueService.NonExistentQueue`), as SQS answers them.
 */
import { localResourceName } from '../../account/eventResource';
import { ResourceNotFoundError } from '../../services/localServices';
import {
  MAX_SQS_MESSAGE_BYTES,
  md5OfMessageAttributes,
  type MessageAttributeValue,
  type SendMessageInput,
  type SqsMessage,
  type SqsQueue,
} from '../../services/sqsQueue';
import { ApiInput } from './apiInput';
import { callerRecordId, type AwsCall, type LocalAwsAccount } from './awsApiContext';
import { AwsApiError, jsonBodyOf, jsonResponse, type AwsProtocol, type AwsResponse } from './awsProtocol';

export const SQS_PROTOCOL: Extract<AwsProtocol, { kind: 'json' }> = {
  kind: 'json',
  version: '1.0',
  namespace: 'com.amazonaws.sqs',
};
export const SQS_TARGET_PREFIX = 'AmazonSQS.';

const MAX_BATCH_ENTRIES = 10;
/** How long a long poll waits between looks at the queue when nothing tells it a message arrived (visibility ends). */
const LONG_POLL_RECHECK_MS = 250;

// SDK-3: SQS's JSON errors carry the query protocol's code (x-amzn-query-error), which the SDKs read.
const sqsError = (code: string, queryCode: string, message: string, status = 400): AwsApiError =>
  new AwsApiError(code, status, message, { queryCode });
const invalidParameter = (message: string): AwsApiError =>
  sqsError('InvalidParameterValue', 'InvalidParameterValue', message);
const missingParameter = (message: string): AwsApiError => sqsError('MissingParameter', 'MissingParameter', message);
const queueDoesNotExist = (): AwsApiError =>
  sqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');

/** The queue URL of a local queue: `<endpoint>/<account id>/<name>`, as SQS's path-style URLs. */
export function localQueueUrl(endpointUrl: string, accountId: string, queueName: string): string {
  return `${endpointUrl}/${accountId}/${queueName}`;
}

/** The queue name in a queue URL (its last path segment), or the text itself when it is no URL. */
export function queueNameOfUrl(queueUrl: string): string {
  let path = queueUrl;
  try {
    path = new URL(queueUrl).pathname;
  } catch {
    // a bare name
  }
  const segments = path.split('/').filter((s) => s !== '');
  return decodeURIComponent(segments[segments.length - 1] ?? '');
}

type Handler = (input: ApiInput, call: AwsCall) => Promise<unknown>;

export class SqsApi {
  private readonly operations: Record<string, Handler> = {
    SendMessage: (i, c) => this.sendMessage(i, c),
    SendMessageBatch: (i, c) => this.sendMessageBatch(i, c),
    ReceiveMessage: (i, c) => this.receiveMessage(i, c),
    DeleteMessage: (i) => this.deleteMessage(i),
    DeleteMessageBatch: (i) => this.deleteMessageBatch(i),
    ChangeMessageVisibility: (i) => this.changeMessageVisibility(i),
    GetQueueUrl: (i, c) => Promise.resolve(this.getQueueUrl(i, c)),
    GetQueueAttributes: (i) => Promise.resolve(this.getQueueAttributes(i)),
    ListQueues: (i, c) => Promise.resolve(this.listQueues(i, c)),
    PurgeQueue: (i) => this.purgeQueue(i),
  };

  constructor(private readonly account: LocalAwsAccount) {}

  async handle(call: AwsCall, body: Buffer): Promise<AwsResponse> {
    return jsonResponse(SQS_PROTOCOL, await this.run(call, jsonBodyOf(body)), call.requestId);
  }

  /** Runs the call's operation on its parameters (a JSON body's, or a query form's read back into that shape). */
  async run(call: AwsCall, values: Record<string, unknown>): Promise<unknown> {
    const handler = Object.prototype.hasOwnProperty.call(this.operations, call.operation)
      ? this.operations[call.operation]
      : undefined;
    if (!handler)
      throw new AwsApiError(
        'UnsupportedOperation',
        400,
        `The local SQS does not support ${call.operation || 'this operation'}; it offers ${Object.keys(this.operations).join(', ')}.`,
        { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation' },
      );
    return handler(new ApiInput(values, invalidParameter, missingParameter), call);
  }

  private queueOf(input: ApiInput): SqsQueue {
    const name = localResourceName(
      queueNameOfUrl(input.requiredString('QueueUrl')),
      this.account.services.resourceNames('sqs'),
    );
    if (!name) throw queueDoesNotExist();
    try {
      return this.account.services.queue(name);
    } catch (err) {
      if (err instanceof ResourceNotFoundError) throw queueDoesNotExist();
      throw err;
    }
  }

  private sendInput(entry: ApiInput, queue: SqsQueue, cause: string | undefined): SendMessageInput {
    const body = entry.requiredString('MessageBody');
    if (body.length === 0) throw invalidParameter('The request must contain a non-empty message body.');
    const size = Buffer.byteLength(body);
    if (size > MAX_SQS_MESSAGE_BYTES)
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_SQS_MESSAGE_BYTES} bytes.`,
      );
    const delaySeconds = entry.optionalInteger('DelaySeconds', 0, 900);
    if (delaySeconds !== undefined && queue.fifo && delaySeconds > 0)
      throw invalidParameter(
        `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    const groupId = entry.optionalString('MessageGroupId');
    const dedupId = entry.optionalString('MessageDeduplicationId');
    if (queue.fifo && !groupId) throw missingParameter('The request must contain the parameter MessageGroupId.');
    const attributes = messageAttributesOf(entry.optionalObject('MessageAttributes'));
    return {
      body,
      ...(attributes ? { messageAttributes: attributes } : {}),
      ...(delaySeconds !== undefined ? { delaySeconds } : {}),
      ...(groupId !== undefined ? { messageGroupId: groupId } : {}),
      ...(dedupId !== undefined ? { messageDeduplicationId: dedupId } : {}),
      ...(cause ? { causeRecordId: cause } : {}),
    };
  }

  private async send(queue: SqsQueue, inputs: SendMessageInput[]): Promise<SqsMessage[]> {
    let messages: SqsMessage[];
    try {
      messages = await this.account.services.sendMessages(queue.name, inputs);
    } catch (err) {
      throw invalidParameter(err instanceof Error ? err.message : String(err));
    }
    this.account.onSdkWork?.();
    return messages;
  }

  private async sendMessage(input: ApiInput, call: AwsCall): Promise<unknown> {
    const queue = this.queueOf(input);
    const [message] = await this.send(queue, [this.sendInput(input, queue, callerRecordId(this.account, call))]);
    return sentEntry(message);
  }

  private async sendMessageBatch(input: ApiInput, call: AwsCall): Promise<unknown> {
    const queue = this.queueOf(input);
    const entries = checkBatch(input.objectList('Entries', true));
    const cause = callerRecordId(this.account, call);
    let total = 0;
    const successful: unknown[] = [];
    const failed: unknown[] = [];
    const accepted: Array<{ id: string; input: SendMessageInput }> = [];
    for (const entry of entries) {
      const id = entry.requiredString('Id');
      try {
        const send = this.sendInput(entry, queue, cause);
        total += Buffer.byteLength(send.body);
        accepted.push({ id, input: send });
      } catch (err) {
        if (!(err instanceof AwsApiError)) throw err;
        failed.push({ Id: id, SenderFault: true, Code: err.code, Message: err.message });
      }
    }
    if (total > MAX_SQS_MESSAGE_BYTES)
      throw sqsError(
        'BatchRequestTooLong',
        'AWS.SimpleQueueService.BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_SQS_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`,
      );
    if (accepted.length > 0) {
      const messages = await this.send(
        queue,
        accepted.map((a) => a.input),
      );
      messages.forEach((message, i) => successful.push({ Id: accepted[i].id, ...sentEntry(message) }));
    }
    return { Successful: successful, Failed: failed };
  }

  private async receiveMessage(input: ApiInput, call: AwsCall): Promise<unknown> {
    const queue = this.queueOf(input);
    const max = input.optionalInteger('MaxNumberOfMessages', 1, 10) ?? 1;
    const visibility = input.optionalInteger('VisibilityTimeout', 0, 43_200);
    const waitSeconds = input.optionalInteger('WaitTimeSeconds', 0, 20) ?? 0;
    const systemNames = [
      ...(input.optionalStringList('AttributeNames') ?? []),
      ...(input.optionalStringList('MessageSystemAttributeNames') ?? []),
    ];
    const attributeNames = input.optionalStringList('MessageAttributeNames') ?? [];
    let messages = this.receiveNow(queue, max, visibility);
    if (messages.length === 0 && waitSeconds > 0)
      messages = await this.longPoll(queue, max, visibility, waitSeconds, call.signal);
    await this.account.services.store.flush();
    if (messages.length === 0) return {};
    return { Messages: messages.map((m) => receivedEntry(m, systemNames, attributeNames)) };
  }

  private receiveNow(queue: SqsQueue, max: number, visibility: number | undefined): SqsMessage[] {
    const { messages } = queue.receive(max);
    if (visibility !== undefined) {
      const now = this.account.services.clock.now();
      for (const m of messages) queue.changeVisibility(m.messageId, now + visibility * 1000);
    }
    return messages;
  }

  /**
   * Waits up to `seconds` (wall time) for a message: woken by a send, and looking again as visibility ends. Ends
   * empty when the caller goes away or the endpoint closes.
   */
  private longPoll(
    queue: SqsQueue,
    max: number,
    visibility: number | undefined,
    seconds: number,
    signal: AbortSignal | undefined,
  ): Promise<SqsMessage[]> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (messages: SqsMessage[]): void => {
        if (done) return;
        done = true;
        subscription.dispose();
        clearInterval(recheck);
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        resolve(messages);
      };
      const look = (): void => {
        if (done) return;
        try {
          const messages = this.receiveNow(queue, max, visibility);
          if (messages.length > 0) finish(messages);
        } catch {
          finish([]); // the account closed under the poll
        }
      };
      const onAbort = (): void => finish([]);
      const subscription = queue.subscribe(() => setImmediate(look));
      const recheck = setInterval(look, LONG_POLL_RECHECK_MS);
      const deadline = setTimeout(() => finish([]), seconds * 1000);
      // A poll never keeps the process alive on its own.
      recheck.unref();
      deadline.unref();
      if (signal?.aborted) finish([]);
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The message a receipt handle was given for; a handle the queue never gave (or no longer holds) is undefined. */
  private messageOfHandle(queue: SqsQueue, handle: string): SqsMessage | undefined {
    return queue.messages().find((m) => m.receiptHandle === handle);
  }

  private checkHandle(handle: string): void {
    if (!/^[0-9a-f-]{36}$/.test(handle))
      throw sqsError(
        'ReceiptHandleIsInvalid',
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
      );
  }

  private async deleteMessage(input: ApiInput): Promise<unknown> {
    const queue = this.queueOf(input);
    const handle = input.requiredString('ReceiptHandle');
    this.checkHandle(handle);
    // A handle of a message already deleted is accepted, as SQS does.
    const message = this.messageOfHandle(queue, handle);
    if (message) queue.delete(message.messageId);
    await this.account.services.store.flush();
    return {};
  }

  private async deleteMessageBatch(input: ApiInput): Promise<unknown> {
    const queue = this.queueOf(input);
    const entries = checkBatch(input.objectList('Entries', true));
    const successful: unknown[] = [];
    const failed: unknown[] = [];
    for (const entry of entries) {
      const id = entry.requiredString('Id');
      const handle = entry.requiredString('ReceiptHandle');
      try {
        this.checkHandle(handle);
      } catch (err) {
        if (!(err instanceof AwsApiError)) throw err;
        failed.push({ Id: id, SenderFault: true, Code: err.code, Message: err.message });
        continue;
      }
      const message = this.messageOfHandle(queue, handle);
      if (message) queue.delete(message.messageId);
      successful.push({ Id: id });
    }
    await this.account.services.store.flush();
    return { Successful: successful, Failed: failed };
  }

  private async changeMessageVisibility(input: ApiInput): Promise<unknown> {
    const queue = this.queueOf(input);
    const handle = input.requiredString('ReceiptHandle');
    const timeout = input.optionalInteger('VisibilityTimeout', 0, 43_200);
    if (timeout === undefined) throw missingParameter('The request must contain the parameter VisibilityTimeout.');
    this.checkHandle(handle);
    const message = this.messageOfHandle(queue, handle);
    const now = this.account.services.clock.now();
    if (!message || message.visibleAt <= now)
      throw sqsError(
        'MessageNotInflight',
        'AWS.SimpleQueueService.MessageNotInflight',
        'The message referred to is not in flight.',
      );
    queue.changeVisibility(message.messageId, now + timeout * 1000);
    await this.account.services.store.flush();
    return {};
  }

  private getQueueUrl(input: ApiInput, call: AwsCall): unknown {
    const asked = input.requiredString('QueueName');
    const name = localResourceName(asked, this.account.services.resourceNames('sqs'));
    if (!name) throw queueDoesNotExist();
    return { QueueUrl: localQueueUrl(call.endpointUrl, this.account.location.accountId, name) };
  }

  private getQueueAttributes(input: ApiInput): unknown {
    const queue = this.queueOf(input);
    const names = input.optionalStringList('AttributeNames') ?? [];
    const all = queueAttributes(queue, this.account.services.clock.now());
    const wanted = names.includes('All') ? Object.keys(all) : names;
    const attributes: Record<string, string> = {};
    for (const name of wanted) {
      if (!KNOWN_QUEUE_ATTRIBUTES.has(name))
        throw sqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${name}.`);
      const value = all[name];
      if (value !== undefined) attributes[name] = value;
    }
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  }

  private listQueues(input: ApiInput, call: AwsCall): unknown {
    const prefix = input.optionalString('QueueNamePrefix') ?? '';
    const max = input.optionalInteger('MaxResults', 1, 1000);
    const names = this.account.services
      .resourceNames('sqs')
      .filter((n) => n.startsWith(prefix))
      .sort();
    const start = Number(input.optionalString('NextToken') ?? 0) || 0;
    const page = max === undefined ? names : names.slice(start, start + max);
    const urls = page.map((n) => localQueueUrl(call.endpointUrl, this.account.location.accountId, n));
    const next = max !== undefined && start + max < names.length ? { NextToken: String(start + max) } : {};
    return urls.length > 0 ? { QueueUrls: urls, ...next } : {};
  }

  private async purgeQueue(input: ApiInput): Promise<unknown> {
    const queue = this.queueOf(input);
    await this.account.services.purgeQueue(queue.name);
    return {};
  }
}

const KNOWN_QUEUE_ATTRIBUTES = new Set([
  'All',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'QueueArn',
  'VisibilityTimeout',
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
]);

function queueAttributes(queue: SqsQueue, now: number): Record<string, string> {
  let visible = 0;
  let delayed = 0;
  let inFlight = 0;
  for (const m of queue.messages()) {
    if (m.visibleAt <= now) visible++;
    else if (m.receiveCount === 0) delayed++;
    else inFlight++;
  }
  const s = queue.settings;
  const attributes: Record<string, string> = {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(visible),
    ApproximateNumberOfMessagesNotVisible: String(inFlight),
    ApproximateNumberOfMessagesDelayed: String(delayed),
    VisibilityTimeout: String(s.visibilityTimeoutSeconds ?? 30),
    DelaySeconds: String(s.delaySeconds ?? 0),
    MaximumMessageSize: String(MAX_SQS_MESSAGE_BYTES),
    MessageRetentionPeriod: String(queue.messageRetentionMs / 1000),
    ReceiveMessageWaitTimeSeconds: '0',
    SqsManagedSseEnabled: 'true',
  };
  if (s.redrivePolicy)
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: s.redrivePolicy.deadLetterTargetArn,
      maxReceiveCount: s.redrivePolicy.maxReceiveCount,
    });
  if (queue.fifo) {
    attributes.FifoQueue = 'true';
    attributes.ContentBasedDeduplication = String(s.contentBasedDeduplication ?? false);
  }
  return attributes;
}

function checkBatch(entries: ApiInput[]): ApiInput[] {
  if (entries.length === 0)
    throw sqsError(
      'EmptyBatchRequest',
      'AWS.SimpleQueueService.EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    );
  if (entries.length > MAX_BATCH_ENTRIES)
    throw sqsError(
      'TooManyEntriesInBatchRequest',
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = entry.requiredString('Id');
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id))
      throw sqsError(
        'InvalidBatchEntryId',
        'AWS.SimpleQueueService.InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    if (ids.has(id))
      throw sqsError(
        'BatchEntryIdsNotDistinct',
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
        `Id ${id} repeated.`,
      );
    ids.add(id);
  }
  return entries;
}

/** Message attributes as SendMessage takes them (`BinaryValue` base64 in JSON), checked as SQS checks them. */
function messageAttributesOf(
  value: Record<string, unknown> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (!value) return undefined;
  const names = Object.keys(value);
  if (names.length === 0) return undefined;
  if (names.length > 10)
    throw invalidParameter(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  const out: Record<string, MessageAttributeValue> = {};
  for (const name of names) {
    const a = value[name] as Partial<Record<string, unknown>> | null;
    const dataType = a && typeof a === 'object' ? a.DataType : undefined;
    if (typeof dataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(dataType))
      throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type.`);
    const stringValue = a!.StringValue;
    const binaryValue = a!.BinaryValue;
    if (dataType.startsWith('Binary')) {
      if (typeof binaryValue !== 'string')
        throw invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      out[name] = { DataType: dataType, BinaryValue: binaryValue };
    } else {
      if (typeof stringValue !== 'string')
        throw invalidParameter(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
        );
      if (dataType.startsWith('Number') && !Number.isFinite(Number(stringValue)))
        throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      out[name] = { DataType: dataType, StringValue: stringValue };
    }
  }
  return out;
}

function sentEntry(message: SqsMessage): Record<string, string> {
  const attributesMd5 = md5OfMessageAttributes(message.messageAttributes);
  return {
    MessageId: message.messageId,
    MD5OfMessageBody: message.md5OfBody,
    ...(attributesMd5 ? { MD5OfMessageAttributes: attributesMd5 } : {}),
    ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
  };
}

function receivedEntry(message: SqsMessage, systemNames: string[], attributeNames: string[]): unknown {
  const entry: Record<string, unknown> = {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  const system: Record<string, string> = {
    SenderId: message.senderId,
    SentTimestamp: String(Math.floor(message.sentAt)),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(Math.floor(message.firstReceiveAt ?? message.sentAt)),
    ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
    ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
    ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
    ...(message.deadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: message.deadLetterQueueSourceArn } : {}),
  };
  const wantAll = systemNames.includes('All');
  const attributes = Object.fromEntries(Object.entries(system).filter(([k]) => wantAll || systemNames.includes(k)));
  if (Object.keys(attributes).length > 0) entry.Attributes = attributes;
  const picked: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    const wanted = attributeNames.some(
      (w) => w === 'All' || w === '.*' || w === name || (w.endsWith('.*') && name.startsWith(w.slice(0, -1))),
    );
    if (wanted) picked[name] = value;
  }
  const md5 = md5OfMessageAttributes(picked);
  if (md5) {
    entry.MessageAttributes = picked;
    entry.MD5OfMessageAttributes = md5;
  }
  return entry;
}
