/**
 * Which local resources a function model names, and what they are called locally: the queue, stream, topic, bus,
 * Kafka topic or broker queue each trigger reads, and every destination, dead-letter queue, redrive target and
 * on-failure destination, whether or not a trigger also names it.
 */
import type { AwsLocation } from '../awsLocation';
import {
  deployedName,
  type DestinationTarget,
  type EventTrigger,
  type FunctionConfig,
  type SourceResource,
} from '../discovery/functionConfig';
import { bucketArn, busArn, functionArn, kafkaTopicTarget, parseTargetArn, queueArn, topicArn } from '../resourceArn';
import type { LocalServices } from './localServices';

/** What the services read of a function: a narrow view of the model. */
export type FunctionResourcesView = Pick<
  FunctionConfig,
  'name' | 'physicalName' | 'triggers' | 'deadLetterQueue' | 'eventInvokeConfig'
>;

/**
 * The local name of a resource a template refers to: the name the ARN gives (the part after `:function:`,
 * `event-bus/`, `stream/` ...), else its name, else its logical id.
 */
export function resourceName(ref: SourceResource | DestinationTarget | undefined): string | undefined {
  if (!ref) return undefined;
  if (ref.arn?.startsWith('arn:')) {
    try {
      return parseTargetArn(ref.arn).name;
    } catch {
      // Not a destination ARN (a stream, a cluster ...): its last part is the name.
      const parts = ref.arn.split(/[:/]/).filter(Boolean);
      // `table/<name>/stream/...`, `stream/<name>`, `broker:<name>:<id>`, `cluster/<name>/<id>`.
      for (const kind of ['table', 'stream', 'broker', 'cluster']) {
        const at = parts.indexOf(kind);
        if (at >= 0 && parts[at + 1]) return parts[at + 1];
      }
    }
  }
  if (ref.name) return ref.name;
  if (ref.logicalId) return ref.logicalId;
  return ref.arn?.split(/[:/]/).filter(Boolean).pop();
}

/** The resource a trigger reads, named after the function and trigger when the template leaves it unnamed. */
export function triggerSourceName(fn: Pick<FunctionConfig, 'name'>, trigger: EventTrigger): string {
  const fallback = `${fn.name}-${trigger.id}`;
  switch (trigger.kind) {
    case 'sqs':
      return resourceName(trigger.queue) ?? fallback;
    case 'kinesis':
    case 'dynamodb':
      return resourceName(trigger.stream) ?? fallback;
    case 'sns':
      return resourceName(trigger.topic) ?? fallback;
    case 'eventbridge':
      return trigger.eventBusName
        ? (resourceName({ arn: trigger.eventBusName, name: trigger.eventBusName }) ?? 'default')
        : 'default';
    case 'mq':
      return resourceName(trigger.broker) ?? 'local-broker';
    default:
      return fallback;
  }
}

/**
 * The local ARN a destination or DLQ names (`kafka://<topic>` for a Kafka topic); undefined when it cannot be
 * emulated (unknown type, no name).
 */
export function targetArnOf(target: DestinationTarget | undefined, location: AwsLocation): string | undefined {
  if (!target) return undefined;
  const name = resourceName(target);
  if (!name) return undefined;
  switch (target.type) {
    case 'sqs':
      return queueArn(name, location);
    case 'sns':
      return topicArn(name, location);
    case 'lambda':
      return functionArn(name, location);
    case 'eventbridge':
      return busArn(name, location);
    case 's3':
      return bucketArn(name);
    case 'kafka':
      return kafkaTopicTarget(name);
    default:
      return undefined;
  }
}

/** Every target a function sends to: async destinations, its DLQ, stream on-failure destinations, redrive DLQs. */
export function functionTargets(fn: FunctionResourcesView): DestinationTarget[] {
  const targets: Array<DestinationTarget | undefined> = [
    fn.deadLetterQueue,
    fn.eventInvokeConfig.destinations.onSuccess,
    fn.eventInvokeConfig.destinations.onFailure,
  ];
  for (const t of fn.triggers) {
    if (t.kind === 'kinesis' || t.kind === 'dynamodb' || t.kind === 'kafka') targets.push(t.onFailure);
    if (t.kind === 'sqs') targets.push(t.queue.redrivePolicy?.deadLetterTarget);
  }
  return targets.filter((t): t is DestinationTarget => t !== undefined);
}

