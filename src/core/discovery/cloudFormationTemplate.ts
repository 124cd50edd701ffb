import * as path from 'node:path';
import {
  FUNCTION_NAME,
  LAMBDA_DEFAULTS,
  type DestinationTarget,
  type DiscoveryOptions,
  type DiscoveryProblem,
  type EventTrigger,
  type FunctionConfig,
  type DurableConfig,
  type LoggingConfig,
  type Origin,
  type OriginSource,
  type SqsQueue,
  type SourceResource,
  type StreamResource,
} from './functionConfig';
import { IntrinsicResolver } from './intrinsics';
import {
  INVOCATION_OF,
  MAPPING_DEFAULTS,
  optional,
  parseFilterCriteria,
  parseMaybeJson,
  toBool,
  toNumber,
  toStringList,
  toText,
} from './eventSourceProperties';
import { flexibleTimeWindow, schedulerRetryPolicy, schedulerScheduleTrigger, targetFunction } from './resourceTriggers';
import { readDurableConfig } from './durableConfig';
import type { TemplateDocument } from './templateDocument';
import {
  albRoutes,
  functionUrlTrigger,
  httpApiQuickCreateTrigger,
  isHttpApiQuickCreate,
  SamApis,
} from './httpApiSettings';
import { apiGatewayRoutes } from './apiGatewayResources';

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

/** A function as the template defines it, before its handler is resolved against the file system. */
export type TemplateFunction = Omit<FunctionConfig, 'handlerFile' | 'exportName' | 'id'>;

export interface TemplateFunctions {
  functions: TemplateFunction[];
  problems: DiscoveryProblem[];
}

/** True when a parsed YAML/JSON value looks like a SAM/CloudFormation template with at least one function. */
export function isCloudFormationTemplate(value: unknown): boolean {
  const resources = asObject(asObject(value)?.Resources);
  if (!resources) return false;
  return Object.values(resources).some((r) => FUNCTION_TYPES.has(String(asObject(r)?.Type)));
}

