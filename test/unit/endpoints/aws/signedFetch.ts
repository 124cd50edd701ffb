/** Requests to the endpoint signed by the AWS SDK's own SigV4 signer, with any body (or a key of the test's choice). */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsTestAccount } from './awsTestAccount';

/** A request signed with the endpoint's key by the SDK's own signer, with any body. */
export async function signedFetch(
  t: Pick<AwsTestAccount, 'endpoint' | 'client'>,
  service: string,
  headers: Record<string, string>,
  body: string,
  path = '/',
  method = 'POST',
  credentials: { accessKeyId: string; secretAccessKey: string } = t.client.credentials,
  signingDate?: Date,
): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
  const url = new URL(path, t.endpoint.url);
  const signer = new SignatureV4({
    service,
    region: t.endpoint.region,
    credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(
    {
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...headers },
      body,
    },
    signingDate ? { signingDate } : {},
  );
  const response = await fetch(url, { method, headers: signed.headers, ...(method === 'GET' ? {} : { body }) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // XML or empty
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
