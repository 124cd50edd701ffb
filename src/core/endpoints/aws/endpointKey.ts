/**
 * The per-workspace access key of the local AWS endpoint: an access key id and a secret, made once and kept in the
 * store folder in a file only the owner can read (0600). Handlers get it as their AWS credentials; a request signed
 * with any other key is refused, so only the user (and the handlers the runner starts) get in.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface EndpointKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export const ENDPOINT_KEY_FILE = 'aws-endpoint-key.json';

/** A random key: `LKIA` (local key) and 16 base-32 characters, as long as an AWS access key id; a 40-character secret. */
export function newEndpointKey(): EndpointKey {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const idBytes = randomBytes(16);
  const id = [...idBytes].map((b) => alphabet[b % 32]).join('');
  const secret = randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B');
  return { accessKeyId: `LKIA${id}`, secretAccessKey: secret };
}

function isEndpointKey(value: unknown): value is EndpointKey {
  const v = value as Partial<EndpointKey> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.accessKeyId === 'string' &&
    /^[A-Z0-9]{16,128}$/.test(v.accessKeyId) &&
    typeof v.secretAccessKey === 'string' &&
    v.secretAccessKey.length >= 20
  );
}

/**
 * The key kept in `directory` (made and written there, owner-only, the first time). A file that is damaged or
 * readable by others is replaced with a new key: a key others could read would let them in.
 */
export function loadEndpointKey(directory: string): EndpointKey {
  const file = path.join(directory, ENDPOINT_KEY_FILE);
  try {
    const stat = fs.statSync(file);
    const privateFile = process.platform === 'win32' || (stat.mode & 0o077) === 0;
    if (privateFile) {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (isEndpointKey(parsed)) return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
    }
  } catch (err) {
    if (!(err instanceof SyntaxError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = newEndpointKey();
  fs.mkdirSync(directory, { recursive: true });
  // Written under a temporary name, owner-only from its creation, then renamed over the old one.
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
  return key;
}