/**
 * Declares the resources the functions name: the sources of their enabled triggers (SNS subscriptions and
 * EventBridge rules to the function included) and every target they deliver to. A resource named by several
 * functions is declared once; properties from a trigger (visibility timeout, redrive policy) are kept.
 */
export function declareFunctionResources(services: LocalServices, functions: readonly FunctionResourcesView[]): void {
  const { location } = services;
  const seen = new Set<string>();
  for (const fn of functions) {
    if (seen.has(fn.name)) continue; // discovery lists the highest-precedence definition first
    seen.add(fn.name);
    for (const trigger of fn.triggers) {
      if (!trigger.enabled) continue;
      const name = triggerSourceName(fn, trigger);
      switch (trigger.kind) {
        case 'sqs': {
          const redrive = trigger.queue.redrivePolicy;
          const dlqName = redrive ? resourceName(redrive.deadLetterTarget) : undefined;
          services.ensureQueue({
            name,
            fifo: trigger.queue.fifo,
            visibilityTimeoutSeconds: trigger.queue.visibilityTimeout,
            ...(trigger.queue.messageRetentionPeriod !== undefined
              ? { messageRetentionPeriodSeconds: trigger.queue.messageRetentionPeriod }
              : {}),
            ...(trigger.queue.contentBasedDeduplication !== undefined
              ? { contentBasedDeduplication: trigger.queue.contentBasedDeduplication }
              : {}),
            ...(redrive && dlqName
              ? {
                  redrivePolicy: {
                    deadLetterTargetArn: queueArn(dlqName, location),
                    maxReceiveCount: redrive.maxReceiveCount,
                  },
                }
              : {}),
          });
          break;
        }
        case 'kinesis':
        case 'dynamodb':
          // STREAM-6: a DynamoDB stream has the view type of the table it belongs to.
          services.ensureStream({
            type: trigger.kind,
            name,
            ...(trigger.kind === 'dynamodb' && trigger.stream.viewType
              ? { streamViewType: trigger.stream.viewType }
              : {}),
          });
          break;
        case 'kafka':
          for (const topic of trigger.topics) services.ensureKafkaTopic({ name: topic });
          break;
        case 'mq':
          for (const queue of trigger.queues) services.ensureMqQueue(name, queue);
          break;
        case 'sns':
          services.ensureTopic({ name }).addSubscription({
            protocol: 'lambda',
            endpoint: functionArn(deployedName(fn), location),
            ...(trigger.filterPolicy && typeof trigger.filterPolicy === 'object'
              ? { filterPolicy: trigger.filterPolicy as Record<string, unknown> }
              : {}),
          });
          break;
        case 'eventbridge': {
          const bus = services.ensureBus({ name });
          if (trigger.pattern && typeof trigger.pattern === 'object')
            bus.addRule({
              name: `${fn.name}-${trigger.id}`,
              eventPattern: trigger.pattern as Record<string, unknown>,
              targets: [functionArn(deployedName(fn), location)],
            });
          break;
        }
        default:
          break; // sync sources and schedules invoke the function directly: nothing to declare
      }
    }
  }
  // Targets last, so a queue a trigger declares with its properties is not first created bare.
  for (const fn of functions) {
    for (const target of functionTargets(fn)) {
      const name = resourceName(target);
      if (!name) continue;
      if (target.type === 'sqs') services.ensureQueue({ name });
      else if (target.type === 'sns') services.ensureTopic({ name });
      else if (target.type === 'eventbridge') services.ensureBus({ name });
      else if (target.type === 's3') services.ensureBucket(name);
      else if (target.type === 'kafka') services.ensureKafkaTopic({ name });
    }
  }
}