/** Reads every Lambda function of a SAM or CloudFormation template (also CDK's synthesized ones). */
export function readCloudFormationTemplate(doc: TemplateDocument, options: DiscoveryOptions): TemplateFunctions {
  const problems: DiscoveryProblem[] = [];
  const template = asObject(doc.value);
  if (!template) return { functions: [], problems };
  const resolver = new IntrinsicResolver(doc, template, problems, options);
  const transform = toStringList(template.Transform);
  const isSam =
    transform.some((t) => t.startsWith('AWS::Serverless')) ||
    Object.values(resolver.resources).some((r) => String(asObject(r)?.Type).startsWith('AWS::Serverless::'));
  const source: OriginSource = isSam ? 'sam' : 'cloudformation';
  const templateDir = path.dirname(doc.file);
  const globals = asObject(asObject(template.Globals)?.Function) ?? {};
  const isFunction = (id: string): boolean => FUNCTION_TYPES.has(String(asObject(resolver.resources[id])?.Type));
  const apis = new SamApis(resolver, asObject(template.Globals) ?? {}, isFunction);
  const byLogicalId = new Map<string, TemplateFunction>();
  const origin = (container: unknown, key?: string): Origin => ({
    file: doc.file,
    line: doc.lineOf(container, key),
    source,
  });
  const report = (container: unknown, key: string | undefined, code: DiscoveryProblem['code'], message: string) =>
    problems.push({ file: doc.file, line: doc.lineOf(container, key), severity: 'warning', code, message });

  for (const [logicalId, raw] of Object.entries(resolver.resources)) {
    const resource = asObject(raw);
    const type = String(resource?.Type);
    if (!resource || !FUNCTION_TYPES.has(type)) continue;
    const props = asObject(resource.Properties) ?? {};
    const isServerless = type === 'AWS::Serverless::Function';
    const origins: Record<string, Origin> = {};
    // Globals apply to AWS::Serverless::Function only; the function's own value wins.
    const pick = (key: string): { value: unknown; container: Json } | undefined => {
      if (props[key] !== undefined) return { value: props[key], container: props };
      if (isServerless && globals[key] !== undefined) return { value: globals[key], container: globals };
      return undefined;
    };
    const scalar = (key: string, modelPath: string): unknown => {
      const found = pick(key);
      if (!found) return undefined;
      origins[modelPath] = origin(found.container, key);
      return resolver.resolve(found.value);
    };

    const handler = scalar('Handler', 'handler');
    const runtimeValue = scalar('Runtime', 'runtime');
    // RUNTIME-1: a container image function is kept (listed, its triggers shown) but said not to run here.
    const isImage = pick('PackageType')?.value === 'Image';
    if (isImage) {
      report(
        props,
        'PackageType',
        'unsupported-runtime',
        `${logicalId}: container image functions cannot run here (the runner runs Node.js and Python code, not images)`,
      );
    }
    const runtime = typeof runtimeValue === 'string' ? runtimeValue : '';

    const codeRoot = codeRootOf(resource, props, pick('CodeUri')?.value, resolver, templateDir);
    origins.codeRoot = origin(
      props,
      props.CodeUri !== undefined ? 'CodeUri' : props.Code !== undefined ? 'Code' : undefined,
    );

    const timeout = toNumber(scalar('Timeout', 'timeout'));
    const memorySize = toNumber(scalar('MemorySize', 'memorySize'));
    const architectures = toStringList(scalar('Architectures', 'architecture'));
    const architecture = architectures[0];
    // Lambda takes exactly one instruction set; CloudFormation refuses a list of two, or a value it does not know.
    const declared = pick('Architectures');
    if (declared && (architectures.length !== 1 || !isArchitecture(architecture))) {
      report(
        declared.container,
        'Architectures',
        'invalid-template',
        `${logicalId}: Architectures must list exactly one of x86_64 or arm64 (found ${architectures.length === 0 ? 'none' : architectures.join(', ')}); the runner uses ${isArchitecture(architecture) ? architecture : 'x86_64'}`,
      );
    }
    const environment: Record<string, string> = {};
    // Environment variables merge key by key between Globals and the function (SAM's Globals rules).
    for (const container of isServerless ? [globals, props] : [props]) {
      const vars = asObject(asObject(container.Environment)?.Variables);
      if (!vars) continue;
      for (const [name, value] of Object.entries(vars)) {
        const resolved = resolver.resolve(value);
        environment[name] = typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
        origins[`environment.${name}`] = origin(vars, name);
      }
    }
    const reserved = toNumber(scalar('ReservedConcurrentExecutions', 'reservedConcurrency'));
    const loggingConfig = readLoggingConfig(pick('LoggingConfig'), resolver, origins, origin);

    let deadLetterQueue: DestinationTarget | undefined;
    const dlq = pick('DeadLetterQueue') ?? pick('DeadLetterConfig');
    const dlqProps = asObject(dlq?.value);
    if (dlq && dlqProps) {
      deadLetterQueue = resolver.target(
        dlqProps.TargetArn,
        typeof dlqProps.Type === 'string' ? dlqProps.Type : undefined,
      );
      origins.deadLetterQueue = origin(
        dlq.container,
        props.DeadLetterQueue !== undefined ? 'DeadLetterQueue' : 'DeadLetterConfig',
      );
    }

    const eventInvokeConfig: FunctionConfig['eventInvokeConfig'] = {
      maximumRetryAttempts: LAMBDA_DEFAULTS.maximumRetryAttempts,
      maximumEventAgeInSeconds: LAMBDA_DEFAULTS.maximumEventAgeInSeconds,
      destinations: {},
    };
    const eic = pick('EventInvokeConfig');
    if (eic) applyEventInvokeConfig(eventInvokeConfig, asObject(eic.value) ?? {}, resolver, origins, origin);

    const durableConfig = readTemplateDurableConfig(
      logicalId,
      pick('DurableConfig'),
      resolver,
      origins,
      origin,
      report,
    );

    const physical = props.FunctionName !== undefined ? resolver.resolveString(props.FunctionName) : undefined;
    const fn: TemplateFunction = {
      name: logicalId,
      // A name that does not resolve to one Lambda accepts (an unknown parameter) leaves the logical id in use.
      ...optional('physicalName', physical && FUNCTION_NAME.test(physical) ? physical : undefined),
      handler: typeof handler === 'string' && !isImage ? handler : '',
      runtime: isImage ? '' : runtime,
      ...(isImage ? { packageType: 'Image' as const } : {}),
      codeRoot,
      timeout: timeout ?? LAMBDA_DEFAULTS.timeout,
      memorySize: memorySize ?? LAMBDA_DEFAULTS.memorySize,
      ...(isArchitecture(architecture) ? { architecture } : {}),
      environment,
      ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
      ...(loggingConfig ? { loggingConfig } : {}),
      ...(deadLetterQueue ? { deadLetterQueue } : {}),
      eventInvokeConfig,
      ...(durableConfig ? { durableConfig } : {}),
      triggers: [],
      origins,
      definedIn: doc.file,
      definedBy: source,
    };
    if (timeout === undefined) origins.timeout = { source: 'default' };
    if (memorySize === undefined) origins.memorySize = { source: 'default' };
    if (typeof handler !== 'string' && !isImage && !props.InlineCode && !asObject(props.Code)?.ZipFile) {
      report(resource, 'Properties', 'invalid-template', `${logicalId} has no Handler`);
    }

    const events = asObject(props.Events) ?? {};
    for (const [eventId, rawEvent] of Object.entries(events)) {
      const event = asObject(rawEvent);
      const trigger = event
        ? samEvent(eventId, event, resolver, (msg) => report(event, 'Properties', 'invalid-template', msg), apis)
        : undefined;
      if (!trigger) continue;
      if (trigger.kind === 'unsupported') {
        report(
          event,
          'Type',
          'unsupported-event',
          `${logicalId}: event ${eventId} of type ${trigger.sourceType} cannot be emulated: ${trigger.reason}`,
        );
      }
      origins[`triggers.${fn.triggers.length}`] = origin(events, eventId);
      fn.triggers.push(trigger);
    }
    const url = pick('FunctionUrlConfig');
    const urlConfig = asObject(url?.value);
    if (url && urlConfig) {
      origins[`triggers.${fn.triggers.length}`] = origin(url.container, 'FunctionUrlConfig');
      fn.triggers.push(functionUrlTrigger('FunctionUrl', urlConfig, resolver));
    }
    byLogicalId.set(logicalId, fn);
  }

  // Triggers and async settings declared as resources of their own (plain CloudFormation and CDK output).
  for (const [logicalId, raw] of Object.entries(resolver.resources)) {
    const resource = asObject(raw);
    const props = asObject(resource?.Properties);
    if (!resource || !props) continue;
    const attach = (fnRef: unknown, trigger: EventTrigger | undefined, key = logicalId) => {
      const target = byLogicalId.get(targetFunction(fnRef, resolver, (id) => byLogicalId.has(id)) ?? '');
      if (!target || !trigger) return;
      target.origins[`triggers.${target.triggers.length}`] = origin(resolver.resources, key);
      target.triggers.push(trigger);
    };
    switch (resource.Type) {
      case 'AWS::Lambda::EventSourceMapping':
        attach(
          props.FunctionName,
          eventSourceMapping(logicalId, props, resolver, (m) => report(props, undefined, 'invalid-template', m)),
        );
        break;
      case 'AWS::Lambda::EventInvokeConfig': {
        const target = byLogicalId.get(resolver.referencedResource(props.FunctionName) ?? '');
        if (target) applyEventInvokeConfig(target.eventInvokeConfig, props, resolver, target.origins, origin);
        break;
      }
      case 'AWS::SNS::Subscription':
        if (String(resolver.resolve(props.Protocol)) === 'lambda') {
          attach(props.Endpoint, {
            kind: 'sns',
            id: logicalId,
            invocation: 'async',
            enabled: true,
            topic: sourceResource(props.TopicArn, resolver),
            ...(props.FilterPolicy !== undefined ? { filterPolicy: resolver.resolve(props.FilterPolicy) } : {}),
          });
        }
        break;
      case 'AWS::Events::Rule':
        for (const t of Array.isArray(props.Targets) ? props.Targets : []) {
          const targetProps = asObject(t) ?? {};
          const pattern = resolver.resolve(props.EventPattern);
          attach(
            targetProps.Arn,
            props.ScheduleExpression !== undefined
              ? {
                  kind: 'schedule',
                  id: logicalId,
                  invocation: 'async',
                  enabled: resolver.resolve(props.State) !== 'DISABLED',
                  expression: String(resolver.resolve(props.ScheduleExpression)),
                  ...(targetProps.Input !== undefined
                    ? { input: parseMaybeJson(resolver.resolve(targetProps.Input)) }
                    : {}),
                }
              : {
                  kind: 'eventbridge',
                  id: logicalId,
                  invocation: 'async',
                  enabled: resolver.resolve(props.State) !== 'DISABLED',
                  pattern: parseMaybeJson(pattern),
                  ...(props.EventBusName !== undefined
                    ? { eventBusName: resolver.resolveString(props.EventBusName) }
                    : {}),
                },
          );
        }
        break;
      case 'AWS::Scheduler::Schedule':
        attach(asObject(props.Target)?.Arn, schedulerScheduleTrigger(logicalId, props, resolver));
        break;
      case 'AWS::Lambda::Url':
        attach(props.TargetFunctionArn, functionUrlTrigger(logicalId, props, resolver));
        break;
      case 'AWS::ApiGatewayV2::Api':
        if (isHttpApiQuickCreate(props, resolver))
          attach(props.Target, httpApiQuickCreateTrigger(logicalId, props, resolver));
        break;
      case 'AWS::S3::Bucket':
      case 'Custom::S3BucketNotifications': {
        const config = asObject(props.NotificationConfiguration) ?? {};
        const list = [config.LambdaConfigurations, config.LambdaFunctionConfigurations].flatMap((l): unknown[] =>
          Array.isArray(l) ? (l as unknown[]) : [],
        );
        const bucket: SourceResource =
          resource.Type === 'AWS::S3::Bucket'
            ? { logicalId, name: resolver.physicalName(logicalId), arn: resolver.arnOf(logicalId) }
            : sourceResource(props.BucketName, resolver);
        for (const c of list) {
          const entry = asObject(c) ?? {};
          const rules =
            asObject(asObject(asObject(entry.Filter)?.S3Key ?? asObject(entry.Filter)?.Key))?.Rules ??
            asObject(asObject(asObject(entry.Filter)?.Key))?.FilterRules;
          const { prefix, suffix } = s3Rules(resolver.resolve(rules));
          attach(entry.Function ?? entry.LambdaFunctionArn, {
            kind: 's3',
            id: logicalId,
            invocation: 'async',
            enabled: true,
            bucket,
            events: toStringList(resolver.resolve(entry.Event ?? entry.Events)),
            ...(prefix !== undefined ? { prefix } : {}),
            ...(suffix !== undefined ? { suffix } : {}),
          });
        }
        break;
      }
      default:
    }
  }
  for (const route of albRoutes(resolver, (id) => byLogicalId.has(id))) {
    const target = byLogicalId.get(route.functionId);
    if (!target) continue;
    target.origins[`triggers.${target.triggers.length}`] = origin(resolver.resources, route.ruleId);
    target.triggers.push(route.trigger);
  }
  // REST, HTTP and WebSocket APIs declared as plain resources (CDK output, hand-written CloudFormation).
  for (const route of apiGatewayRoutes(resolver, (id) => byLogicalId.has(id))) {
    const target = byLogicalId.get(route.functionId);
    if (!target) continue;
    target.origins[`triggers.${target.triggers.length}`] = origin(resolver.resources, route.declaredBy);
    target.triggers.push(route.trigger);
  }
  return { functions: [...byLogicalId.values()], problems };
}

