/**
 * The wire protocols the AWS SDKs speak to the simulated services, and each one's error shape: AWS JSON 1.0 (SQS)
 * and 1.1 (EventBridge, Kinesis) with `__type`, the query protocol with XML (SNS), REST-JSON (Lambda) with the
 * `x-amzn-ErrorType` header. An AwsApiError thrown anywhere in a service becomes its protocol's error response.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type AwsProtocol =
  | { kind: 'json'; version: '1.0' | '1.1'; /** `com.amazonaws.sqs` prefixes SQS's `__type`. */ namespace?: string }
  | { kind: 'query'; xmlns: string }
  | { kind: 'restJson' };

export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** An error the service answers with, in its own shape. */
export class AwsApiError extends Error {
  constructor(
    /** The error code the SDK names its exception after: `QueueDoesNotExist`, `ResourceNotFoundException`. */
    readonly code: string,
    readonly status: number,
    message: string,
    readonly extra: {
      /** SQS (query-compatible JSON): the code of the query protocol, `AWS.SimpleQueueService.NonExistentQueue`. */
      queryCode?: string;
      /** Lambda's `Type`: User or Service. */
      lambdaType?: 'User' | 'Service';
    } = {},
  ) {
    super(message);
    this.name = code;
  }

  get fault(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** One request id per request, in every protocol's header (and the query protocol's body). */
export function newRequestId(): string {
  return randomUUID();
}

export function jsonResponse(
  protocol: Extract<AwsProtocol, { kind: 'json' }>,
  value: unknown,
  requestId: string,
): AwsResponse {
  return {
    status: 200,
    headers: { 'content-type': `application/x-amz-json-${protocol.version}`, 'x-amzn-requestid': requestId },
    body: JSON.stringify(value),
  };
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xmlText(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]).replace(/\r/g, '&#13;');
}

/** `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>...` */
export function queryResponse(
  protocol: Extract<AwsProtocol, { kind: 'query' }>,
  action: string,
  resultXml: string,
  requestId: string,
): AwsResponse {
  const body =
    `<${action}Response xmlns="${protocol.xmlns}"><${action}Result>${resultXml}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** The error in the shape `protocol` answers errors with. */
export function errorResponse(protocol: AwsProtocol, error: AwsApiError, requestId: string): AwsResponse {
  switch (protocol.kind) {
    case 'json': {
      const headers: Record<string, string> = {
        'content-type': `application/x-amz-json-${protocol.version}`,
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': error.code,
      };
      if (error.extra.queryCode) headers['x-amzn-query-error'] = `${error.extra.queryCode};${error.fault}`;
      const type = protocol.namespace ? `${protocol.namespace}#${error.code}` : error.code;
      return { status: error.status, headers, body: JSON.stringify({ __type: type, message: error.message }) };
    }
    case 'query':
      return {
        status: error.status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body:
          `<ErrorResponse xmlns="${protocol.xmlns}"><Error><Type>${error.fault}</Type>` +
          `<Code>${xmlText(error.code)}</Code><Message>${xmlText(error.message)}</Message></Error>` +
          `<RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 'restJson':
      return {
        status: error.status,
        headers: {
          'content-type': 'application/json',
          'x-amzn-requestid': requestId,
          'x-amzn-errortype': error.code,
        },
        body: JSON.stringify({
          Type: error.extra.lambdaType ?? (error.status >= 500 ? 'Service' : 'User'),
          message: error.message,
        }),
      };
  }
}

/**
 * The protocol an unknown service's SDK speaks, guessed from the request: a JSON target header, a query form, else
 * REST (JSON). Used to answer a service the runner does not simulate in a shape its SDK reads.
 */
export function guessedProtocol(headers: IncomingHttpHeaders): AwsProtocol {
  const contentType = String(headers['content-type'] ?? '');
  if (typeof headers['x-amz-target'] === 'string')
    return { kind: 'json', version: contentType.includes('1.0') ? '1.0' : '1.1' };
  if (contentType.startsWith('application/x-www-form-urlencoded'))
    return { kind: 'query', xmlns: 'https://amazonaws.com/doc/' };
  return { kind: 'restJson' };
}

/** The JSON body of a JSON-protocol request: an object, or the protocol's SerializationException. */
export function jsonBodyOf(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AwsApiError(
      'SerializationException',
      400,
      `The request body is not JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AwsApiError('SerializationException', 400, 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}
