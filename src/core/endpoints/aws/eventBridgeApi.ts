/**
 * EventBridge in AWS JSON 1.1 (`X-Amz-Target: AWSEvents.PutEvents`): each entry becomes an event on the local bus it
 * names (the default bus when none), whose rules send it to their targets, as on AWS.
 */
import { localResourceName } from '../../account/eventResource';
import type { EventBus, PutEventsEntry } from '../../services/eventBus';
import { ApiInput } from './apiInput';
import { callerRecordId, type AwsCall, type LocalAwsAccount } from './awsApiContext';
import { AwsApiError, jsonBodyOf, jsonResponse, type AwsProtocol, type AwsResponse } from './awsProtocol';

export const EVENTBRIDGE_PROTOCOL: Extract<AwsProtocol, { kind: 'json' }> = { kind: 'json', version: '1.1' };
export const EVENTBRIDGE_TARGET_PREFIX = 'AWSEvents.';

const MAX_ENTRIES = 10;
/** PutEvents caps a request (its entries' sizes) at 256 KB. */
const MAX_REQUEST_BYTES = 262_144;

const validation = (message: string): AwsApiError => new AwsApiError('ValidationException', 400, message);

export class EventBridgeApi {
  constructor(private readonly account: LocalAwsAccount) {}

  async handle(call: AwsCall, body: Buffer): Promise<AwsResponse> {
    if (call.operation !== 'PutEvents')
      throw new AwsApiError(
        'UnknownOperationException',
        400,
        `The local EventBridge does not support ${call.operation || 'this operation'}; it offers PutEvents.`,
      );
    const input = new ApiInput(jsonBodyOf(body), validation);
    return jsonResponse(EVENTBRIDGE_PROTOCOL, await this.putEvents(input, call), call.requestId);
  }

  private busOf(nameOrArn: string | undefined): EventBus {
    const asked = nameOrArn ?? 'default';
    const name = asked.startsWith('arn:') ? (/:event-bus\/(.+)$/.exec(asked)?.[1] ?? '') : asked;
    const local = localResourceName(name, this.account.services.resourceNames('eventbridge'));
    if (!local) throw new AwsApiError('ResourceNotFoundException', 400, `Event bus ${name} does not exist.`);
    return this.account.services.bus(local);
  }

  private async putEvents(input: ApiInput, call: AwsCall): Promise<unknown> {
    const entries = input.objectList('Entries', true);
    if (entries.length === 0 || entries.length > MAX_ENTRIES)
      throw validation(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    if (Buffer.byteLength(JSON.stringify(input.raw)) > MAX_REQUEST_BYTES)
      throw validation(`Total size of the entries in the request is over the limit of ${MAX_REQUEST_BYTES} bytes.`);
    const cause = callerRecordId(this.account, call);
    const results: unknown[] = [];
    let failed = 0;
    let put = false;
    for (const entry of entries) {
      const bus = this.busOf(entry.optionalString('EventBusName'));
      const problem = entryProblem(entry);
      if (problem) {
        failed++;
        results.push(problem);
        continue;
      }
      const [result] = bus.put([putEntryOf(entry, cause)]);
      put = true;
      results.push({ EventId: result.event.id });
    }
    await this.account.services.store.flush();
    if (put) this.account.onSdkWork?.();
    return { FailedEntryCount: failed, Entries: results };
  }
}

/** What EventBridge says of an entry it does not put: its error code and message. */
function entryProblem(entry: ApiInput): { ErrorCode: string; ErrorMessage: string } | undefined {
  const source = entry.optionalString('Source');
  const detailType = entry.optionalString('DetailType');
  const detail = entry.optionalString('Detail');
  if (!source)
    return {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
    };
  if (!detailType)
    return {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
    };
  if (detail === undefined)
    return {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(detail);
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return undefined;
}

function putEntryOf(entry: ApiInput, cause: string | undefined): PutEventsEntry {
  const resources = entry.optionalStringList('Resources');
  const time = entry.raw.Time;
  const out: PutEventsEntry = {
    Source: entry.requiredString('Source'),
    DetailType: entry.requiredString('DetailType'),
    Detail: entry.requiredString('Detail'),
    ...(resources ? { Resources: resources } : {}),
    ...(cause ? { causeRecordId: cause } : {}),
  };
  // JSON 1.1 sends timestamps as epoch seconds.
  if (typeof time === 'number' && Number.isFinite(time))
    out.Time = new Date(time * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return out;
}