function codeRootOf(
  resource: Json,
  props: Json,
  codeUri: unknown,
  resolver: IntrinsicResolver,
  templateDir: string,
): string {
  // CDK: the synthesized template names the asset folder next to it in the resource's metadata.
  const assetPath = asObject(resource.Metadata)?.['aws:asset:path'];
  if (typeof assetPath === 'string') return path.resolve(templateDir, assetPath);
  const uri = resolver.resolve(codeUri);
  if (typeof uri === 'string' && !uri.startsWith('s3://') && !uri.startsWith('${'))
    return path.resolve(templateDir, uri);
  void props;
  return templateDir;
}

function applyEventInvokeConfig(
  target: FunctionConfig['eventInvokeConfig'],
  props: Json,
  resolver: IntrinsicResolver,
  origins: Record<string, Origin>,
  origin: (container: unknown, key?: string) => Origin,
): void {
  const retries = resolver.resolveNumber(props.MaximumRetryAttempts);
  if (retries !== undefined) {
    target.maximumRetryAttempts = retries;
    origins['eventInvokeConfig.maximumRetryAttempts'] = origin(props, 'MaximumRetryAttempts');
  }
  const age = resolver.resolveNumber(props.MaximumEventAgeInSeconds);
  if (age !== undefined) {
    target.maximumEventAgeInSeconds = age;
    origins['eventInvokeConfig.maximumEventAgeInSeconds'] = origin(props, 'MaximumEventAgeInSeconds');
  }
  const destinations = asObject(props.DestinationConfig) ?? {};
  for (const [key, field] of [
    ['OnSuccess', 'onSuccess'],
    ['OnFailure', 'onFailure'],
  ] as const) {
    const dest = asObject(destinations[key]);
    if (!dest) continue;
    target.destinations[field] = resolver.target(
      dest.Destination,
      typeof dest.Type === 'string' ? dest.Type : undefined,
    );
    origins[`eventInvokeConfig.destinations.${field}`] = origin(destinations, key);
  }
}

