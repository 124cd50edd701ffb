/**
 * What the AWS-compatible APIs need of a local account (the account hands itself over through this port, so the
 * endpoint never imports the account), and what each call knows about itself: which service and operation, the
 * function whose handler made it (when a handler did), and the endpoint's own URL (queue URLs point at it).
 */
import type { AwsLocation } from '../../awsLocation';
import type { FunctionConfig } from '../../discovery/functionConfig';
import type { InvocationEngine } from '../../invoke/invocationEngine';
import type { RecordSource } from '../../invoke/invocationRecord';
import type { LocalServices } from '../../services/localServices';

export interface LocalAwsAccount {
  readonly location: AwsLocation;
  readonly services: LocalServices;
  readonly engine: InvocationEngine;
  functions(): FunctionConfig[];
  /**
   * True when a synchronous invocation of the function would wait for an execution environment (every one it may
   * have is busy): a handler calling it then gets Lambda's throttle instead of waiting on itself.
   */
  atConcurrencyLimit(functionName: string): boolean;
  /** Told after every call that put something into a service (a run that started it follows what it started). */
  onSdkWork?(): void;
}

export interface AwsCall {
  requestId: string;
  /** The signing name: sqs, sns, events, kinesis, lambda. */
  service: string;
  operation: string;
  /** The function whose handler made the call (its environment's session token says so); unset from outside. */
  caller?: string;
  /** `http://127.0.0.1:<port>` */
  endpointUrl: string;
  /** Aborted when the caller goes away or the endpoint closes: a long poll stops waiting. */
  signal?: AbortSignal;
}

/**
 * SDK-4: the record a call continues: the caller's invocation that is running right now (the latest, when several of its
 * environments run at once). Undefined for calls from outside the runner.
 */
export function callerRecordId(account: LocalAwsAccount, call: AwsCall): string | undefined {
  if (!call.caller) return undefined;
  let found: { id: string; start: string } | undefined;
  for (const record of account.engine.records())
    if (record.functionName === call.caller && record.status === 'running')
      if (!found || record.start.wall >= found.start) found = { id: record.id, start: record.start.wall };
  return found?.id;
}

/** How a record started by an SDK call says so: the service, the operation, and the calling function. */
export function sdkSource(account: LocalAwsAccount, call: AwsCall): RecordSource {
  const parent = callerRecordId(account, call);
  return {
    type: 'sdk',
    service: call.service,
    operation: call.operation,
    ...(call.caller ? { caller: call.caller } : {}),
    ...(parent ? { parentRecordId: parent } : {}),
  };
}
