/**
 * SNS in the query protocol with XML responses, as the SDKs speak it: Publish, PublishBatch and ListTopics on the
 * account's local topics. A published message fans out to the topic's subscribed queues and functions (filter
 * policies apply) through the one delivery function, as on AWS.
 */
import { localResourceName } from '../../account/eventResource';
import type { SnsTopic } from '../../services/snsTopic';
import type { MessageAttributeValue } from '../../services/sqsQueue';
import { callerRecordId, type AwsCall, type LocalAwsAccount } from './awsApiContext';
import { AwsApiError, queryResponse, xmlText, type AwsProtocol, type AwsResponse } from './awsProtocol';
import { listMembers, mapEntries, queryFormOf, type QueryForm } from './queryForm';

export const SNS_PROTOCOL: Extract<AwsProtocol, { kind: 'query' }> = {
  kind: 'query',
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
};

/** SNS's limit on a message: 256 KB. */
const MAX_MESSAGE_BYTES = 262_144;
const MAX_BATCH_ENTRIES = 10;

const invalidParameter = (message: string): AwsApiError => new AwsApiError('InvalidParameter', 400, message);
const topicNotFound = (): AwsApiError => new AwsApiError('NotFound', 404, 'Topic does not exist');

interface PublishRequest {
  message: string;
  subject?: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
}

export class SnsApi {
  constructor(private readonly account: LocalAwsAccount) {}

  /** The operation a query form names (`Action`). */
  static operationOf(body: Buffer): string {
    return queryFormOf(body).get('Action') ?? '';
  }

  async handle(call: AwsCall, body: Buffer): Promise<AwsResponse> {
    const form = queryFormOf(body);
    switch (call.operation) {
      case 'Publish':
        return this.publish(form, call);
      case 'PublishBatch':
        return this.publishBatch(form, call);
      case 'ListTopics':
        return this.listTopics(form, call);
      default:
        throw new AwsApiError(
          'InvalidAction',
          400,
          `The local SNS does not support ${call.operation || 'this action'}; it offers Publish, PublishBatch and ListTopics.`,
        );
    }
  }

  private topicOf(form: QueryForm): SnsTopic {
    const arn = form.get('TopicArn') ?? form.get('TargetArn');
    if (arn === undefined) {
      if (form.has('PhoneNumber'))
        throw invalidParameter('Invalid parameter: PhoneNumber (the local SNS has topics only, no SMS)');
      throw invalidParameter('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    }
    const parts = arn.split(':');
    if (parts.length !== 6 || parts[0] !== 'arn' || parts[2] !== 'sns')
      throw invalidParameter('Invalid parameter: TopicArn');
    const name = localResourceName(parts[5], this.account.services.resourceNames('sns'));
    if (!name) throw topicNotFound();
    return this.account.services.topic(name);
  }

  private async put(topic: SnsTopic, requests: PublishRequest[], call: AwsCall): Promise<string[]> {
    const cause = callerRecordId(this.account, call);
    let results;
    try {
      results = topic.put(requests.map((r) => ({ ...r, ...(cause ? { causeRecordId: cause } : {}) })));
    } catch (err) {
      throw invalidParameter(`Invalid parameter: ${err instanceof Error ? err.message : String(err)}`);
    }
    await this.account.services.store.flush();
    this.account.onSdkWork?.();
    return results.map((r) => r.messageId);
  }

  private async publish(form: QueryForm, call: AwsCall): Promise<AwsResponse> {
    const topic = this.topicOf(form);
    const [messageId] = await this.put(topic, [publishRequestOf(form)], call);
    return queryResponse(SNS_PROTOCOL, 'Publish', `<MessageId>${messageId}</MessageId>`, call.requestId);
  }

  private async publishBatch(form: QueryForm, call: AwsCall): Promise<AwsResponse> {
    const topic = this.topicOf(form);
    const members = listMembers(form, 'PublishBatchRequestEntries');
    if (members.length === 0)
      throw new AwsApiError('EmptyBatchRequest', 400, 'The batch request does not contain any entries.');
    if (members.length > MAX_BATCH_ENTRIES)
      throw new AwsApiError(
        'TooManyEntriesInBatchRequest',
        400,
        `The batch request contains more entries than permissible (${MAX_BATCH_ENTRIES}).`,
      );
    const ids = members.map((m) => m.get('Id') ?? '');
    if (ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id)))
      throw new AwsApiError(
        'InvalidBatchEntryId',
        400,
        'The Id of a batch entry in a batch request does not abide by the specification.',
      );
    if (new Set(ids).size !== ids.length)
      throw new AwsApiError(
        'BatchEntryIdsNotDistinct',
        400,
        'Two or more batch entries in the request have the same Id.',
      );
    const accepted: Array<{ id: string; request: PublishRequest }> = [];
    const failed: string[] = [];
    members.forEach((member, i) => {
      try {
        accepted.push({ id: ids[i], request: publishRequestOf(member) });
      } catch (err) {
        if (!(err instanceof AwsApiError)) throw err;
        failed.push(
          `<member><Id>${xmlText(ids[i])}</Id><Code>${err.code}</Code><Message>${xmlText(err.message)}</Message><SenderFault>true</SenderFault></member>`,
        );
      }
    });
    const messageIds =
      accepted.length > 0
        ? await this.put(
            topic,
            accepted.map((a) => a.request),
            call,
          )
        : [];
    const successful = accepted.map(
      (a, i) => `<member><Id>${xmlText(a.id)}</Id><MessageId>${messageIds[i]}</MessageId></member>`,
    );
    return queryResponse(
      SNS_PROTOCOL,
      'PublishBatch',
      `<Successful>${successful.join('')}</Successful><Failed>${failed.join('')}</Failed>`,
      call.requestId,
    );
  }