function sourceResource(value: unknown, resolver: IntrinsicResolver): SourceResource {
  const logicalId = resolver.referencedResource(value);
  if (logicalId) return { logicalId, name: resolver.physicalName(logicalId), arn: resolver.arnOf(logicalId) };
  const resolved = resolver.resolveString(value);
  if (resolved === undefined) return {};
  return resolved.startsWith('arn:') ? { arn: resolved, name: resolved.split(/[:/]/).pop() } : { name: resolved };
}

/** A Kinesis or DynamoDB stream; a table of the template gives its stream view type (STREAM-6). */
function streamResource(value: unknown, resolver: IntrinsicResolver): StreamResource {
  const base = sourceResource(value, resolver);
  const viewType = base.logicalId ? resolver.streamViewType(base.logicalId) : undefined;
  return viewType ? { ...base, viewType } : base;
}

function sqsQueue(value: unknown, resolver: IntrinsicResolver): SqsQueue {
  const base = sourceResource(value, resolver);
  const queue: SqsQueue = {
    ...base,
    visibilityTimeout: 30,
    fifo: (base.name ?? base.arn ?? '').endsWith('.fifo'),
  };
  const props = base.logicalId ? asObject(asObject(resolver.resources[base.logicalId])?.Properties) : undefined;
  if (!props) return queue;
  queue.visibilityTimeout = resolver.resolveNumber(props.VisibilityTimeout) ?? 30; // SQS-2: AWS default 30 s
  const retention = resolver.resolveNumber(props.MessageRetentionPeriod);
  if (retention !== undefined) queue.messageRetentionPeriod = retention;
  queue.fifo = toBool(resolver.resolve(props.FifoQueue), queue.fifo);
  if (props.ContentBasedDeduplication !== undefined)
    queue.contentBasedDeduplication = toBool(resolver.resolve(props.ContentBasedDeduplication), false);
  // SQS-3: RedrivePolicy is an object in templates, a JSON string in older ones.
  const redrive = parseMaybeJson(props.RedrivePolicy);
  const redriveObj = asObject(redrive);
  if (redriveObj) {
    queue.redrivePolicy = {
      deadLetterTarget: resolver.target(redriveObj.deadLetterTargetArn, 'sqs'),
      maxReceiveCount: resolver.resolveNumber(redriveObj.maxReceiveCount) ?? 1,
    };
  }
  return queue;
}

