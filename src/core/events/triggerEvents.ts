/**
 * Which event template a configured trigger sends, with the parameters the trigger's configuration fixes (the
 * bucket and a key matching its filter, the queue, the stream, the API path, the rule's pattern values), so that
 * "Invoke" on a function sends what its real event source would send.
 */
import type { EventTrigger } from '../discovery/functionConfig';
import type { EventCatalogue } from './eventCatalogue';

export interface TriggerEvent {
  templateId: string;
  params: Record<string, unknown>;
  /** Human label, e.g. "S3 UploadsBucket (s3:put)". */
  label: string;
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

function candidate(trigger: EventTrigger): { templateId: string; params: Record<string, unknown> } | undefined {
  switch (trigger.kind) {
    case 's3': {
      const created = trigger.events.length === 0 || trigger.events.some((e) => e.includes('ObjectCreated'));
      const removed = trigger.events.some((e) => e.includes('ObjectRemoved'));
      const key = `${trigger.prefix ?? ''}example${trigger.suffix ?? '.jpg'}`;
      return {
        templateId: created || !removed ? 's3:put' : 's3:delete',
        params: { bucket: trigger.bucket.name ?? trigger.bucket.logicalId, key },
      };
    }
    case 'sqs':
      return {
        templateId: trigger.queue.fifo ? 'sqs:receive-message-fifo' : 'sqs:receive-message',
        params: { queue: trigger.queue.name ?? trigger.queue.logicalId },
      };
    case 'kinesis':
      return { templateId: 'kinesis:get-records', params: { stream: trigger.stream.name ?? trigger.stream.logicalId } };
    case 'dynamodb':
      return { templateId: 'dynamodb:insert', params: { table: trigger.stream.name ?? trigger.stream.logicalId } };
    case 'kafka':
      return {
        templateId: trigger.flavor === 'msk' ? 'kafka:msk' : 'kafka:self-managed',
        params: trigger.topics[0] ? { topic: trigger.topics[0] } : {},
      };
    case 'mq':
      return {
        templateId: trigger.engine === 'rabbitmq' ? 'mq:rabbitmq' : 'mq:activemq',
        params: trigger.queues[0] ? { queue: trigger.queues[0] } : {},
      };
    case 'sns':
      return { templateId: 'sns:notification', params: { topic: trigger.topic.name ?? trigger.topic.logicalId } };
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
      const templateId =
        trigger.api === 'alb'
          ? 'alb:request'
          : trigger.api === 'http'
            ? 'apigateway:http-api-proxy'
            : 'apigateway:aws-proxy';
      const method = trigger.method && trigger.method.toUpperCase() !== 'ANY' ? trigger.method.toUpperCase() : 'GET';
      // A path parameter such as /stock/{sku} becomes a concrete path segment.
      const path = (trigger.path || '/').replace(/\{[^}]+\}/g, 'example');
      return { templateId, params: { method, path } };
    }
    case 'schedule':
      return { templateId: 'cloudwatch:scheduled-event', params: {} };
    case 'eventbridge': {
      const source = patternValue(trigger.pattern, 'source');
      const detailType = patternValue(trigger.pattern, 'detail-type');
      if (source === 'aws.ec2' && detailType === 'EC2 Instance State-change Notification') {
        const state = patternValue(trigger.pattern, 'detail', 'state');
        return { templateId: 'eventbridge:ec2-instance-state-change', params: state ? { state } : {} };
      }
      return {
        templateId: 'eventbridge:custom-event',
        params: { ...(source ? { source } : {}), ...(detailType ? { detailType } : {}) },
      };
    }
    case 'cloudwatchLogs':
      return { templateId: 'cloudwatch:logs', params: { logGroup: trigger.logGroupName } };
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
      return { templateId, params: {} };
    }
    case 'iot':
      return { templateId: 'iot:rule', params: {} };
    case 'alexa':
      return { templateId: 'alexa-skills-kit:intent-answer', params: {} };
    case 'unsupported':
      return undefined;
  }
}

/** The event a trigger sends; parameters the template does not declare are dropped, undefined values too. */
export function eventForTrigger(trigger: EventTrigger, catalogue: EventCatalogue): TriggerEvent | undefined {
  const found = candidate(trigger);
  if (!found) return undefined;
  const template = catalogue.get(found.templateId);
  if (!template) return undefined;
  const declared = new Set(template.parameters.map((p) => p.name));
  const params = Object.fromEntries(
    Object.entries(found.params).filter(([name, value]) => declared.has(name) && value !== undefined && value !== ''),
  );
  return { templateId: found.templateId, params, label: `${template.title} (${found.templateId})` };
}