  private listTopics(form: QueryForm, call: AwsCall): AwsResponse {
    const names = this.account.services.resourceNames('sns').sort();
    const start = Number(form.get('NextToken') ?? 0) || 0;
    const page = names.slice(start, start + 100);
    const members = page
      .map((n) => `<member><TopicArn>${xmlText(this.account.services.topic(n).arn)}</TopicArn></member>`)
      .join('');
    const next = start + 100 < names.length ? `<NextToken>${start + 100}</NextToken>` : '';
    return queryResponse(SNS_PROTOCOL, 'ListTopics', `<Topics>${members}</Topics>${next}`, call.requestId);
  }
}

/** Message, Subject, MessageStructure and MessageAttributes of a Publish (or a batch entry), checked as SNS does. */
function publishRequestOf(form: QueryForm): PublishRequest {
  let message = form.get('Message');
  if (message === undefined || message === '')
    throw invalidParameter('Invalid parameter: Message Reason: Empty message');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalidParameter('Invalid parameter: Message too long');
  if (form.get('MessageStructure') === 'json') {
    // One message per protocol: the local subscribers (queues, functions) read theirs, else the default.
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
    }
    const byProtocol = parsed as Record<string, unknown> | null;
    if (typeof byProtocol !== 'object' || byProtocol === null || typeof byProtocol.default !== 'string')
      throw invalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
    message = byProtocol.default;
  }
  const subject = form.get('Subject');
  if (subject !== undefined && (subject.length === 0 || subject.length > 100 || /[\r\n]/.test(subject)))
    throw invalidParameter('Invalid parameter: Subject');
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of mapEntries(form, 'MessageAttributes')) {
    const dataType = value.get('DataType');
    if (!dataType || !/^(String|Number|Binary)(\..+)?$/.test(dataType))
      throw invalidParameter(
        `Invalid parameter: MessageAttributes Reason: The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    const stringValue = value.get('StringValue');
    const binaryValue = value.get('BinaryValue');
    if (dataType.startsWith('Binary') ? binaryValue === undefined : stringValue === undefined)
      throw invalidParameter(
        `Invalid parameter: MessageAttributes Reason: The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
      );
    attributes[name] = dataType.startsWith('Binary')
      ? { DataType: dataType, BinaryValue: binaryValue! }
      : { DataType: dataType, StringValue: stringValue! };
  }
  return {
    message,
    ...(subject !== undefined ? { subject } : {}),
    ...(Object.keys(attributes).length > 0 ? { messageAttributes: attributes } : {}),
  };
}