function s3Rules(rules: unknown): { prefix?: string; suffix?: string } {
  const out: { prefix?: string; suffix?: string } = {};
  for (const rule of Array.isArray(rules) ? rules : []) {
    const r = asObject(rule) ?? {};
    const name = String(r.Name).toLowerCase();
    if (name === 'prefix') out.prefix = String(r.Value);
    if (name === 'suffix') out.suffix = String(r.Value);
  }
  return out;
}

function mqEngine(broker: SourceResource, resolver: IntrinsicResolver): 'activemq' | 'rabbitmq' {
  const props = broker.logicalId ? asObject(asObject(resolver.resources[broker.logicalId])?.Properties) : undefined;
  return String(resolver.resolve(props?.EngineType)).toUpperCase() === 'RABBITMQ' ? 'rabbitmq' : 'activemq';
}

/** One SAM `Events` entry, normalised. */
function samEvent(
  id: string,
  event: Json,
  resolver: IntrinsicResolver,
  report: (message: string) => void,
  apis?: SamApis,
): EventTrigger | undefined {
  const type = String(event.Type);
  const p = asObject(resolver.resolve(event.Properties ?? {})) ?? {};
  const raw = asObject(event.Properties) ?? {};
  const enabled = toBool(p.Enabled, true);
  const filters = () => parseFilterCriteria(asObject(p.FilterCriteria)?.Filters, report);
  const onFailure = () => {
    const dest = asObject(asObject(raw.DestinationConfig)?.OnFailure);
    return dest
      ? { onFailure: resolver.target(dest.Destination, typeof dest.Type === 'string' ? dest.Type : undefined) }
      : {};
  };
  switch (type) {
    case 'SQS':
      return {
        kind: 'sqs',
        id,
        invocation: 'poll',
        enabled,
        queue: sqsQueue(raw.Queue, resolver),
        batchSize: toNumber(p.BatchSize, MAPPING_DEFAULTS.sqs.batchSize),
        maximumBatchingWindowInSeconds: toNumber(p.MaximumBatchingWindowInSeconds, 0),
        functionResponseTypes: toStringList(p.FunctionResponseTypes),
        ...optional('filterCriteria', filters()),
        ...optional('maximumConcurrency', toNumber(asObject(p.ScalingConfig)?.MaximumConcurrency)),
      };
    case 'Kinesis':
    case 'DynamoDB':
      return {
        kind: type === 'Kinesis' ? 'kinesis' : 'dynamodb',
        id,
        invocation: 'poll',
        enabled,
        stream: streamResource(raw.Stream, resolver),
        ...optional('startingPosition', typeof p.StartingPosition === 'string' ? p.StartingPosition : undefined),
        ...optional('startingPositionTimestamp', toNumber(p.StartingPositionTimestamp)),
        batchSize: toNumber(p.BatchSize, MAPPING_DEFAULTS.stream.batchSize),
        maximumBatchingWindowInSeconds: toNumber(p.MaximumBatchingWindowInSeconds, 0),
        maximumRetryAttempts: toNumber(p.MaximumRetryAttempts, -1),
        maximumRecordAgeInSeconds: toNumber(p.MaximumRecordAgeInSeconds, -1),
        bisectBatchOnFunctionError: toBool(p.BisectBatchOnFunctionError, false),
        parallelizationFactor: toNumber(p.ParallelizationFactor, 1),
        tumblingWindowInSeconds: toNumber(p.TumblingWindowInSeconds, 0),
        functionResponseTypes: toStringList(p.FunctionResponseTypes),
        ...optional('filterCriteria', filters()),
        ...onFailure(),
      };
    case 'MSK':
    case 'SelfManagedKafka': {
      const endpoints = p.KafkaBootstrapServers;
      return {
        kind: 'kafka',
        id,
        invocation: 'poll',
        enabled,
        flavor: type === 'MSK' ? 'msk' : 'self-managed',
        ...optional('cluster', type === 'MSK' ? sourceResource(raw.Stream, resolver) : undefined),
        bootstrapServers: toStringList(Array.isArray(endpoints) ? endpoints : undefined),
        topics: toStringList(p.Topics),
        ...optional('startingPosition', typeof p.StartingPosition === 'string' ? p.StartingPosition : undefined),
        batchSize: toNumber(p.BatchSize, MAPPING_DEFAULTS.kafka.batchSize),
        maximumBatchingWindowInSeconds: toNumber(p.MaximumBatchingWindowInSeconds, 0.5),
        ...optional('maximumRetryAttempts', toNumber(p.MaximumRetryAttempts)),
        ...optional('consumerGroupId', typeof p.ConsumerGroupId === 'string' ? p.ConsumerGroupId : undefined),
        ...optional('filterCriteria', filters()),
        ...onFailure(),
      };
    }
    case 'MQ': {
      const broker = sourceResource(raw.Broker, resolver);
      return {
        kind: 'mq',
        id,
        invocation: 'poll',
        enabled,
        engine: mqEngine(broker, resolver),
        broker,
        queues: toStringList(p.Queues),
        batchSize: toNumber(p.BatchSize, MAPPING_DEFAULTS.mq.batchSize),
        maximumBatchingWindowInSeconds: toNumber(p.MaximumBatchingWindowInSeconds, 0.5),
        ...optional('filterCriteria', filters()),
      };
    }
    case 'S3': {
      const { prefix, suffix } = s3Rules(asObject(asObject(p.Filter)?.S3Key)?.Rules);
      return {
        kind: 's3',
        id,
        invocation: 'async',
        enabled,
        bucket: sourceResource(raw.Bucket, resolver),
        events: toStringList(p.Events),
        ...optional('prefix', prefix),
        ...optional('suffix', suffix),
      };
    }
    case 'SNS':
      return {
        kind: 'sns',
        id,
        invocation: 'async',
        enabled,
        topic: sourceResource(raw.Topic, resolver),
        ...optional('filterPolicy', p.FilterPolicy),
        ...optional('filterPolicyScope', policyScope(p.FilterPolicyScope)),
      };
    case 'Api':
    case 'HttpApi':
      return {
        kind: 'api',
        id,
        invocation: 'sync',
        enabled,
        api: type === 'Api' ? 'rest' : 'http',
        path: typeof p.Path === 'string' ? p.Path : type === 'HttpApi' ? '$default' : '/',
        method: typeof p.Method === 'string' ? p.Method.toUpperCase() : 'ANY',
        payloadFormatVersion: type === 'Api' ? '1.0' : p.PayloadFormatVersion === '1.0' ? '1.0' : '2.0',
        ...(apis ? apis.routeSettings(type, raw, p) : {}),
      };
    case 'Schedule':
      return {
        kind: 'schedule',
        id,
        invocation: 'async',
        enabled,
        expression: toText(p.Schedule ?? p.ScheduleExpression, ''),
        ...optional('input', p.Input === undefined ? undefined : parseMaybeJson(p.Input)),
        ...optional('retryPolicy', asObject(p.RetryPolicy) ? retryPolicy(asObject(p.RetryPolicy) ?? {}) : undefined),
      };
    case 'ScheduleV2': {
      // An EventBridge Scheduler schedule, as AWS::Scheduler::Schedule is read.
      const timezone = p.ScheduleExpressionTimezone;
      return {
        kind: 'schedule',
        id,
        invocation: 'async',
        enabled: toText(p.State, 'ENABLED').toUpperCase() !== 'DISABLED',
        expression: toText(p.ScheduleExpression ?? p.Schedule, ''),
        ...optional('timezone', typeof timezone === 'string' && timezone !== '' ? timezone : undefined),
        ...optional('flexibleTimeWindow', flexibleTimeWindow(p.FlexibleTimeWindow)),
        ...optional('input', p.Input === undefined ? undefined : parseMaybeJson(p.Input)),
        ...optional('retryPolicy', schedulerRetryPolicy(asObject(p.RetryPolicy))),
      };
    }
    case 'EventBridgeRule':
    case 'CloudWatchEvent': {
      const retry = asObject(p.RetryPolicy);
      return {
        kind: 'eventbridge',
        id,
        invocation: 'async',
        enabled: p.State !== 'DISABLED',
        ...optional('pattern', p.Pattern),
        ...optional('eventBusName', typeof p.EventBusName === 'string' ? p.EventBusName : undefined),
        ...optional('input', p.Input === undefined ? undefined : parseMaybeJson(p.Input)),
        ...optional('inputPath', typeof p.InputPath === 'string' ? p.InputPath : undefined),
        ...optional('retryPolicy', retry ? retryPolicy(retry) : undefined),
      };
    }
    case 'CloudWatchLogs':
      return {
        kind: 'cloudwatchLogs',
        id,
        invocation: 'async',
        enabled,
        logGroupName: toText(p.LogGroupName, ''),
        filterPattern: toText(p.FilterPattern, ''),
      };
    case 'Cognito':
      return {
        kind: 'cognito',
        id,
        invocation: 'sync',
        enabled,
        userPool: sourceResource(raw.UserPool, resolver),
        triggers: toStringList(p.Trigger),
      };
    case 'IoTRule':
      return {
        kind: 'iot',
        id,
        invocation: 'async',
        enabled,
        sql: toText(p.Sql, ''),
        ...optional('sqlVersion', typeof p.AwsIotSqlVersion === 'string' ? p.AwsIotSqlVersion : undefined),
      };
    case 'AlexaSkill':
      return {
        kind: 'alexa',
        id,
        invocation: 'sync',
        enabled,
        ...optional('skillId', typeof p.SkillId === 'string' ? p.SkillId : undefined),
      };
    default:
      return unsupported(id, type);
  }
}

