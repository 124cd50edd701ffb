/**
 * The event a configured trigger sends, shaped by the trigger's own configuration: an API route's method, path,
 * resource, route key and path parameters; the bucket and a key inside the S3 filter; the queue, stream, topic and
 * table with their ARNs in the local account; the schedule's rule; an EventBridge event that matches the rule's
 * pattern; and what a target's constant Input or InputPath hands the function instead. So "Invoke" on a function
 * sends what its real event source would send.
 */
import { DEFAULT_LOCATION, type AwsLocation } from '../awsLocation';
import type { EventTrigger, FunctionConfig, HttpTrigger } from '../discovery/functionConfig';
import { exampleMatching } from '../services/eventPattern';
import type { EventCatalogue } from './eventCatalogue';

export interface TriggerEvent {
  templateId: string;
  params: Record<string, unknown>;
  /** Human label, e.g. "S3 put object (s3:put)". */
  label: string;
  /**
   * An EventBridge or schedule target with a constant `Input` hands the function that JSON instead of the event; one
   * with an `InputPath` hands it the part of the event at that path.
   */
  delivered?: { input: unknown } | { inputPath: string };
}

export interface TriggerEventContext {
  /** The function the trigger belongs to (schedule rule names). */
  function?: Pick<FunctionConfig, 'name'>;
  /** The local account: regions and account ids in ARNs. */
  location?: AwsLocation;
}

/** The first value a pattern allows for a field (`{"detail": {"state": ["stopped"]}}` -> "stopped"). */
function patternValue(pattern: unknown, ...path: string[]): string | undefined {
  let node: unknown = pattern;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  const first: unknown = Array.isArray(node) ? node[0] : node;
  return typeof first === 'string' ? first : undefined;
}

/** A concrete value for a path parameter: ids get a number, other names an example word. */
export function pathParameterValue(name: string, greedy: boolean): string {
  if (greedy) return 'example/path';
  return /id$/i.test(name) ? '1' : `example-${name.toLowerCase()}`;
}

/**
 * The request an API route receives: `GET /items/{id}` is requested as `/items/1`, with `resource` (REST),
 * `routeKey` (HTTP API) and `pathParameters` consistent with the route.
 */
function apiRequest(trigger: HttpTrigger): Record<string, unknown> {
  const configured = (trigger.method || 'ANY').toUpperCase();
  const method = configured === 'ANY' || configured === 'X-AMAZON-APIGATEWAY-ANY-METHOD' ? 'GET' : configured;
  const route = trigger.path && trigger.path !== '$default' ? trigger.path : undefined;
  const pathParameters: Record<string, string> = {};
  const path = (route ?? '/').replace(/\{([^}]+?)(\+)?\}/g, (_, name: string, plus?: string) => {
    const value = pathParameterValue(name, plus === '+');
    pathParameters[name] = value;
    return value;
  });
  const hasParameters = Object.keys(pathParameters).length > 0;
  const withoutBody = method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'OPTIONS';
  // API Gateway gives a request without a body `body: null` (REST; HTTP APIs leave it out); ALB an empty string.
  const common = { method, path, ...(withoutBody ? { body: trigger.api === 'alb' ? '' : null } : {}) };
  if (trigger.api === 'rest')
    return { ...common, resource: route ?? '/', pathParameters: hasParameters ? pathParameters : null };
  if (trigger.api === 'http')
    return {
      ...common,
      routeKey: route ? `${configured === 'X-AMAZON-APIGATEWAY-ANY-METHOD' ? 'ANY' : configured} ${route}` : '$default',
      ...(hasParameters ? { pathParameters } : {}),
    };
  return common;
}

/** The ARNs a template builds come from its region and account parameters: the local account's. */
function locationParams(location: AwsLocation): Record<string, unknown> {
  return { region: location.region, account: location.accountId };
}

