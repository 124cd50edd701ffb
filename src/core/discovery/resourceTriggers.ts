/**
 * Triggers a template declares as resources of their own that point at a function (EventBridge Scheduler schedules),
 * and how a resource's target names a function. HTTP APIs made by quick create are read in httpApiSettings.ts.
 */
import type { ScheduleTrigger } from './functionConfig';
import { optional, parseMaybeJson, toNumber, toText } from './eventSourceProperties';
import type { IntrinsicResolver } from './intrinsics';

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/**
 * The logical id of the function a target names: `!GetAtt Fn.Arn`, `!Ref Fn`, SAM's `!Ref Fn.Alias` (its published
 * alias), `!Sub ${Fn.Arn}`, or an ARN (with or without a version or alias qualifier) or name whose function name is
 * the function's name or logical id.
 */
export function targetFunction(
  value: unknown,
  resolver: IntrinsicResolver,
  isFunction: (logicalId: string) => boolean,
): string | undefined {
  const ref = asObject(value)?.Ref;
  const samAlias = typeof ref === 'string' ? /^(.+)\.(Alias|Version)$/.exec(ref)?.[1] : undefined;
  if (samAlias !== undefined && isFunction(samAlias)) return samAlias;
  const referenced = resolver.referencedResource(value);
  if (referenced) return isFunction(referenced) ? referenced : undefined;
  // A Ref that names no resource was reported when it was resolved: nothing more to learn from it.
  if (ref !== undefined) return undefined;
  const text = resolver.resolveString(value);
  if (text === undefined) return undefined;
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>], also inside an API Gateway integration URI.
  const name = /:function:([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? (/^[A-Za-z0-9_-]+$/.test(text) ? text : undefined);
  if (name === undefined) return undefined;
  for (const logicalId of Object.keys(resolver.resources)) {
    if (isFunction(logicalId) && (logicalId === name || resolver.physicalName(logicalId) === name)) return logicalId;
  }
  return undefined;
}

/** EventBridge Scheduler's retry policy (`RetryPolicy` of a schedule target or SAM `ScheduleV2`). */
export function schedulerRetryPolicy(retry: Json | undefined): ScheduleTrigger['retryPolicy'] {
  if (!retry) return undefined;
  return {
    ...optional('maximumRetryAttempts', toNumber(retry.MaximumRetryAttempts)),
    ...optional('maximumEventAgeInSeconds', toNumber(retry.MaximumEventAgeInSeconds)),
  };
}

/** `FlexibleTimeWindow: {Mode: OFF | FLEXIBLE, MaximumWindowInMinutes}` of a schedule. */
export function flexibleTimeWindow(value: unknown): ScheduleTrigger['flexibleTimeWindow'] {
  const window = asObject(value);
  if (!window) return undefined;
  const mode = String(window.Mode).toUpperCase() === 'FLEXIBLE' ? 'FLEXIBLE' : 'OFF';
  return { mode, ...optional('maximumWindowInMinutes', toNumber(window.MaximumWindowInMinutes)) };
}

/** `AWS::Scheduler::Schedule` with a Lambda function target: a schedule trigger of that function. */
export function schedulerScheduleTrigger(id: string, props: Json, resolver: IntrinsicResolver): ScheduleTrigger {
  // Only what the trigger keeps is resolved (the target's ARN was matched to the function already).
  const pick = (from: Json | undefined, keys: string[]): Json =>
    Object.fromEntries(keys.filter((k) => from?.[k] !== undefined).map((k) => [k, resolver.resolve(from?.[k])]));
  const p = pick(props, ['ScheduleExpression', 'ScheduleExpressionTimezone', 'FlexibleTimeWindow', 'State']);
  const target = pick(asObject(props.Target), ['Input', 'RetryPolicy']);
  const timezone = p.ScheduleExpressionTimezone;
  return {
    kind: 'schedule',
    id,
    invocation: 'async',
    enabled: toText(p.State, 'ENABLED').toUpperCase() !== 'DISABLED',
    expression: toText(p.ScheduleExpression, ''),
    ...optional('timezone', typeof timezone === 'string' && timezone !== '' ? timezone : undefined),
    ...optional('flexibleTimeWindow', flexibleTimeWindow(p.FlexibleTimeWindow)),
    ...optional('input', target.Input === undefined ? undefined : parseMaybeJson(target.Input)),
    ...optional('retryPolicy', schedulerRetryPolicy(asObject(target.RetryPolicy))),
  };
}