const LOG_LEVELS: ReadonlyArray<NonNullable<LoggingConfig['applicationLogLevel']>> = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARN',
  'ERROR',
  'FATAL',
];

/** NODE-8: `LoggingConfig: {LogFormat, ApplicationLogLevel}` of a function (or SAM Globals). */
/** DURABLE-1: `DurableConfig` of the function (or SAM's Globals), each value with its line. */
function readTemplateDurableConfig(
  logicalId: string,
  found: { value: unknown; container: Json } | undefined,
  resolver: IntrinsicResolver,
  origins: Record<string, Origin>,
  origin: (container: unknown, key?: string) => Origin,
  report: (container: unknown, key: string | undefined, code: DiscoveryProblem['code'], message: string) => void,
): DurableConfig | undefined {
  if (!found) return undefined;
  const props = asObject(found.value) ?? {};
  const { config, problems } = readDurableConfig(
    logicalId,
    resolver.resolve(props.ExecutionTimeout),
    resolver.resolve(props.RetentionPeriodInDays),
    { timeout: 'DurableConfig.ExecutionTimeout', retention: 'DurableConfig.RetentionPeriodInDays' },
  );
  origins.durableConfig = origin(found.container, 'DurableConfig');
  origins['durableConfig.executionTimeout'] =
    props.ExecutionTimeout !== undefined ? origin(props, 'ExecutionTimeout') : origins.durableConfig;
  origins['durableConfig.retentionPeriodInDays'] =
    props.RetentionPeriodInDays !== undefined ? origin(props, 'RetentionPeriodInDays') : { source: 'default' };
  for (const p of problems)
    report(
      props[p.field] !== undefined ? props : found.container,
      props[p.field] !== undefined ? p.field : 'DurableConfig',
      'invalid-template',
      p.message,
    );
  return config;
}