function candidate(
  trigger: EventTrigger,
  context: TriggerEventContext,
): Pick<TriggerEvent, 'templateId' | 'params' | 'delivered'> | undefined {
  const where = locationParams(context.location ?? DEFAULT_LOCATION);
  switch (trigger.kind) {
    case 's3': {
      const created = trigger.events.length === 0 || trigger.events.some((e) => e.includes('ObjectCreated'));
      const removed = trigger.events.some((e) => e.includes('ObjectRemoved'));
      const key = `${trigger.prefix ?? ''}example${trigger.suffix ?? '.jpg'}`;
      return {
        templateId: created || !removed ? 's3:put' : 's3:delete',
        params: { ...where, bucket: trigger.bucket.name ?? trigger.bucket.logicalId, key },
      };
    }
    case 'sqs':
      return {
        templateId: trigger.queue.fifo ? 'sqs:receive-message-fifo' : 'sqs:receive-message',
        params: { ...where, queue: trigger.queue.name ?? trigger.queue.logicalId },
      };
    case 'kinesis':
      return {
        templateId: 'kinesis:get-records',
        params: { ...where, stream: trigger.stream.name ?? trigger.stream.logicalId },
      };
    case 'dynamodb':
      return {
        templateId: 'dynamodb:insert',
        params: { ...where, table: trigger.stream.name ?? trigger.stream.logicalId },
      };
    case 'kafka':
      return {
        templateId: trigger.flavor === 'msk' ? 'kafka:msk' : 'kafka:self-managed',
        params: { ...where, ...(trigger.topics[0] ? { topic: trigger.topics[0] } : {}) },
      };
    case 'mq':
      return {
        templateId: trigger.engine === 'rabbitmq' ? 'mq:rabbitmq' : 'mq:activemq',
        params: { ...where, ...(trigger.queues[0] ? { queue: trigger.queues[0] } : {}) },
      };
    case 'sns':
      return {
        templateId: 'sns:notification',
        params: { ...where, topic: trigger.topic.name ?? trigger.topic.logicalId },
      };
    case 'api': {
      if (trigger.authorizer) {
        // The route's Lambda authorizer receives the request's identity, payload format 2.0.
        const method = trigger.method.toUpperCase() === 'ANY' ? 'GET' : trigger.method.toUpperCase();
        const path = (trigger.path || '/').replace(/\{[^}]+\}/g, 'example');
        return {
          templateId: 'apigateway:http-api-authorizer',
          params: { method, path, routeKey: `${trigger.method.toUpperCase()} ${trigger.path}` },
        };
      }
      if (trigger.api === 'websocket') {
        // A WebSocket route's event: CONNECT, DISCONNECT or a MESSAGE routed to its key.
        const stage = trigger.stage ? { stage: trigger.stage } : {};
        if (trigger.path === '$connect')
          return { templateId: 'apigateway:websocket-connect', params: { ...where, ...stage } };
        if (trigger.path === '$disconnect')
          return { templateId: 'apigateway:websocket-disconnect', params: { ...where, ...stage } };
        const body = trigger.path === '$default' ? {} : { body: JSON.stringify({ action: trigger.path }) };
        return {
          templateId: 'apigateway:websocket-message',
          params: { ...where, ...stage, routeKey: trigger.path, ...body },
        };
      }
      const templateId =
        trigger.api === 'url'
          ? 'lambda:function-url'
          : trigger.api === 'alb'
            ? 'alb:request'
            : trigger.api === 'http'
              ? 'apigateway:http-api-proxy'
              : 'apigateway:aws-proxy';
      return { templateId, params: { ...where, ...apiRequest(trigger) } };
    }
    case 'schedule':
      return {
        templateId: 'cloudwatch:scheduled-event',
        params: { ...where, rule: context.function ? `${context.function.name}-${trigger.id}` : trigger.id },
        ...(trigger.input !== undefined ? { delivered: { input: trigger.input } } : {}),
      };
    case 'eventbridge': {
      const source = patternValue(trigger.pattern, 'source');
      const detailType = patternValue(trigger.pattern, 'detail-type');
      const delivered =
        trigger.input !== undefined
          ? { delivered: { input: trigger.input } }
          : trigger.inputPath
            ? { delivered: { inputPath: trigger.inputPath } }
            : {};
      if (source === 'aws.ec2' && detailType === 'EC2 Instance State-change Notification') {
        const state = patternValue(trigger.pattern, 'detail', 'state');
        return {
          templateId: 'eventbridge:ec2-instance-state-change',
          params: { ...where, ...(state ? { state } : {}) },
          ...delivered,
        };
      }
      // An event the rule's pattern matches: its source, detail-type and the detail fields it asks for.
      const example = exampleMatching(trigger.pattern ?? {}) ?? {};
      const detail = example.detail;
      return {
        templateId: 'eventbridge:custom-event',
        params: {
          ...where,
          ...(typeof example.source === 'string' ? { source: example.source } : source ? { source } : {}),
          ...(typeof example['detail-type'] === 'string'
            ? { detailType: example['detail-type'] }
            : detailType
              ? { detailType }
              : {}),
          ...(detail && typeof detail === 'object' ? { detail } : {}),
          ...(Array.isArray(example.resources) ? { resources: example.resources } : {}),
        },
        ...delivered,
      };
    }
    case 'cloudwatchLogs':
      return { templateId: 'cloudwatch:logs', params: { ...where, logGroup: trigger.logGroupName } };
    case 'cognito': {
      const map: Record<string, string> = {
        PreSignUp: 'cognito-idp:pre-sign-up',
        PostConfirmation: 'cognito-idp:post-confirmation',
        PreTokenGeneration: 'cognito-idp:pre-token-generation',
        CustomMessage: 'cognito-idp:custom-message',
        DefineAuthChallenge: 'cognito-idp:define-auth-challenge',
        CreateAuthChallenge: 'cognito-idp:create-auth-challenge',
        VerifyAuthChallengeResponse: 'cognito-idp:verify-auth-challenge',
        PreAuthentication: 'cognito-idp:pre-authentication',
        PostAuthentication: 'cognito-idp:post-authentication',
        UserMigration: 'cognito-idp:user-migration',
      };
      const templateId = trigger.triggers.map((t) => map[t]).find(Boolean) ?? 'cognito-idp:pre-sign-up';
      return { templateId, params: where };
    }
    case 'iot':
      return { templateId: 'iot:rule', params: where };
    case 'alexa':
      return { templateId: 'alexa-skills-kit:intent-answer', params: where };
    case 'unsupported':
      return undefined;
  }
}

