import * as path from 'node:path';
import type { TemplateFunction } from './cloudFormationTemplate';
import { optional, unsupported } from './cloudFormationTemplate';
import { MAPPING_DEFAULTS, parseFilterCriteria, toBool, toNumber, toStringList, toText } from './eventSourceProperties';
import {
  FUNCTION_NAME,
  LAMBDA_DEFAULTS,
  type DestinationTarget,
  type DiscoveryOptions,
  type DiscoveryProblem,
  type DurableConfig,
  type EventTrigger,
  type FunctionConfig,
  type Origin,
  type SqsQueue,
} from './functionConfig';
import { readDurableConfig } from './durableConfig';
import { IntrinsicResolver, targetTypeOfArn } from './intrinsics';
import { liftConstructKind, liftConstructVariable, liftQueueTrigger, liftWebhookTrigger } from './liftConstructs';
import { ServerlessVariables } from './serverlessVariables';
import { DEFAULT_ROUTE_SELECTION } from './apiGatewayResources';
import { functionUrl, httpApiCors, httpApiEventAuthorizer, restEventAuthorizer, restEventCors } from './serverlessHttp';
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
const DEFAULT_RUNTIME = 'nodejs20.x';

/** `architecture: arm64` of a function or its provider; anything else is Lambda's default. */
function architectureOf(value: unknown): 'x86_64' | 'arm64' | undefined {
  return value === 'arm64' || value === 'x86_64' ? value : undefined;
}

export function isServerlessConfig(file: string): boolean {
  return /^serverless\.ya?ml$/.test(path.basename(file));
}

export interface ServerlessReadOptions extends DiscoveryOptions {
  env?: Readonly<Record<string, string | undefined>>;
  /** Text of a workspace file `${file(...)}` names; undefined when it is missing or outside the workspace. */
  readFile?: (absolutePath: string) => string | undefined;
}

export interface ServerlessFunctions {
  functions: TemplateFunction[];
  problems: DiscoveryProblem[];
  /** Files the configuration read through `${file(...)}`: it must be read again when one of them changes. */
  filesRead: string[];
}

/**
 * The logical id the Serverless Framework gives a function's resource: `<Name>LambdaFunction`, its name with the
 * first letter in capitals, `-` written `Dash` and `_` written `Underscore` (`send-email` -> `SendDashemailLambdaFunction`).
 */
export function serverlessFunctionLogicalId(name: string): string {
  const normalized = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/**
 * The resources the framework adds to the stack that a file's own resources and variables refer to: each function
 * (`!GetAtt SendEmailLambdaFunction.Arn` is the local function of that name), the HTTP API of `httpApi` events
 * (`HttpApi`) and the REST API of `http` events (`ApiGatewayRestApi`).
 */
function frameworkResources(functions: Json): Json {
  const generated: Json = {};
  const events = Object.values(functions).flatMap((fn) => {
    const list = asObject(fn)?.events;
    return Array.isArray(list) ? list.map((e) => Object.keys(asObject(e) ?? {})[0]) : [];
  });
  for (const name of Object.keys(functions))
    generated[serverlessFunctionLogicalId(name)] = {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: name },
    };
  if (events.includes('httpApi')) generated.HttpApi = { Type: 'AWS::ApiGatewayV2::Api' };
  if (events.includes('http')) generated.ApiGatewayRestApi = { Type: 'AWS::ApiGateway::RestApi' };
  return generated;
}

