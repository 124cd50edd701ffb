/**
 * Lambda in REST-JSON, as the SDKs call it: Invoke (X-Amz-Invocation-Type RequestResponse, Event or DryRun; X-Amz-Log-Type
 * Tail answers the log's last 4 KB in X-Amz-Log-Result; a function error is X-Amz-Function-Error on a 200),
 * InvokeWithResponseStream (the response in the binary event-stream encoding), GetFunction, GetFunctionConfiguration
 * and ListFunctions. An invocation runs the local function through the engine under Lambda's sync or async
 * semantics; its record says the SDK call started it, and continues the story of the calling handler's invocation.
 */
import type { FunctionConfig } from '../../discovery/functionConfig';
import type { InvocationRecord } from '../../invoke/invocationRecord';
import { LambdaServiceError } from '../../invoke/lambdaServiceError';
import { InvokeRequestError } from '../../runtime/environmentPool';
import { localResourceName } from '../../account/eventResource';
import { functionArn } from '../../resourceArn';
import { sdkSource, type AwsCall, type LocalAwsAccount } from './awsApiContext';
import { AwsApiError, type AwsResponse } from './awsProtocol';
import { eventMessage } from './eventStream';

/** Lambda's Invoke answers the last 4 KB of the log when asked for its tail. */
const LOG_TAIL_BYTES = 4096;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const STREAM_PATH = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations\/?$/;
const FUNCTION_PATH = /^\/2015-03-31\/functions\/([^/]+)\/?$/;
const CONFIGURATION_PATH = /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/;
const LIST_PATH = /^\/2015-03-31\/functions\/?$/;

/** The operation a request's method and path name, or undefined. */
export function lambdaOperationOf(method: string, path: string): string | undefined {
  if (method === 'POST' && INVOKE_PATH.test(path)) return 'Invoke';
  if (method === 'POST' && STREAM_PATH.test(path)) return 'InvokeWithResponseStream';
  if (method === 'GET' && LIST_PATH.test(path)) return 'ListFunctions';
  if (method === 'GET' && CONFIGURATION_PATH.test(path)) return 'GetFunctionConfiguration';
  if (method === 'GET' && FUNCTION_PATH.test(path)) return 'GetFunction';
  return undefined;
}

const notFound = (name: string, account: LocalAwsAccount): AwsApiError =>
  new AwsApiError('ResourceNotFoundException', 404, `Function not found: ${functionArn(name, account.location)}`);

export interface LambdaRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class LambdaApi {
  constructor(private readonly account: LocalAwsAccount) {}

  async handle(call: AwsCall, request: LambdaRequest): Promise<AwsResponse> {
    const segment = (re: RegExp): string => decodeURIComponent(re.exec(request.path)?.[1] ?? '');
    switch (call.operation) {
      case 'Invoke':
        return this.invoke(call, request, this.functionNamed(segment(INVOKE_PATH)), false);
      case 'InvokeWithResponseStream':
        return this.invoke(call, request, this.functionNamed(segment(STREAM_PATH)), true);
      case 'GetFunction': {
        const fn = this.functionNamed(segment(FUNCTION_PATH));
        return json(call, 200, {
          Configuration: this.configurationOf(fn),
          Code: { RepositoryType: 'S3' },
          Tags: {},
        });
      }
      case 'GetFunctionConfiguration':
        return json(call, 200, this.configurationOf(this.functionNamed(segment(CONFIGURATION_PATH))));
      case 'ListFunctions':
        return this.listFunctions(call, request.query);
      default:
        throw new AwsApiError(
          'UnknownOperationException',
          404,
          `The local Lambda does not support ${request.method} ${request.path}; it offers Invoke, InvokeWithResponseStream, GetFunction, GetFunctionConfiguration and ListFunctions.`,
        );
    }
  }