function readLoggingConfig(
  found: { value: unknown; container: Json } | undefined,
  resolver: IntrinsicResolver,
  origins: Record<string, Origin>,
  origin: (container: unknown, key?: string) => Origin,
): LoggingConfig | undefined {
  const props = asObject(found?.value);
  if (!found || !props) return undefined;
  const config: LoggingConfig = {};
  const format = resolver.resolve(props.LogFormat);
  if (format === 'Text' || format === 'JSON') {
    config.logFormat = format;
    origins['loggingConfig.logFormat'] = origin(props, 'LogFormat');
  }
  const level = resolver.resolve(props.ApplicationLogLevel);
  const upper = typeof level === 'string' ? level.toUpperCase() : undefined;
  const known = LOG_LEVELS.find((l) => l === upper);
  if (known) {
    config.applicationLogLevel = known;
    origins['loggingConfig.applicationLogLevel'] = origin(props, 'ApplicationLogLevel');
  }
  return Object.keys(config).length > 0 ? config : undefined;
}

export function unsupported(
  id: string,
  sourceType: string,
  reason = 'no emulator for this event source',
): EventTrigger {
  return { kind: 'unsupported', id, invocation: INVOCATION_OF.unsupported, enabled: true, sourceType, reason };
}

function retryPolicy(retry: Json): { maximumRetryAttempts?: number; maximumEventAgeInSeconds?: number } {
  return {
    ...optional('maximumRetryAttempts', toNumber(retry.MaximumRetryAttempts)),
    ...optional('maximumEventAgeInSeconds', toNumber(retry.MaximumEventAgeInSeconds)),
  };
}