/** Reads the functions of a serverless.yml, with provider defaults and the variables a local run can know. */
export function readServerlessConfig(doc: TemplateDocument, options: ServerlessReadOptions): ServerlessFunctions {
  const problems: DiscoveryProblem[] = [];
  const root = asObject(doc.value);
  if (!root) return { functions: [], problems, filesRead: [] };
  const provider = asObject(root.provider) ?? {};
  const declaredFunctions = asObject(root.functions) ?? {};
  const serviceDir = path.dirname(doc.file);
  const constructs = asObject(root.constructs) ?? {};
  const variables: ServerlessVariables = new ServerlessVariables({
    doc,
    env: options.env ?? {},
    location: options.location,
    ...(options.readFile ? { readFile: options.readFile } : {}),
    construct: (id, property) => liftConstructVariable(constructs, stackName(), options.location, id, property),
  });
  let stack: string | undefined;
  /** `provider.stackName`, else `<service>-<stage>`: what Lift names its queues after. */
  const stackName = (): string => {
    if (stack !== undefined) return stack;
    stack = `service-${variables.stage}`; // a stack name that refers to itself ends here
    const own =
      provider.stackName !== undefined
        ? variables.resolve(provider, 'stackName', 'Lift names are made from the service and stage instead')
        : undefined;
    const service = variables.resolve(root, 'service', 'the service is called "service" locally');
    const serviceValue = asObject(service.value)?.name ?? service.value;
    const serviceName = typeof serviceValue === 'string' && !service.unresolved ? serviceValue : 'service';
    stack = typeof own?.value === 'string' && !own.unresolved ? own.value : `${serviceName}-${variables.stage}`;
    return stack;
  };
  const resources = asObject(asObject(root.resources)?.Resources) ?? {};
  // Resource names such as `QueueName: ${self:service}-jobs` are what triggers and destinations are called locally.
  for (const [logicalId, resource] of Object.entries(resources)) {
    variables.resolveInPlace(resource, `it is kept as written in the resource ${logicalId}`);
  }
  const resolver = new IntrinsicResolver(
    doc,
    { Resources: { ...frameworkResources(asObject(root.functions) ?? {}), ...resources } },
    problems,
    options,
  );
  const origin = (container: unknown, key?: string | number): Origin => ({
    file: doc.file,
    line: doc.lineOf(container, key),
    source: 'serverless',
  });
  /** A scalar or structure of serverless.yml with its variables and intrinsics resolved (undefined when unknown). */
  const str = (container: unknown, key: string | number, consequence: string): string | undefined => {
    const r = variables.resolve(container, key, consequence);
    if (r.unresolved) return undefined;
    const v = resolver.resolve(r.value);
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };

  const functionKeys = new Set(Object.keys(declaredFunctions));
  /** `provider.httpApi` (cors, authorizers), resolved once when an httpApi event needs it. */
  let httpApiProvider: Json | undefined;
  const httpApiSettings = (): Json =>
    (httpApiProvider ??=
      asObject(variables.resolve(provider, 'httpApi', 'the HTTP API has no CORS and no authorizers locally').value) ??
      {});
  const functions: TemplateFunction[] = [];
  for (const [name, rawFn] of Object.entries(declaredFunctions)) {
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
    functions.push(readFunction(name, fn));
  }
  for (const [id, raw] of Object.entries(constructs)) readConstruct(id, raw);
  return { functions, problems: [...problems, ...variables.problems], filesRead: [...variables.filesRead] };

  /** A serverless-lift construct: the functions it deploys, with the trigger it wires each to. */
  function readConstruct(id: string, raw: unknown): void {
    const declared = asObject(raw);
    const kind = liftConstructKind(declared?.type);
    const report = (severity: DiscoveryProblem['severity'], message: string) =>
      problems.push({ file: doc.file, line: doc.lineOf(constructs, id), severity, code: 'invalid-settings', message });
    if (!declared || kind === 'unknown') {
      report(
        'info',
        `Construct ${id} is of a type the runner does not know (${toText(declared?.type, 'none')}); it adds no function here`,
      );
      return;
    }
    if (kind === 'resource') return;
    const config =
      asObject(
        variables.resolve(constructs, id, `that setting of the construct ${id} is left out (Lift's default applies)`)
          .value,
      ) ?? {};
    const attach = (fn: TemplateFunction, trigger: EventTrigger) => {
      fn.origins[`triggers.${fn.triggers.length}`] = origin(constructs, id);
      fn.triggers.push(trigger);
    };
    if (kind === 'queue') {
      const worker = declared.worker;
      if (typeof worker === 'string') {
        const fn = functions.find((f) => f.name === worker);
        const own = asObject(declaredFunctions[worker]);
        if (!fn || !own) {
          report('error', `Construct ${id}: its worker ${worker} is not a function of this file`);
          return;
        }
        const timeout =
          own.timeout !== undefined ? toNumber(variables.resolve(own, 'timeout', 'Lift takes 6 s').value) : undefined;
        attach(fn, liftQueueTrigger(id, config, timeout, stackName(), options.location));
      } else if (asObject(worker)) {
        const fn = readFunction(`${id}Worker`, asObject(worker) ?? {});
        functions.push(fn);
        attach(
          fn,
          liftQueueTrigger(id, config, toNumber(asObject(config.worker)?.timeout), stackName(), options.location),
        );
      } else report('error', `Construct ${id} (queue) has no worker function`);
      return;
    }
    // A webhook: API Gateway sends the request to EventBridge; the only function is the route's authorizer.
    if (toBool(config.insecure, false)) return;
    const authorizer = asObject(declared.authorizer);
    if (!authorizer) {
      report('error', `Construct ${id} (webhook) has no authorizer; set one, or insecure: true`);
      return;
    }
    const fn = readFunction(`${id}Authorizer`, authorizer);
    functions.push(fn);
    attach(fn, liftWebhookTrigger(id, config));
  }

  /** DURABLE-1: a function's `durableConfig` (osls and the framework's durable functions support), with lines. */
  function readServerlessDurableConfig(
    name: string,
    fn: Json,
    origins: Record<string, Origin>,
  ): DurableConfig | undefined {
    if (fn.durableConfig === undefined) return undefined;
    const config = asObject(variables.resolve(fn, 'durableConfig', 'the function is not durable').value);
    if (!config) return undefined;
    const reading = readDurableConfig(name, config.executionTimeout, config.retentionPeriodInDays, {
      timeout: 'durableConfig.executionTimeout',
      retention: 'durableConfig.retentionPeriodInDays',
    });
    const written = asObject(fn.durableConfig) ?? {};
    const at = (key: string): Origin => ({ file: doc.file, line: doc.lineOf(written, key), source: 'serverless' });
    origins.durableConfig = { file: doc.file, line: doc.lineOf(fn, 'durableConfig'), source: 'serverless' };
    origins['durableConfig.executionTimeout'] =
      written.executionTimeout !== undefined ? at('executionTimeout') : origins.durableConfig;
    origins['durableConfig.retentionPeriodInDays'] =
      written.retentionPeriodInDays !== undefined ? at('retentionPeriodInDays') : { source: 'default' };
    for (const p of reading.problems)
      problems.push({
        file: doc.file,
        line: doc.lineOf(written, p.field === 'ExecutionTimeout' ? 'executionTimeout' : 'retentionPeriodInDays'),
        severity: 'warning',
        code: 'invalid-settings',
        message: p.message,
      });
    return reading.config;
  }

  /** One function: its own settings, then the provider's, then the framework's defaults. */
  function readFunction(name: string, fn: Json): TemplateFunction {
    const origins: Record<string, Origin> = {};
    /** The function's value, else the provider's; an unresolved one is undefined and its origin says where it is. */
    const pick = (key: string, modelPath: string, consequence: string): unknown => {
      const container = fn[key] !== undefined ? fn : provider[key] !== undefined ? provider : undefined;
      if (!container) {
        origins[modelPath] = { source: 'default' };
        return undefined;
      }
      const r = variables.resolve(container, key, consequence);
      origins[modelPath] = {
        ...origin(container, key),
        ...(r.unresolved ? { line: r.unresolved.line, unresolved: r.unresolved.expression } : {}),
      };
      return r.unresolved ? undefined : r.value;
    };
    const own = (key: string, modelPath: string, consequence: string): unknown => {
      if (fn[key] === undefined) return undefined;
      const r = variables.resolve(fn, key, consequence);
      origins[modelPath] = { ...origin(fn, key), ...(r.unresolved ? { unresolved: r.unresolved.expression } : {}) };
      return r.unresolved ? undefined : r.value;
    };
    const handler = pick('handler', 'handler', `${name} has no handler`);
    const runtime = pick('runtime', 'runtime', `the runtime is ${DEFAULT_RUNTIME}, the default`) ?? DEFAULT_RUNTIME;
    const timeout = toNumber(
      pick(
        'timeout',
        'timeout',
        `the timeout keeps the Serverless Framework default of ${SERVERLESS_DEFAULTS.timeout} s`,
      ),
    );
    const memorySize = toNumber(
      pick(
        'memorySize',
        'memorySize',
        `the memory size keeps the Serverless Framework default of ${SERVERLESS_DEFAULTS.memorySize} MB`,
      ),
    );
    const environment: Record<string, string> = {};
    for (const container of [provider, fn]) {
      const vars = asObject(container.environment);
      if (!vars) continue;
      for (const k of Object.keys(vars)) {
        const consequence = `${k} is left unset (a .env file can set it)`;
        const r = variables.resolve(vars, k, consequence);
        origins[`environment.${k}`] = {
          ...origin(vars, k),
          ...(r.unresolved ? { unresolved: r.unresolved.expression } : {}),
        };
        if (r.unresolved) {
          delete environment[k];
          continue;
        }
        const v = resolver.resolve(r.value);
        environment[k] = typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v);
      }
    }
    const retries = toNumber(
      own('maximumRetryAttempts', 'eventInvokeConfig.maximumRetryAttempts', 'the default of 2 retries applies'),
    );
    const eventAge = toNumber(
      own(
        'maximumEventAge',
        'eventInvokeConfig.maximumEventAgeInSeconds',
        'the default maximum event age of 6 hours applies',
      ),
    );
    const eventInvokeConfig: FunctionConfig['eventInvokeConfig'] = {
      maximumRetryAttempts: retries ?? LAMBDA_DEFAULTS.maximumRetryAttempts,
      maximumEventAgeInSeconds: eventAge ?? LAMBDA_DEFAULTS.maximumEventAgeInSeconds,
      destinations: {},
    };
    const destinations = asObject(fn.destinations) ?? {};
    for (const key of ['onSuccess', 'onFailure'] as const) {
      if (destinations[key] === undefined) continue;
      const target = destination(destinations, key, `the ${key} destination is not known`);
      origins[`eventInvokeConfig.destinations.${key}`] = origin(destinations, key);
      if (target) eventInvokeConfig.destinations[key] = target;
    }
    const reserved = toNumber(own('reservedConcurrency', 'reservedConcurrency', 'no reserved concurrency applies'));
    const durableConfig = readServerlessDurableConfig(name, fn, origins);
    const deadLetterQueue =
      fn.onError !== undefined ? destination(fn, 'onError', 'the function has no dead-letter queue') : undefined;
    const result: TemplateFunction = {
      name,
      ...optional(
        'physicalName',
        physicalNameOf(fn.name !== undefined ? str(fn, 'name', 'its deployed name is not known') : undefined),
      ),
      handler: typeof handler === 'string' ? handler : '',
      runtime: typeof runtime === 'string' ? runtime : '',
      codeRoot: serviceDir,
      timeout: timeout ?? SERVERLESS_DEFAULTS.timeout,
      memorySize: memorySize ?? SERVERLESS_DEFAULTS.memorySize,
      ...optional(
        'architecture',
        architectureOf(pick('architecture', 'architecture', 'the architecture is x86_64, the default')),
      ),
      environment,
      ...optional('reservedConcurrency', reserved),
      ...optional('deadLetterQueue', deadLetterQueue),
      eventInvokeConfig,
      ...optional('durableConfig', durableConfig),
      triggers: [],
      origins,
      definedIn: doc.file,
      definedBy: 'serverless',
    };
    origins.codeRoot = origin(root, 'service');
    if (result.reservedConcurrency === undefined && !origins.reservedConcurrency?.unresolved)
      delete origins.reservedConcurrency;
    if (result.deadLetterQueue) origins.deadLetterQueue = origin(fn, 'onError');
    if (typeof handler !== 'string' && !origins.handler?.unresolved) {
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
      const settings = variables.resolve(
        event,
        type,
        `that setting of the ${type} event is left out (its default applies)`,
      );
      const trigger = serverlessEvent(`${type}#${i}`, type, settings.value, event[type], report);
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
    if (fn.url !== undefined) {
      const url = functionUrl(variables.resolve(fn, 'url', 'the function has no URL locally').value);
      if (url) {
        origins[`triggers.${result.triggers.length}`] = origin(fn, 'url');
        result.triggers.push(url);
      }
    }
    return result;
  }

  /** A destination or DLQ: a resource of the file, an ARN, or the name of another function of the service. */
  function destination(container: unknown, key: string, consequence: string): DestinationTarget | undefined {
    const r = variables.resolve(container, key, consequence);
    return r.unresolved ? undefined : destinationOf(r.value);
  }

  function destinationOf(v: unknown): DestinationTarget {
    const obj = asObject(v);
    const target = obj ? (obj.arn ?? obj.name) : v;
    const logicalId = resolver.referencedResource(obj?.arn ?? v);
    if (logicalId) return resolver.target(obj?.arn ?? v);
    const s = text(target) ?? '';
    if (s.startsWith('arn:'))
      return {
        type: obj?.type ? (toText(obj.type) as DestinationTarget['type']) : targetTypeOfArn(s),
        arn: s,
        name: s.split(':').pop(),
      };
    // A bare name is another function of the service.
    return { type: 'lambda', name: s };
  }

  /** A resolved value (intrinsics included) as text. */
  function text(value: unknown): string | undefined {
    const r = resolver.resolve(value);
    return typeof r === 'string' || typeof r === 'number' ? String(r) : undefined;
  }

  function sourceOf(value: unknown): { logicalId?: string; name?: string; arn?: string } {
    const logicalId = resolver.referencedResource(value);
    if (logicalId) return { logicalId, name: resolver.physicalName(logicalId), arn: resolver.arnOf(logicalId) };
    const s = text(value);
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
      ...optional('messageRetentionPeriod', resolver.resolveNumber(props?.MessageRetentionPeriod)),
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
      case 'http': {
        const route = httpRoute(value);
        return {
          kind: 'api',
          id,
          invocation: 'sync',
          enabled,
          api: 'rest',
          payloadFormatVersion: '1.0',
          ...route,
          apiId: 'ApiGatewayRestApi',
          stage: variables.stage,
          ...optional('cors', restEventCors(o.cors, route.method)),
          ...optional('lambdaAuthorizer', restEventAuthorizer(o.authorizer, functionKeys)),
        };
      }
      case 'httpApi': {
        const settings = httpApiSettings();
        return {
          kind: 'api',
          id,
          invocation: 'sync',
          enabled,
          api: 'http',
          payloadFormatVersion: o.payload === '1.0' ? '1.0' : '2.0',
          ...httpRoute(value),
          apiId: 'HttpApi',
          stage: '$default',
          ...optional('cors', httpApiCors(settings.cors)),
          ...optional(
            'lambdaAuthorizer',
            httpApiEventAuthorizer(o.authorizer, asObject(settings.authorizers) ?? {}, functionKeys),
          ),
        };
      }
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
          multiValueHeaders: toBool(o.multiValueHeaders, false),
          ...optional('priority', toNumber(o.priority)),
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
        const arnText = source.arn ?? text(arnValue) ?? '';
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
          ...optional('onFailure', failure !== undefined ? destinationOf(failure) : undefined),
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
          ...optional('eventBusName', o.eventBus !== undefined ? text(o.eventBus) : undefined),
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
      case 'websocket': {
        // `websocket: $connect` or `{route, routeResponseSelectionExpression}`: one route of the service's WebSocket API.
        const route = typeof value === 'string' ? value : toText(o.route, '');
        const selection = toText(
          variables.resolve(provider, 'websocketsApiRouteSelectionExpression', 'the default one is used').value,
          DEFAULT_ROUTE_SELECTION,
        );
        return {
          kind: 'api',
          id,
          invocation: 'sync',
          enabled,
          api: 'websocket',
          path: route,
          method: 'WS',
          apiId: 'WebsocketsApi',
          stage: variables.stage,
          routeSelectionExpression: selection,
          twoWay: o.routeResponseSelectionExpression !== undefined,
        };
      }
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
