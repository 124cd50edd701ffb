/**
 * AWS Signature Version 4, as the endpoint checks it: the Authorization header's credential scope and signed
 * headers, the canonical request rebuilt from what arrived (path segments escaped again, as the SDKs and botocore
 * sign every service but S3), and the signature compared in constant time. Only header-signed requests: a request
 * signed in its query string (a presigned URL) counts as unsigned.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** What the Authorization header says. */
export interface SignedCredential {
  accessKeyId: string;
  /** `20240101` */
  date: string;
  region: string;
  /** The signing name: sqs, sns, events, kinesis, lambda ... */
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** The request as it arrived, for the canonical request. */
export interface ArrivedRequest {
  method: string;
  /** The raw path and query, as on the request line (`/2015-03-31/functions/f/invocations?Qualifier=1`). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The Authorization header's parts; undefined when the request carries no SigV4 header (or a malformed one). */
export function signedCredentialOf(headers: IncomingHttpHeaders): SignedCredential | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string' || !header.startsWith(`${SIGV4_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(SIGV4_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const scope = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!scope || scope.length !== 5 || scope[4] !== 'aws4_request' || !signedHeaders || !signature) return undefined;
  const [accessKeyId, date, region, service] = scope;
  if (!accessKeyId || !/^\d{8}$/.test(date) || !region || !service) return undefined;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** encodeURIComponent, with the characters it leaves alone that SigV4 escapes (RFC 3986 unreserved only). */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The path normalised (`.`, `..`, empty segments) and escaped once more, `/` kept. */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeQueryPart(eq < 0 ? part : part.slice(0, eq));
    const value = decodeQueryPart(eq < 0 ? '' : part.slice(eq + 1));
    if (key.toLowerCase() === 'x-amz-signature') continue;
    pairs.push([escapeUri(key), escapeUri(value)]);
  }
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** The signature a request signed with `secret` under `credential` carries. */
export function expectedSignature(request: ArrivedRequest, credential: SignedCredential, secret: string): string {
  const q = request.url.indexOf('?');
  const rawPath = q < 0 ? request.url : request.url.slice(0, q);
  const rawQuery = q < 0 ? '' : request.url.slice(q + 1);
  const signed = credential.signedHeaders.map((h) => h.toLowerCase());
  const contentHash = headerValue(request.headers, 'x-amz-content-sha256');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(rawPath),
    canonicalQuery(rawQuery),
    `${signed.map((name) => `${name}:${headerValue(request.headers, name)}`).join('\n')}\n`,
    signed.join(';'),
    contentHash !== '' ? contentHash : sha256Hex(request.body),
  ].join('\n');
  const longDate = headerValue(request.headers, 'x-amz-date') || headerValue(request.headers, 'date');
  const scope = `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
  const stringToSign = [SIGV4_ALGORITHM, longDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${secret}`, credential.date);
  const kSigning = hmac(hmac(hmac(kDate, credential.region), credential.service), 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}

/** True when the request's signature is the one `secret` makes. */
export function signatureMatches(request: ArrivedRequest, credential: SignedCredential, secret: string): boolean {
  const expected = Buffer.from(expectedSignature(request, credential, secret), 'utf8');
  const given = Buffer.from(credential.signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
