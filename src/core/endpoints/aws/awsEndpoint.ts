/**
 * The local AWS endpoint: an HTTP server on 127.0.0.1 that answers the AWS SDKs (and the AWS CLI with --endpoint-url)
 * for the services the runner simulates: SQS, SNS, EventBridge, Kinesis and Lambda. A request is routed by the
 * signing name of its SigV4 credential scope and must be signed with the workspace's access key (or a key the user
 * chose to pass to handlers); anything else gets the service's own 403. Services the runner does not simulate get
 * the 403 of their protocol with a message that says so, at once. Bad input is a 4xx in the service's shape.
 */
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { LocalAwsAccount } from './awsApiContext';
import {
  AwsApiError,
  errorResponse,
  guessedProtocol,
  newRequestId,
  xmlText,
  type AwsProtocol,
  type AwsResponse,
} from './awsProtocol';
import {
  simulatedServiceRoutes,
  serviceOfUnsigned,
  type AwsServiceRoute,
  type ServiceRequest,
} from './awsServiceRoutes';
import type { EndpointKey } from './endpointKey';
import { callerOfToken } from './handlerCredentials';
import { signatureMatches, signedCredentialOf } from './signatureV4';

/** Bigger than any request a simulated service takes (Lambda's 6 MB synchronous payload, with room). */
const MAX_REQUEST_BYTES = 7 * 1024 * 1024;
export const LOOPBACK_HOST = '127.0.0.1';

export interface AwsEndpointOptions {
  account: LocalAwsAccount;
  /** The workspace's own key (endpointKey.ts). */
  key: EndpointKey;
  /** Further keys it accepts: the user's own credentials, when they are passed to handlers. */
  acceptedKeys?: readonly EndpointKey[];
  /** 0 (default): a free port. */
  port?: number;
  /** More services to route (by signing name) beside the simulated ones. */
  routes?: ReadonlyMap<string, AwsServiceRoute>;
}

/** What a user (or `serve`) needs to call the endpoint. */
export interface AwsEndpointInfo {
  /** `http://127.0.0.1:<port>` */
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** The shell line that points a script or the AWS CLI at the endpoint with the key it accepts. */
export function awsEndpointExports(endpoint: AwsEndpointInfo): string {
  return `export AWS_ENDPOINT_URL=${endpoint.url} AWS_ACCESS_KEY_ID=${endpoint.accessKeyId} AWS_SECRET_ACCESS_KEY=${endpoint.secretAccessKey} AWS_REGION=${endpoint.region}`;
}

/** The services the endpoint answers, by signing name, for messages. */
export const SIMULATED_SERVICES = ['sqs', 'sns', 'events', 'kinesis', 'lambda'] as const;

export function unsimulatedMessage(service: string): string {
  return (
    `Lambda Trigger Runner does not simulate the ${service} service: it simulates SQS, SNS, EventBridge, Kinesis and ` +
    `Lambda. To call ${service} on AWS from a handler, pass your own credentials: the lambdaTrigger.awsCredentials ` +
    `setting ("profile:<name>" or "environment"), or lambda-trigger's --aws-profile <name> or --aws-credentials.`
  );
}

/** The request and response of either HTTP version, as the endpoint uses them. */
type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
interface AnyResponse {
  readonly headersSent: boolean;
  once?(event: 'close', listener: () => void): unknown;
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: Buffer): unknown;
  destroy?: () => void;
}

/** The first bytes of an HTTP/2 connection with prior knowledge (h2c), which some SDK clients (Kinesis) open. */
const HTTP2_PREFACE = 'PRI';

export class AwsEndpoint {
  private readonly routes: Map<string, AwsServiceRoute>;
  private readonly keys: Map<string, string>;
  private readonly sockets = new Set<net.Socket>();
  /** Aborted on close: whatever a call still waits for (a long poll) stops. */
  private readonly lifetime = new AbortController();

  private constructor(
    private readonly server: net.Server,
    private readonly options: AwsEndpointOptions,
  ) {
    this.routes = simulatedServiceRoutes(options.account);
    for (const [name, route] of options.routes ?? []) this.routes.set(name, route);
    this.keys = new Map([[options.key.accessKeyId, options.key.secretAccessKey]]);
    for (const k of options.acceptedKeys ?? []) this.keys.set(k.accessKeyId, k.secretAccessKey);
  }

  /**
   * Listens on 127.0.0.1 (a free port unless one is given); rejects when the port is taken. HTTP/1.1 and HTTP/2
   * (cleartext, prior knowledge: the Kinesis client's) share the port: a connection's first bytes pick the server.
   */
  static async start(options: AwsEndpointOptions): Promise<AwsEndpoint> {
    const handler = (req: AnyRequest, res: AnyResponse): void => endpoint.serve(req, res);
    const http1 = http.createServer(handler);
    const h2 = http2.createServer(handler);
    // A client that sends garbage gets a 400 from Node's parser; the server carries on.
    http1.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    h2.on('sessionError', () => undefined);
    const server = net.createServer((socket) => {
      endpoint.sockets.add(socket);
      socket.once('close', () => endpoint.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.once('readable', () => {
        const first = socket.read() as Buffer | null;
        if (!first) return;
        socket.unshift(first);
        (first.toString('latin1', 0, HTTP2_PREFACE.length) === HTTP2_PREFACE ? h2 : http1).emit('connection', socket);
      });
    });
    const endpoint = new AwsEndpoint(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, LOOPBACK_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // The endpoint must not keep a CLI run alive on its own.
    server.unref();
    return endpoint;
  }

  get url(): string {
    return `http://${LOOPBACK_HOST}:${(this.server.address() as net.AddressInfo).port}`;
  }

  get info(): AwsEndpointInfo {
    return {
      url: this.url,
      accessKeyId: this.options.key.accessKeyId,
      secretAccessKey: this.options.key.secretAccessKey,
      region: this.options.account.location.region,
    };
  }

  /** Stops listening and ends every open connection (a long poll included). */
  close(): Promise<void> {
    this.lifetime.abort();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private serve(req: AnyRequest, res: AnyResponse): void {
    const requestId = newRequestId();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy?.());
    // The caller going away (or the endpoint closing) ends what its call waits for.
    const gone = new AbortController();
    res.once?.('close', () => gone.abort());
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      this.answer(req, body, tooLarge, requestId, AbortSignal.any([gone.signal, this.lifetime.signal])).then(
        (response) => send(res, response),
        (err: unknown) =>
          send(
            res,
            errorResponse(
              { kind: 'restJson' },
              new AwsApiError('ServiceException', 500, err instanceof Error ? err.message : String(err)),
              requestId,
            ),
          ),
      );
    });
  }

