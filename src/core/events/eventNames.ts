/**
 * Names for saved events, read from what the event says: `put-uploads-cat-jpg` for an S3 put of cat.jpg to
 * uploads, `get-orders-id` for GET /orders/{id}, `receive-ordersqueue-3-messages`. A name is a suggestion the
 * user can change; it is always a valid saved-event name (savedEvents.ts).
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const MAX_LENGTH = 60;

/** Lower case words joined by dashes, nothing else; at most 60 characters, cut at a dash. */
export function slug(...parts: Array<string | number | undefined>): string {
  const joined = parts
    .filter((p) => p !== undefined && p !== '')
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (joined.length <= MAX_LENGTH) return joined;
  const cut = joined.slice(0, MAX_LENGTH);
  return cut.slice(0, cut.lastIndexOf('-') > 20 ? cut.lastIndexOf('-') : MAX_LENGTH).replace(/-+$/, '');
}

/** The last part of an ARN (`OrdersQueue`, `stream/Tx` → `Tx`, `table/Orders/stream/...` → `Orders`). */
function arnName(arn: unknown): string | undefined {
  const value = text(arn);
  if (!value) return undefined;
  const table = /:table\/([^/]+)/.exec(value);
  if (table) return table[1];
  return value.split(/[:/]/).pop();
}

const plural = (n: number, word: string): string => `${n}-${word}${n === 1 ? '' : 's'}`;

/** The words that tell this event apart, by the shape of its source. */
function describingWords(verb: string, event: unknown): Array<string | number | undefined> | undefined {
  if (!isObject(event)) return undefined;
  const records = Array.isArray(event.Records) ? event.Records.filter(isObject) : [];
  const first = records[0];
  if (first && isObject(first.s3)) {
    const s3 = first.s3;
    const bucket = isObject(s3.bucket) ? text(s3.bucket.name) : undefined;
    const key = isObject(s3.object) ? text(s3.object.key) : undefined;
    const action = text(first.eventName)?.split(':').pop()?.replace('*', '');
    return [
      action && action !== '' ? action : verb,
      bucket,
      key ? decodeURIComponent(key.replace(/\+/g, ' ')) : undefined,
    ];
  }
  if (first?.eventSource === 'aws:sqs') return [verb, arnName(first.eventSourceARN), plural(records.length, 'message')];
  if (first?.eventSource === 'aws:kinesis')
    return [verb, arnName(first.eventSourceARN), plural(records.length, 'record')];
  if (first?.eventSource === 'aws:dynamodb') {
    const names = [...new Set(records.map((r) => text(r.eventName)).filter(Boolean))];
    return [arnName(first.eventSourceARN), ...names];
  }
  if (first?.EventSource === 'aws:sns' && isObject(first.Sns))
    return [verb, arnName(first.Sns.TopicArn), text(first.Sns.Subject)];
  const http = isObject(event.requestContext) && isObject(event.requestContext.http) ? event.requestContext.http : {};
  const method = text(event.httpMethod) ?? text(http.method);
  const path = text(event.resource) ?? text(event.rawPath) ?? text(event.path);
  if (method && path) return [method, path];
  if (text(event['detail-type']) && text(event.source))
    return [text(event.source)?.replace(/^aws\./, ''), text(event['detail-type'])];
  return undefined;
}

/**
 * A saved-event name for an event of template `typeId` (`s3:put`): what the event says, else the template's
 * own words, else `event`.
 */
export function suggestEventName(typeId: string | undefined, event: unknown): string {
  const verb = typeId?.split(':')[1]?.split('-')[0];
  const words = describingWords(verb ?? 'event', event);
  const name = words ? slug(...words) : '';
  if (name) return name;
  return slug(typeId?.split(':')[1] ?? '') || 'event';
}

/** `name`, else `name-2`, `name-3`... the first one not taken. */
export function uniqueName(name: string, taken: Iterable<string>): string {
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  if (!used.has(name.toLowerCase())) return name;
  for (let i = 2; ; i++) if (!used.has(`${name}-${i}`.toLowerCase())) return `${name}-${i}`;
}