/**
 * The event source service whose events a trigger sends (`sqs`, `apigateway`, `alb`, `cloudwatch` for a schedule...):
 * the service part of its template id, as event-templates/ names services. Undefined for what the runner cannot
 * emulate.
 */
export function triggerService(trigger: EventTrigger): string | undefined {
  return candidate(trigger, {})?.templateId.split(':')[0];
}

/**
 * The event a trigger sends; parameters the template does not declare are dropped, and undefined ones (null and ''
 * stay: an API request without a body has `body: null`, an ALB one `body: ""`).
 */
export function eventForTrigger(
  trigger: EventTrigger,
  catalogue: EventCatalogue,
  context: TriggerEventContext = {},
): TriggerEvent | undefined {
  const found = candidate(trigger, context);
  if (!found) return undefined;
  const template = catalogue.get(found.templateId);
  if (!template) return undefined;
  const declared = new Set(template.parameters.map((p) => p.name));
  const params = Object.fromEntries(
    Object.entries(found.params).filter(([name, value]) => declared.has(name) && value !== undefined),
  );
  return {
    templateId: found.templateId,
    params,
    label: `${template.title} (${found.templateId})`,
    ...(found.delivered ? { delivered: found.delivered } : {}),
  };
}

/** What the function receives: the rendered event, or the target's constant Input, or the event's InputPath part. */
export function triggerPayload(event: TriggerEvent, catalogue: EventCatalogue): unknown {
  if (event.delivered && 'input' in event.delivered) return event.delivered.input;
  const rendered = catalogue.render(event.templateId, event.params);
  if (event.delivered && 'inputPath' in event.delivered) return jsonPathValue(rendered, event.delivered.inputPath);
  return rendered;
}

/** `$.detail.order` of an event, as EventBridge's InputPath reads it; the whole event for `$`. */
function jsonPathValue(value: unknown, jsonPath: string): unknown {
  const keys = jsonPath
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean);
  let node: unknown = value;
  for (const key of keys) {
    if (!node || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[key];
  }
  return node ?? null;
}