  private async answer(
    req: AnyRequest,
    body: Buffer,
    tooLarge: boolean,
    requestId: string,
    signal: AbortSignal,
  ): Promise<AwsResponse> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const request: ServiceRequest = {
      method: req.method ?? 'GET',
      path: q < 0 ? rawUrl : rawUrl.slice(0, q),
      query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
      headers: req.headers,
      body,
    };
    const credential = signedCredentialOf(req.headers);
    const service = credential?.service ?? serviceOfUnsigned(request);
    const route = service !== undefined ? this.routes.get(service) : undefined;
    const protocol: AwsProtocol = route?.protocolOf(request) ?? guessedProtocol(req.headers);
    const fail = (error: AwsApiError): AwsResponse =>
      service === 's3' ? s3Error(error, requestId) : errorResponse(protocol, error, requestId);
    if (service !== undefined && !route) return fail(authError(protocol, 'unrecognized', unsimulatedMessage(service)));
    if (!credential)
      return fail(
        new AwsApiError(
          protocol.kind === 'query' ? 'MissingAuthenticationToken' : 'MissingAuthenticationTokenException',
          403,
          'Missing Authentication Token: sign the request (SigV4) with the access key of the workspace endpoint.',
        ),
      );
    // SDK-2: the workspace key, or the user's own when passed to handlers; any other key is refused.
    const secret = this.keys.get(credential.accessKeyId);
    if (secret === undefined)
      return fail(
        authError(
          protocol,
          'unrecognized',
          `The security token included in the request is invalid: access key ${credential.accessKeyId} is not this workspace's. The local AWS endpoint accepts only the key it gives handlers (lambda-trigger serve shows it).`,
        ),
      );
    const skew = signatureSkewMs(req.headers);
    if (skew === undefined || Math.abs(skew) > MAX_SIGNATURE_SKEW_MS)
      return fail(
        authError(
          protocol,
          'signature',
          `Signature expired or not dated: X-Amz-Date must be within 15 minutes of the endpoint's clock (${new Date().toISOString()}).`,
        ),
      );
    if (!signatureMatches({ method: request.method, url: rawUrl, headers: req.headers, body }, credential, secret))
      return fail(
        authError(
          protocol,
          'signature',
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
        ),
      );
    if (tooLarge)
      return fail(
        new AwsApiError(
          'RequestEntityTooLargeException',
          413,
          `The request is larger than ${MAX_REQUEST_BYTES} bytes.`,
        ),
      );
    const token = req.headers['x-amz-security-token'];
    const caller = typeof token === 'string' ? callerOfToken(token) : undefined;
    const operation = route!.operationOf(request);
    try {
      return await route!.handle(
        { requestId, service: service!, operation, endpointUrl: this.url, signal, ...(caller ? { caller } : {}) },
        request,
      );
    } catch (err) {
      if (err instanceof AwsApiError) return fail(err);
      return fail(
        new AwsApiError(
          protocol.kind === 'query'
            ? 'InternalError'
            : protocol.kind === 'json'
              ? 'InternalFailure'
              : 'ServiceException',
          500,
          `The local ${route!.title} failed: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    }
  }
}

/** AWS refuses a request signed more than 15 minutes from its clock (a replay). */
const MAX_SIGNATURE_SKEW_MS = 15 * 60_000;

/** How far the request's X-Amz-Date (`20240101T120000Z`) is from now; undefined when it has none that reads. */
function signatureSkewMs(headers: http.IncomingHttpHeaders): number | undefined {
  const date = headers['x-amz-date'];
  const m = typeof date === 'string' ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, se) - Date.now();
}

/** The 403 a protocol answers for a key it does not know, or a signature that does not match. */
function authError(protocol: AwsProtocol, kind: 'unrecognized' | 'signature', message: string): AwsApiError {
  if (protocol.kind === 'query')
    return new AwsApiError(kind === 'unrecognized' ? 'InvalidClientTokenId' : 'SignatureDoesNotMatch', 403, message);
  const code = kind === 'unrecognized' ? 'UnrecognizedClientException' : 'InvalidSignatureException';
  // SQS's JSON errors carry the query protocol's code too.
  const queryCode = kind === 'unrecognized' ? 'InvalidClientTokenId' : 'SignatureDoesNotMatch';
  return new AwsApiError(code, 403, message, protocol.kind === 'json' && protocol.namespace ? { queryCode } : {});
}

/** S3 answers in XML of its own: a handler's S3 call fails with the SDK's InvalidAccessKeyId and this message. */
function s3Error(error: AwsApiError, requestId: string): AwsResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>${xmlText(error.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
  };
}

function send(res: AnyResponse, response: AwsResponse): void {
  if (res.headersSent) return;
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}
