/**
 * SQS in the older query protocol (form bodies, XML answers) that SDKs before SQS's JSON protocol speak (the AWS SDK
 * for JavaScript v2, older boto3): the form is read back into the JSON protocol's parameters, the same operations run,
 * and their results and errors are written as SQS's XML (errors under the query codes,
 * `AWS.SimpleQueueService.NonExistentQueue`).
 */
import type { AwsCall } from './awsApiContext';
import { AwsApiError, errorResponse, queryResponse, xmlText, type AwsProtocol, type AwsResponse } from './awsProtocol';
import { queryFormOf, subForm, type QueryForm } from './queryForm';
import type { SqsApi } from './sqsApi';

export const SQS_QUERY_PROTOCOL: Extract<AwsProtocol, { kind: 'query' }> = {
  kind: 'query',
  xmlns: 'http://queue.amazonaws.com/doc/2012-11-05/',
};

/** A query request is a form body with an Action. */
export function isSqsQueryRequest(contentType: string | undefined): boolean {
  return (contentType ?? '').startsWith('application/x-www-form-urlencoded');
}

/** `Name.1`, `Name.2` ... (SQS's flattened lists), in order until one is missing. */
function flatList(form: QueryForm, name: string): string[] | undefined {
  const values: string[] = [];
  for (let n = 1; form.has(`${name}.${n}`); n++) values.push(form.get(`${name}.${n}`)!);
  return values.length > 0 ? values : undefined;
}

/** `MessageAttribute.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue` as a map. */
function messageAttributes(form: QueryForm): Record<string, Record<string, string>> | undefined {
  const out: Record<string, Record<string, string>> = {};
  for (let n = 1; form.has(`MessageAttribute.${n}.Name`); n++) {
    const value = subForm(form, `MessageAttribute.${n}.Value`);
    out[form.get(`MessageAttribute.${n}.Name`)!] = Object.fromEntries(value);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const SCALARS = [
  'QueueUrl',
  'QueueName',
  'QueueNamePrefix',
  'MessageBody',
  'DelaySeconds',
  'MessageGroupId',
  'MessageDeduplicationId',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
  'ReceiptHandle',
  'MaxResults',
  'NextToken',
  'Id',
];

/** The JSON protocol's parameters of a form (or of one batch entry of it). */
function parametersOf(form: QueryForm): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const name of SCALARS) if (form.has(name)) values[name] = form.get(name);
  const lists: Array<[string, string]> = [
    ['AttributeName', 'AttributeNames'],
    ['MessageSystemAttributeName', 'MessageSystemAttributeNames'],
    ['MessageAttributeName', 'MessageAttributeNames'],
  ];
  for (const [flat, name] of lists) {
    const list = flatList(form, flat);
    if (list) values[name] = list;
  }
  const attributes = messageAttributes(form);
  if (attributes) values.MessageAttributes = attributes;
  for (const batch of ['SendMessageBatchRequestEntry', 'DeleteMessageBatchRequestEntry']) {
    const entries: Record<string, unknown>[] = [];
    for (let n = 1; ; n++) {
      const entry = subForm(form, `${batch}.${n}`);
      if (entry.size === 0) break;
      entries.push(parametersOf(entry));
    }
    if (entries.length > 0) values.Entries = entries;
  }
  return values;
}

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  const text =
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : JSON.stringify(value);
  return `<${name}>${xmlText(text)}</${name}>`;
}

function attributeList(tag: string, attributes: unknown): string {
  return Object.entries((attributes ?? {}) as Record<string, string>)
    .map(([name, value]) => `<${tag}>${element('Name', name)}${element('Value', value)}</${tag}>`)
    .join('');
}

function messageXml(message: Record<string, unknown>): string {
  const attributes = (message.MessageAttributes ?? {}) as Record<string, Record<string, string>>;
  return (
    `<Message>${['MessageId', 'ReceiptHandle', 'MD5OfBody', 'Body'].map((k) => element(k, message[k])).join('')}` +
    attributeList('Attribute', message.Attributes) +
    element('MD5OfMessageAttributes', message.MD5OfMessageAttributes) +
    Object.entries(attributes)
      .map(
        ([name, v]) =>
          `<MessageAttribute>${element('Name', name)}<Value>${element('StringValue', v.StringValue)}` +
          `${element('BinaryValue', v.BinaryValue)}${element('DataType', v.DataType)}</Value></MessageAttribute>`,
      )
      .join('') +
    `</Message>`
  );
}

/** An operation's JSON result as SQS's XML result element's content. */
function resultXml(operation: string, result: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (key === 'Messages') parts.push(...(value as Record<string, unknown>[]).map(messageXml));
    else if (key === 'Attributes') parts.push(attributeList('Attribute', value));
    else if (key === 'QueueUrls') parts.push(...(value as string[]).map((url) => element('QueueUrl', url)));
    else if (key === 'Successful')
      parts.push(
        ...(value as Record<string, unknown>[]).map(
          (entry) =>
            `<${operation}ResultEntry>${Object.entries(entry)
              .map(([k, v]) => element(k, v))
              .join('')}</${operation}ResultEntry>`,
        ),
      );
    else if (key === 'Failed')
      parts.push(
        ...(value as Record<string, unknown>[]).map(
          (entry) =>
            `<BatchResultErrorEntry>${Object.entries(entry)
              .map(([k, v]) => element(k, v))
              .join('')}</BatchResultErrorEntry>`,
        ),
      );
    else parts.push(element(key, value));
  }
  return parts.join('');
}

/** Answers a query-protocol SQS request. */
export async function handleSqsQuery(api: SqsApi, call: AwsCall, body: Buffer): Promise<AwsResponse> {
  const form = queryFormOf(body);
  const operation = form.get('Action') ?? '';
  const queryCall = { ...call, operation };
  try {
    const result = (await api.run(queryCall, parametersOf(form))) as Record<string, unknown>;
    return queryResponse(SQS_QUERY_PROTOCOL, operation, resultXml(operation, result), call.requestId);
  } catch (err) {
    if (!(err instanceof AwsApiError)) throw err;
    // The query protocol names errors by their query codes.
    const error = new AwsApiError(err.extra.queryCode ?? err.code, err.status, err.message);
    return errorResponse(SQS_QUERY_PROTOCOL, error, call.requestId);
  }
}
