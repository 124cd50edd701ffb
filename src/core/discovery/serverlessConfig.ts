import * as path from 'node:path';
import type { TemplateFunction } from './cloudFormationTemplate';
import { optional, unsupported } from './cloudFormationTemplate';
import { MAPPING_DEFAULTS, parseFilterCriteria, toBool, toNumber, toStringList, toText } from './eventSourceProperties';
import {
  FUNCTION_NAME,
  type DestinationTarget,
  type DiscoveryOptions,
  type DiscoveryProblem,
  type EventTrigger,
  type FunctionConfig,
  type Origin,
  type SqsQueue,
} from './functionConfig';
import { IntrinsicResolver, targetTypeOfArn } from './intrinsics';
import type { TemplateDocument } from './templateDocument';

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** A `name` that resolves to one Lambda accepts; anything else leaves the function key in use. */
function physicalNameOf(name: string | undefined): string | undefined {
  return name !== undefined && FUNCTION_NAME.test(name) ? name : undefined;
}

/** Serverless Framework's own defaults (they differ from Lambda's 3 s / 128 MB). */
export const SERVERLESS_DEFAULTS = { timeout: 6, memorySize: 1024, stage: 'dev' } as const;

export function isServerlessConfig(file: string): boolean {
  return /^serverless\.ya?ml$/.test(path.basename(file));
}