  /**
   * The local function a FunctionName stands for: a name, `name:qualifier`, a full or partial ARN, or a deployed
   * name (`shop-dev-Consumer-AbC123`) mapped to the local function the way queues and topics are.
   */
  private functionNamed(asked: string): FunctionConfig {
    let name = asked;
    const arn = /^(?:arn:[^:]+:lambda:[^:]*:)?(?:\d{12}:)?function:([^:]+)(?::[^:]+)?$/.exec(asked);
    if (arn) name = arn[1];
    else if (/^[^:]+:[^:]+$/.test(asked)) name = asked.split(':')[0];
    if (!/^[A-Za-z0-9_-]{1,140}$/.test(name))
      throw new AwsApiError(
        'ValidationException',
        400,
        `1 validation error detected: Value '${asked}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
      );
    const functions = this.account.functions();
    const exact = functions.find((f) => f.name === name) ?? functions.find((f) => f.physicalName === name);
    if (exact) return exact;
    const local = localResourceName(
      name,
      functions.map((f) => f.name),
    );
    const fn = local ? functions.find((f) => f.name === local) : undefined;
    if (!fn) throw notFound(name, this.account);
    return fn;
  }

  private configurationOf(fn: FunctionConfig): Record<string, unknown> {
    const { location } = this.account;
    return {
      FunctionName: fn.name,
      FunctionArn: functionArn(fn.name, location),
      Runtime: fn.runtime,
      Role: `arn:aws:iam::${location.accountId}:role/lambda-trigger-runner-local`,
      Handler: fn.handler,
      CodeSize: 0,
      Description: '',
      Timeout: fn.timeout,
      MemorySize: fn.memorySize,
      LastModified: '1970-01-01T00:00:00.000+0000',
      CodeSha256: '',
      Version: '$LATEST',
      Environment: { Variables: { ...fn.environment } },
      TracingConfig: { Mode: 'PassThrough' },
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: fn.packageType ?? 'Zip',
      Architectures: [fn.architecture ?? 'x86_64'],
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: fn.loggingConfig?.logFormat ?? 'Text', LogGroup: `/aws/lambda/${fn.name}` },
    };
  }

  private listFunctions(call: AwsCall, query: URLSearchParams): AwsResponse {
    const all = this.account.functions().sort((a, b) => a.name.localeCompare(b.name));
    const maxItems = Number(query.get('MaxItems') ?? 50);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000)
      throw new AwsApiError('InvalidParameterValueException', 400, 'MaxItems must be a whole number from 1 to 10000.');
    const start = Number(query.get('Marker') ?? 0) || 0;
    const page = all.slice(start, start + maxItems);
    return json(call, 200, {
      Functions: page.map((f) => this.configurationOf(f)),
      ...(start + maxItems < all.length ? { NextMarker: String(start + maxItems) } : {}),
    });
  }

  private async invoke(
    call: AwsCall,
    request: LambdaRequest,
    fn: FunctionConfig,
    streaming: boolean,
  ): Promise<AwsResponse> {
    const invocationType = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
    const allowed = streaming ? ['RequestResponse', 'DryRun'] : ['RequestResponse', 'Event', 'DryRun'];
    if (!allowed.includes(invocationType))
      throw new AwsApiError(
        'InvalidParameterValueException',
        400,
        `Unsupported invocation type ${invocationType}: use ${allowed.join(', ')}.`,
      );
    const logType = header(request, 'x-amz-log-type') ?? 'None';
    if (logType !== 'None' && logType !== 'Tail')
      throw new AwsApiError(
        'InvalidParameterValueException',
        400,
        `Unsupported log type ${logType}: use None or Tail.`,
      );
    // An empty request is the empty event, as Lambda invokes it.
    const payload = request.body.length === 0 ? '{}' : request.body.toString('utf8');
    const { engine } = this.account;
    const source = sdkSource(this.account, call);
    const durableName = header(request, 'x-amz-durable-execution-name');
    if (fn.durableConfig && !streaming) {
      // DURABLE-5: a durable function runs only through a qualified ARN (a version, an alias or $LATEST).
      const asked = decodeURIComponent(INVOKE_PATH.exec(request.path)?.[1] ?? '');
      const qualified =
        request.query.get('Qualifier') || /^(?:arn:[^:]+:lambda:[^:]*:\d{12}:function:)?[^:]+:[^:]+$/.test(asked);
      if (!qualified)
        throw new AwsApiError(
          'InvalidParameterValueException',
          400,
          `${fn.name} is a durable function: invoke it with a qualified name or ARN (${fn.name}:$LATEST, a version or an alias).`,
        );
    }
    const durableOptions = durableName !== undefined ? { durableExecutionName: durableName } : {};
    try {
      if (invocationType === 'Event') {
        // ASYNC-1: accepted once queued; the function runs on the engine's clock with its retries and destinations.
        const queued = await engine.invokeAsync(fn.name, payload, { source, ...durableOptions });
        this.account.onSdkWork?.();
        return {
          status: 202,
          headers: {
            'x-amzn-requestid': call.requestId,
            ...(queued.execution ? { 'x-amz-durable-execution-arn': queued.execution.arn } : {}),
          },
          body: '',
        };
      }
      if (invocationType === 'DryRun') {
        // SYNC-8: the request is checked, nothing runs.
        const record = await engine.invokeSync(fn.name, payload, { dryRun: true, source });
        if (record.status === 'rejected') throw rejection(record);
        return { status: 204, headers: { 'x-amzn-requestid': call.requestId }, body: '' };
      }
      // SDK-4: a handler invoking a function whose every environment is busy would wait on itself: throttled.
      if (call.caller !== undefined && this.account.atConcurrencyLimit(fn.name))
        throw new AwsApiError('TooManyRequestsException', 429, 'Rate Exceeded.');
      const record = await engine.invokeSync(fn.name, payload, { source, ...durableOptions });
      this.account.onSdkWork?.();
      if (record.status === 'rejected' || record.response?.StatusCode === 500) throw rejection(record);
      const response = streaming ? streamResponse(call, record, logType) : syncResponse(call, record, logType);
      if (record.execution) response.headers['x-amz-durable-execution-arn'] = record.execution.arn;
      return response;
    } catch (err) {
      if (err instanceof LambdaServiceError || err instanceof InvokeRequestError)
        throw new AwsApiError(err.errorType, err.statusCode, err.message);
      throw err;
    }
  }
}

function header(request: LambdaRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function json(call: AwsCall, status: number, value: unknown): AwsResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': call.requestId },
    body: JSON.stringify(value),
  };
}

/** SYNC-6 and throttles: the service's error, as the record says Lambda answered. */
function rejection(record: InvocationRecord): AwsApiError {
  const response = record.response;
  return new AwsApiError(
    response?.errorType ?? 'ServiceException',
    response?.StatusCode ?? 500,
    response?.errorMessage ?? 'The function could not be invoked.',
  );
}

/** The log's last 4 KB, base64, as X-Amz-Log-Result carries it. */
function logTail(record: InvocationRecord): string {
  const lines = record.attempts.flatMap((a) => a.logs.map((l) => l.text));
  const text = Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : '', 'utf8');
  return text.subarray(Math.max(0, text.length - LOG_TAIL_BYTES)).toString('base64');
}

/** SYNC-1 SYNC-2: 200 with the payload, a function error as X-Amz-Function-Error. */
function syncResponse(call: AwsCall, record: InvocationRecord, logType: string): AwsResponse {
  const response = record.response!;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-requestid': call.requestId,
    'x-amz-executed-version': response.ExecutedVersion ?? '$LATEST',
  };
  if (response.FunctionError) headers['x-amz-function-error'] = response.FunctionError;
  if (logType === 'Tail') headers['x-amz-log-result'] = logTail(record);
  return { status: 200, headers, body: response.Payload ?? 'null' };
}

/** NODE-11: the response as PayloadChunk events, then InvokeComplete (with the error and the log tail). */
function streamResponse(call: AwsCall, record: InvocationRecord, logType: string): AwsResponse {
  const response = record.response!;
  const attempt = record.attempts[record.attempts.length - 1];
  const events: Buffer[] = [];
  const complete: Record<string, string> = {};
  if (response.FunctionError) {
    complete.ErrorCode = response.FunctionError;
    complete.ErrorDetails = response.Payload ?? '';
  } else {
    const body = attempt?.stream && typeof attempt.result === 'string' ? attempt.result : (response.Payload ?? 'null');
    if (body.length > 0)
      events.push(eventMessage('PayloadChunk', Buffer.from(body, 'utf8'), 'application/octet-stream'));
  }
  if (logType === 'Tail') complete.LogResult = logTail(record);
  events.push(eventMessage('InvokeComplete', Buffer.from(JSON.stringify(complete), 'utf8'), 'application/json'));
  return {
    status: 200,
    headers: {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': call.requestId,
      'x-amz-executed-version': response.ExecutedVersion ?? '$LATEST',
    },
    body: Buffer.concat(events),
  };
}