/** AWS::Lambda::EventSourceMapping: the kind comes from the source ARN or the resource it references. */
function eventSourceMapping(
  id: string,
  props: Json,
  resolver: IntrinsicResolver,
  report: (message: string) => void,
): EventTrigger | undefined {
  const sourceId = resolver.referencedResource(props.EventSourceArn);
  const sourceType = sourceId ? resolver.resourceType(sourceId) : undefined;
  const arn = resolver.resolveString(props.EventSourceArn) ?? '';
  const service = arn.split(':')[2];
  const asSam = (type: string, extra: Json = {}) => {
    const stripped = { ...props, ...extra };
    delete stripped.FunctionName;
    delete stripped.EventSourceArn;
    return samEvent(id, { Type: type, Properties: stripped }, resolver, report);
  };
  if (props.SelfManagedEventSource !== undefined) {
    const endpoints = asObject(asObject(props.SelfManagedEventSource)?.Endpoints)?.KafkaBootstrapServers;
    return asSam('SelfManagedKafka', { KafkaBootstrapServers: endpoints });
  }
  if (sourceType === 'AWS::SQS::Queue' || service === 'sqs') return asSam('SQS', { Queue: props.EventSourceArn });
  if (sourceType === 'AWS::Kinesis::Stream' || service === 'kinesis')
    return asSam('Kinesis', { Stream: props.EventSourceArn });
  if (sourceType === 'AWS::DynamoDB::Table' || service === 'dynamodb')
    return asSam('DynamoDB', { Stream: props.EventSourceArn });
  if (sourceType === 'AWS::MSK::Cluster' || service === 'kafka') return asSam('MSK', { Stream: props.EventSourceArn });
  if (sourceType === 'AWS::AmazonMQ::Broker' || service === 'mq') return asSam('MQ', { Broker: props.EventSourceArn });
  return unsupported(id, `EventSourceMapping ${service ?? sourceType ?? '?'}`, 'unknown event source ARN');
}

/** Trigger kinds' invocation model for other readers (serverless.yml). */
export { INVOCATION_OF, optional };

/** SNS FilterPolicyScope, when it is one of the two values AWS accepts. */
export function policyScope(v: unknown): 'MessageBody' | 'MessageAttributes' | undefined {
  return v === 'MessageBody' || v === 'MessageAttributes' ? v : undefined;
}

function isArchitecture(value: string | undefined): value is 'x86_64' | 'arm64' {
  return value === 'x86_64' || value === 'arm64';
}