/** Reads the functions of a serverless.yml, with provider defaults and the variables a local run can know. */
export function readServerlessConfig(
  doc: TemplateDocument,
  options: DiscoveryOptions & { env?: Readonly<Record<string, string | undefined>> },
): { functions: TemplateFunction[]; problems: DiscoveryProblem[] } {
  const env = options.env ?? {};
  const problems: DiscoveryProblem[] = [];
  const root = asObject(doc.value);
  if (!root) return { functions: [], problems };
  const provider = asObject(root.provider) ?? {};
  const serviceDir = path.dirname(doc.file);
  const resources = asObject(asObject(root.resources)?.Resources) ?? {};
  const resolver = new IntrinsicResolver(doc, { Resources: resources }, problems, options);
  const origin = (container: unknown, key?: string | number): Origin => ({
    file: doc.file,
    line: doc.lineOf(container, key),
    source: 'serverless',
  });

  // ${self:a.b}, ${opt:stage, 'dev'}, ${sls:stage}, ${env:X, 'fallback'}: what can be known without a deploy.
  const variable = (expr: string, depth: number): unknown => {
    const [ref, ...fallbackParts] = expr.split(',');
    const fallback = fallbackParts
      .join(',')
      .trim()
      .replace(/^['"]|['"]$/g, '');
    const [scheme, ...rest] = ref.trim().split(':');
    const key = rest.join(':');
    let value: unknown;
    if (scheme === 'self') value = key.split('.').reduce<unknown>((o, k) => asObject(o)?.[k], root);
    else if (scheme === 'opt') {
      // No command-line options locally: the fallback, else the default stage and the local account's region.
      value =
        fallback !== ''
          ? undefined
          : key === 'stage'
            ? SERVERLESS_DEFAULTS.stage
            : key === 'region'
              ? options.location.region
              : undefined;
    } else if (scheme === 'sls' || scheme === 'provider') {
      value =
        key === 'stage'
          ? (provider.stage ?? SERVERLESS_DEFAULTS.stage)
          : key === 'region'
            ? (provider.region ?? options.location.region)
            : undefined;
    } else if (scheme === 'env') value = env[key];
    if (value === undefined && fallback !== '') value = fallback;
    return value === undefined ? `\${${expr}}` : resolveVars(value, depth + 1);
  };
  const resolveVars = (value: unknown, depth = 0): unknown => {
    if (depth > 10) return value;
    if (typeof value === 'string') {
      const whole = /^\$\{([^{}]+)\}$/.exec(value);
      if (whole) return variable(whole[1], depth);
      return value.replace(/\$\{([^{}]+)\}/g, (m, inner: string) => {
        const v = variable(inner, depth);
        return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : m;
      });
    }
    if (Array.isArray(value)) return value.map((v) => resolveVars(v, depth + 1));
    const obj = asObject(value);
    if (obj) return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveVars(v, depth + 1)]));
    return value;
  };
  const str = (v: unknown) => {
    const r = resolver.resolve(resolveVars(v));
    return typeof r === 'string' || typeof r === 'number' ? String(r) : undefined;
  };

  const functions: TemplateFunction[] = [];
  for (const [name, rawFn] of Object.entries(asObject(root.functions) ?? {})) {
    const fn = asObject(rawFn);
    if (!fn) {
      problems.push({
        file: doc.file,
        line: doc.lineOf(root.functions, name),
        severity: 'error',
        code: 'invalid-settings',
        message: `Function ${name} is not a mapping`,
      });
      continue;
    }
    const origins: Record<string, Origin> = {};
    const pick = (key: string, modelPath: string, fallback?: unknown): unknown => {
      if (fn[key] !== undefined) {
        origins[modelPath] = origin(fn, key);
        return resolveVars(fn[key]);
      }
      if (provider[key] !== undefined) {
        origins[modelPath] = origin(provider, key);
        return resolveVars(provider[key]);
      }
      origins[modelPath] = { source: 'default' };
      return fallback;
    };
    const handler = pick('handler', 'handler');
    const runtime = pick('runtime', 'runtime', 'nodejs20.x');
    const environment: Record<string, string> = {};
    for (const container of [provider, fn]) {
      const vars = asObject(container.environment);
      for (const [k, v] of Object.entries(vars ?? {})) {
        environment[k] = str(v) ?? JSON.stringify(resolveVars(v));
        origins[`environment.${k}`] = origin(vars, k);
      }
    }
    const eventInvokeConfig: FunctionConfig['eventInvokeConfig'] = {
      maximumRetryAttempts: toNumber(resolveVars(fn.maximumRetryAttempts), 2),
      maximumEventAgeInSeconds: toNumber(resolveVars(fn.maximumEventAge), 21600),
      destinations: {},
    };
    if (fn.maximumRetryAttempts !== undefined)
      origins['eventInvokeConfig.maximumRetryAttempts'] = origin(fn, 'maximumRetryAttempts');
    if (fn.maximumEventAge !== undefined)
      origins['eventInvokeConfig.maximumEventAgeInSeconds'] = origin(fn, 'maximumEventAge');
    const destinations = asObject(fn.destinations) ?? {};
    for (const key of ['onSuccess', 'onFailure'] as const) {
      if (destinations[key] === undefined) continue;
      eventInvokeConfig.destinations[key] = destination(destinations[key]);
      origins[`eventInvokeConfig.destinations.${key}`] = origin(destinations, key);
    }
    const result: TemplateFunction = {
      name,
      ...optional('physicalName', physicalNameOf(str(fn.name))),
      handler: typeof handler === 'string' ? handler : '',
      runtime: typeof runtime === 'string' ? runtime : '',
      codeRoot: serviceDir,
      timeout: toNumber(pick('timeout', 'timeout'), SERVERLESS_DEFAULTS.timeout),
      memorySize: toNumber(pick('memorySize', 'memorySize'), SERVERLESS_DEFAULTS.memorySize),
      environment,
      ...optional('reservedConcurrency', toNumber(resolveVars(fn.reservedConcurrency))),
      ...optional('deadLetterQueue', fn.onError !== undefined ? destination(fn.onError) : undefined),
      eventInvokeConfig,
      triggers: [],
      origins,
      definedIn: doc.file,
      definedBy: 'serverless',
    };
    origins.codeRoot = origin(root, 'service');
    if (result.reservedConcurrency !== undefined) origins.reservedConcurrency = origin(fn, 'reservedConcurrency');
    if (result.deadLetterQueue) origins.deadLetterQueue = origin(fn, 'onError');
    if (typeof handler !== 'string') {
      problems.push({
        file: doc.file,
        line: doc.lineOf(fn),
        severity: 'error',
        code: 'invalid-settings',
        message: `Function ${name} has no handler`,
      });
    }
    const events = Array.isArray(fn.events) ? fn.events : [];
    events.forEach((rawEvent, i) => {
      const event = asObject(rawEvent);
      const type = event ? Object.keys(event)[0] : undefined;
      if (!event || !type) return;
      const report = (message: string) =>
        problems.push({
          file: doc.file,
          line: doc.lineOf(events, i),
          severity: 'warning',
          code: 'invalid-settings',
          message: `${name}: ${message}`,
        });
      const trigger = serverlessEvent(`${type}#${i}`, type, resolveVars(event[type]), event[type], report);
      if (trigger.kind === 'unsupported') {
        problems.push({
          file: doc.file,
          line: doc.lineOf(events, i),
          severity: 'warning',
          code: 'unsupported-event',
          message: `${name}: event ${type} cannot be emulated: ${trigger.reason}`,
        });
      }
      origins[`triggers.${result.triggers.length}`] = origin(events, i);
      result.triggers.push(trigger);
    });
    functions.push(result);
  }
  return { functions, problems };

  function destination(value: unknown): DestinationTarget {
    const v = resolveVars(value);
    const obj = asObject(v);
    const target = obj ? (obj.arn ?? obj.name) : v;
    const logicalId = resolver.referencedResource(obj?.arn ?? v);
    if (logicalId) return resolver.target(obj?.arn ?? v);
    const s = str(target) ?? '';
    if (s.startsWith('arn:'))
      return {
        type: obj?.type ? (toText(obj.type) as DestinationTarget['type']) : targetTypeOfArn(s),
        arn: s,
        name: s.split(':').pop(),
      };
    // A bare name is another function of the service.
    return { type: 'lambda', name: s };
  }

  function sourceOf(value: unknown): { logicalId?: string; name?: string; arn?: string } {
    const logicalId = resolver.referencedResource(value);
    if (logicalId) return { logicalId, name: resolver.physicalName(logicalId), arn: resolver.arnOf(logicalId) };
    const s = str(value);
    if (!s) return {};
    return s.startsWith('arn:') ? { arn: s, name: s.split(/[:/]/).pop() } : { name: s };
  }

  function sqsQueue(value: unknown): SqsQueue {
    const base = sourceOf(value);
    const props = base.logicalId ? asObject(asObject(resources[base.logicalId])?.Properties) : undefined;
    const redrive = asObject(props?.RedrivePolicy);
    return {
      ...base,
      visibilityTimeout: resolver.resolveNumber(props?.VisibilityTimeout) ?? 30, // SQS-2
      fifo: toBool(resolver.resolve(props?.FifoQueue), (base.name ?? '').endsWith('.fifo')),
      ...optional(
        'contentBasedDeduplication',
        props?.ContentBasedDeduplication !== undefined
          ? toBool(resolver.resolve(props.ContentBasedDeduplication), false)
          : undefined,
      ),
      ...optional(
        'redrivePolicy',
        redrive
          ? {
              deadLetterTarget: resolver.target(redrive.deadLetterTargetArn, 'sqs'),
              maxReceiveCount: resolver.resolveNumber(redrive.maxReceiveCount) ?? 1,
            }
          : undefined,
      ),
    };
  }

  function serverlessEvent(
    id: string,
    type: string,
    value: unknown,
    raw: unknown,
    report: (m: string) => void,
  ): EventTrigger {
    const o = asObject(value) ?? {};
    const rawObj = asObject(raw) ?? {};
    const enabled = toBool(o.enabled, true);
    const filters = () => parseFilterCriteria(o.filterPatterns, report);
    const responseTypes = o.functionResponseType !== undefined ? toStringList(o.functionResponseType) : [];
    const httpRoute = (v: unknown) => {
      if (typeof v === 'string') {
        if (v === '*') return { method: 'ANY', path: '$default' };
        const [method, p] = v.split(/\s+/);
        return { method: method.toUpperCase(), path: p ?? '/' };
      }
      return { method: toText(o.method, 'ANY').toUpperCase(), path: toText(o.path, '/') };
    };
    switch (type) {
      case 'http':
        return {
          kind: 'api',
          id,
          invocation: 'sync',
          enabled,
          api: 'rest',
          payloadFormatVersion: '1.0',
          ...httpRoute(value),
        };
      case 'httpApi':
        return {
          kind: 'api',
          id,
          invocation: 'sync',
          enabled,
          api: 'http',
          payloadFormatVersion: o.payload === '1.0' ? '1.0' : '2.0',
          ...httpRoute(value),
        };
      case 'alb': {
        const conditions = asObject(o.conditions) ?? {};
        return {
          kind: 'api',
          id,
          invocation: 'sync',
          enabled,
          api: 'alb',
          path: toStringList(conditions.path)[0] ?? '/',
          method: (toStringList(conditions.method)[0] ?? 'ANY').toUpperCase(),
        };
      }
      case 'sqs':
        return {
          kind: 'sqs',
          id,
          invocation: 'poll',
          enabled,
          queue: sqsQueue(typeof value === 'string' ? value : (rawObj.arn ?? o.arn)),
          batchSize: toNumber(o.batchSize, MAPPING_DEFAULTS.sqs.batchSize),
          maximumBatchingWindowInSeconds: toNumber(o.maximumBatchingWindow, 0),
          functionResponseTypes: responseTypes,
          ...optional('filterCriteria', filters()),
          ...optional('maximumConcurrency', toNumber(o.maximumConcurrency)),
        };
      case 'stream': {
        const arnValue = typeof value === 'string' ? value : (rawObj.arn ?? o.arn);
        const base = sourceOf(arnValue);
        // STREAM-6: a table of the service's resources gives its stream view type.
        const viewType = base.logicalId ? resolver.streamViewType(base.logicalId) : undefined;
        const source = viewType ? { ...base, viewType } : base;
        const arnText = source.arn ?? str(arnValue) ?? '';
        const kind = o.type === 'kinesis' || arnText.includes(':kinesis:') ? 'kinesis' : 'dynamodb';
        const failure = asObject(o.destinations)?.onFailure;
        return {
          kind,
          id,
          invocation: 'poll',
          enabled,
          stream: source,
          startingPosition: typeof o.startingPosition === 'string' ? o.startingPosition : 'TRIM_HORIZON',
          batchSize: toNumber(o.batchSize, MAPPING_DEFAULTS.stream.batchSize),
          maximumBatchingWindowInSeconds: toNumber(o.batchWindow, 0),
          maximumRetryAttempts: toNumber(o.maximumRetryAttempts, -1),
          maximumRecordAgeInSeconds: toNumber(o.maximumRecordAgeInSeconds, -1),
          bisectBatchOnFunctionError: toBool(o.bisectBatchOnFunctionError, false),
          parallelizationFactor: toNumber(o.parallelizationFactor, 1),
          tumblingWindowInSeconds: toNumber(o.tumblingWindowInSeconds, 0),
          functionResponseTypes: responseTypes,
          ...optional('filterCriteria', filters()),
          ...optional('onFailure', failure !== undefined ? destination(failure) : undefined),
        };
      }
      case 's3': {
        const rules = Array.isArray(o.rules) ? o.rules.map((r) => asObject(r) ?? {}) : [];
        return {
          kind: 's3',
          id,
          invocation: 'async',
          enabled,
          bucket: { name: typeof value === 'string' ? value : toText(o.bucket, '') },
          events: toStringList(o.event ?? 's3:ObjectCreated:*'),
          ...optional('prefix', rules.find((r) => r.prefix !== undefined)?.prefix as string | undefined),
          ...optional('suffix', rules.find((r) => r.suffix !== undefined)?.suffix as string | undefined),
        };
      }
      case 'sns':
        return {
          kind: 'sns',
          id,
          invocation: 'async',
          enabled,
          topic: typeof value === 'string' ? sourceOf(value) : sourceOf(rawObj.arn ?? o.topicName),
          ...optional('filterPolicy', o.filterPolicy),
          ...optional(
            'filterPolicyScope',
            o.filterPolicyScope === 'MessageBody' || o.filterPolicyScope === 'MessageAttributes'
              ? (o.filterPolicyScope as 'MessageBody')
              : undefined,
          ),
        };
      case 'schedule':
        return {
          kind: 'schedule',
          id,
          invocation: 'async',
          enabled,
          expression: typeof value === 'string' ? value : (toStringList(o.rate)[0] ?? ''),
          ...optional('input', o.input),
        };
      case 'eventBridge': {
        const retry = asObject(o.retryPolicy);
        if (o.schedule !== undefined) {
          return {
            kind: 'schedule',
            id,
            invocation: 'async',
            enabled,
            expression: toText(o.schedule),
            ...optional('input', o.input),
          };
        }
        return {
          kind: 'eventbridge',
          id,
          invocation: 'async',
          enabled,
          ...optional('pattern', o.pattern),
          ...optional('eventBusName', o.eventBus !== undefined ? str(o.eventBus) : undefined),
          ...optional('input', o.input),
          ...optional('inputPath', typeof o.inputPath === 'string' ? o.inputPath : undefined),
          ...optional(
            'retryPolicy',
            retry
              ? {
                  ...optional('maximumRetryAttempts', toNumber(retry.maximumRetryAttempts)),
                  ...optional('maximumEventAgeInSeconds', toNumber(retry.maximumEventAge)),
                }
              : undefined,
          ),
        };
      }
      case 'cloudwatchLog':
        return {
          kind: 'cloudwatchLogs',
          id,
          invocation: 'async',
          enabled,
          logGroupName: typeof value === 'string' ? value : toText(o.logGroup, ''),
          filterPattern: toText(o.filter, ''),
        };
      case 'kafka':
        return {
          kind: 'kafka',
          id,
          invocation: 'poll',
          enabled,
          flavor: 'self-managed',
          bootstrapServers: toStringList(o.bootstrapServers),
          topics: toStringList(o.topic),
          ...optional('startingPosition', typeof o.startingPosition === 'string' ? o.startingPosition : undefined),
          batchSize: toNumber(o.batchSize, MAPPING_DEFAULTS.kafka.batchSize),
          maximumBatchingWindowInSeconds: toNumber(o.maximumBatchingWindow, 0.5),
          ...optional('consumerGroupId', typeof o.consumerGroupId === 'string' ? o.consumerGroupId : undefined),
          ...optional('filterCriteria', filters()),
        };
      case 'activemq':
      case 'rabbitmq':
        return {
          kind: 'mq',
          id,
          invocation: 'poll',
          enabled,
          engine: type,
          broker: sourceOf(rawObj.arn ?? o.arn),
          queues: toStringList(o.queue),
          batchSize: toNumber(o.batchSize, MAPPING_DEFAULTS.mq.batchSize),
          maximumBatchingWindowInSeconds: toNumber(o.maximumBatchingWindow, 0.5),
          ...optional('filterCriteria', filters()),
        };
      case 'cognitoUserPool':
        return {
          kind: 'cognito',
          id,
          invocation: 'sync',
          enabled,
          userPool: { name: toText(o.pool, '') },
          triggers: toStringList(o.trigger),
        };
      case 'iot':
        return {
          kind: 'iot',
          id,
          invocation: 'async',
          enabled,
          sql: toText(o.sql, ''),
          ...optional('sqlVersion', typeof o.sqlVersion === 'string' ? o.sqlVersion : undefined),
        };
      case 'alexaSkill':
        return {
          kind: 'alexa',
          id,
          invocation: 'sync',
          enabled,
          ...optional('skillId', typeof value === 'string' ? value : typeof o.appId === 'string' ? o.appId : undefined),
        };
      default:
        return unsupported(id, type);
    }
  }
}
