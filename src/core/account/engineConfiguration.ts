/**
 * Turns discovery's FunctionConfigs into the invocation engine's configuration: the functions with their async
 * settings, and the local queues, topics, buses and streams their triggers, destinations and DLQs name.
 */
import * as path from 'node:path';
import type {
  DestinationTarget,
  FilterCriteria as DiscoveredFilterCriteria,
  FunctionConfig,
  Origin,
} from '../discovery/functionConfig';
import type {
  BusSettings,
  EngineConfiguration,
  FilterCriteria,
  KafkaMappingSettings,
  KafkaTopicSettings,
  LambdaFunctionSettings,
  MqMappingSettings,
  QueueSettings,
  StreamMappingSettings,
  StreamSettings,
  TopicSettings,
} from '../invoke/functionSettings';
import { busArn, functionArn, queueArn, topicArn, type AwsLocation } from '../resourceArn';

/** `template.yaml:12 (sam)`: where a value came from, relative to the workspace root. */
export function describeOrigin(origin: Origin, workspaceRoot: string): string {
  if (!origin.file) return origin.source;
  const file = path.relative(workspaceRoot, origin.file) || origin.file;
  return `${file}${origin.line ? `:${origin.line}` : ''} (${origin.source})`;
}

function origins(fn: FunctionConfig, workspaceRoot: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, origin] of Object.entries(fn.origins)) {
    if (key.startsWith(prefix)) out[prefix ? key.slice(prefix.length) : key] = describeOrigin(origin, workspaceRoot);
  }
  return out;
}

/** The local resource name of a target or source: its name, else its logical id, else the last part of its ARN. */
export function resourceName(target: { name?: string; logicalId?: string; arn?: string }): string | undefined {
  if (target.name) return target.name;
  if (target.logicalId) return target.logicalId;
  if (target.arn) return target.arn.split(/[:/]/).filter(Boolean).pop();
  return undefined;
}

/** The local ARN of a destination or DLQ target; undefined when it cannot be emulated (unknown type, no name). */
export function targetArn(target: DestinationTarget | undefined, loc: AwsLocation): string | undefined {
  if (!target) return undefined;
  const name = resourceName(target);
  if (!name) return undefined;
  switch (target.type) {
    case 'sqs':
      return queueArn(name, loc);
    case 'sns':
      return topicArn(name, loc);
    case 'lambda':
      return functionArn(name, loc);
    case 'eventbridge':
      return busArn(name, loc);
    case 's3':
      return `arn:aws:s3:::${name}`;
    default:
      return undefined;
  }
}

function filterCriteria(criteria: DiscoveredFilterCriteria | undefined): FilterCriteria | undefined {
  if (!criteria || criteria.patterns.length === 0) return undefined;
  return { filters: criteria.patterns.map((p) => ({ pattern: typeof p === 'string' ? p : JSON.stringify(p) })) };
}

export interface ConfigurationOptions {
  workspaceRoot: string;
  location: AwsLocation;
}

/** Builds the engine configuration; a resource named by several functions is declared once. */
export function toEngineConfiguration(
  functions: readonly FunctionConfig[],
  options: ConfigurationOptions,
): EngineConfiguration {
  const { location: loc, workspaceRoot } = options;
  const queues = new Map<string, QueueSettings>();
  const topics = new Map<string, TopicSettings>();
  const buses = new Map<string, BusSettings>();
  const streams = new Map<string, StreamSettings>();
  const kafkaTopics = new Map<string, KafkaTopicSettings>();
  const config: Required<
    Pick<EngineConfiguration, 'functions' | 'sqsMappings' | 'streamMappings' | 'kafkaMappings' | 'mqMappings'>
  > = {
    functions: [],
    sqsMappings: [],
    streamMappings: [],
    kafkaMappings: [],
    mqMappings: [],
  };
  const seen = new Set<string>();
  for (const fn of functions) {
    if (seen.has(fn.name)) continue; // discovery lists the highest-precedence definition first
    seen.add(fn.name);
    const settings: LambdaFunctionSettings = {
      name: fn.name,
      memorySizeMB: fn.memorySize,
      timeoutSeconds: fn.timeout,
      async: {
        maximumRetryAttempts: fn.eventInvokeConfig.maximumRetryAttempts,
        maximumEventAgeInSeconds: fn.eventInvokeConfig.maximumEventAgeInSeconds,
        destinations: {
          onSuccess: targetArn(fn.eventInvokeConfig.destinations.onSuccess, loc),
          onFailure: targetArn(fn.eventInvokeConfig.destinations.onFailure, loc),
        },
      },
      origins: origins(fn, workspaceRoot),
    };
    if (fn.reservedConcurrency !== undefined) settings.reservedConcurrency = fn.reservedConcurrency;
    const dlq = targetArn(fn.deadLetterQueue, loc);
    if (dlq) settings.deadLetterTargetArn = dlq;
    config.functions.push(settings);

    fn.triggers.forEach((trigger, index) => {
      if (!trigger.enabled) return;
      const triggerOrigins = origins(fn, workspaceRoot, `triggers.${index}.`);
      switch (trigger.kind) {
        case 'sqs': {
          const name = resourceName(trigger.queue) ?? `${fn.name}-${trigger.id}`;
          const queue: QueueSettings = {
            name,
            fifo: trigger.queue.fifo,
            visibilityTimeoutSeconds: trigger.queue.visibilityTimeout,
          };
          const redrive = trigger.queue.redrivePolicy;
          const redriveName = redrive ? resourceName(redrive.deadLetterTarget) : undefined;
          if (redrive && redriveName) {
            queue.redrivePolicy = {
              deadLetterTargetArn: queueArn(redriveName, loc),
              maxReceiveCount: redrive.maxReceiveCount,
            };
          }
          queues.set(name, { ...queues.get(name), ...queue });
          config.sqsMappings.push({
            id: `${fn.name}:${trigger.id}`,
            functionName: fn.name,
            queueName: name,
            batchSize: trigger.batchSize,
            maximumBatchingWindowInSeconds: trigger.maximumBatchingWindowInSeconds,
            functionResponseTypes: trigger.functionResponseTypes.includes('ReportBatchItemFailures')
              ? ['ReportBatchItemFailures']
              : [],
            ...(trigger.maximumConcurrency !== undefined ? { maximumConcurrency: trigger.maximumConcurrency } : {}),
            ...(filterCriteria(trigger.filterCriteria)
              ? { filterCriteria: filterCriteria(trigger.filterCriteria) }
              : {}),
            origins: triggerOrigins,
          });
          return;
        }
        case 'kinesis':
        case 'dynamodb': {
          const name = resourceName(trigger.stream) ?? `${fn.name}-${trigger.id}`;
          streams.set(`${trigger.kind}:${name}`, { type: trigger.kind, name });
          const mapping: StreamMappingSettings = {
            id: `${fn.name}:${trigger.id}`,
            functionName: fn.name,
            source: { type: trigger.kind, name },
            startingPosition:
              (trigger.startingPosition as StreamMappingSettings['startingPosition'] | undefined) ?? 'TRIM_HORIZON',
            batchSize: trigger.batchSize,
            maximumBatchingWindowInSeconds: trigger.maximumBatchingWindowInSeconds,
            maximumRetryAttempts: trigger.maximumRetryAttempts,
            maximumRecordAgeInSeconds: trigger.maximumRecordAgeInSeconds,
            bisectBatchOnFunctionError: trigger.bisectBatchOnFunctionError,
            parallelizationFactor: trigger.parallelizationFactor,
            functionResponseTypes: trigger.functionResponseTypes.includes('ReportBatchItemFailures')
              ? ['ReportBatchItemFailures']
              : [],
            tumblingWindowInSeconds: trigger.tumblingWindowInSeconds,
            origins: triggerOrigins,
          };
          const onFailure = targetArn(trigger.onFailure, loc);
          if (onFailure) mapping.onFailureDestinationArn = onFailure;
          const filters = filterCriteria(trigger.filterCriteria);
          if (filters) mapping.filterCriteria = filters;
          config.streamMappings.push(mapping);
          return;
        }
        case 'kafka': {
          // KAFKA-1: one mapping per topic; a trigger with several topics gets `<id>:<topic>` mapping ids.
          const filters = filterCriteria(trigger.filterCriteria);
          for (const topic of trigger.topics) {
            if (!kafkaTopics.has(topic)) kafkaTopics.set(topic, { name: topic });
            const mapping: KafkaMappingSettings = {
              id: trigger.topics.length > 1 ? `${fn.name}:${trigger.id}:${topic}` : `${fn.name}:${trigger.id}`,
              functionName: fn.name,
              topic,
              eventSource: trigger.flavor === 'msk' ? 'aws:kafka' : 'SelfManagedKafka',
              batchSize: trigger.batchSize,
              maximumBatchingWindowInSeconds: trigger.maximumBatchingWindowInSeconds,
              origins: triggerOrigins,
            };
            const cluster = trigger.cluster ? resourceName(trigger.cluster) : undefined;
            if (cluster) mapping.clusterName = cluster;
            if (trigger.bootstrapServers.length > 0) mapping.bootstrapServers = trigger.bootstrapServers;
            // The engine reads Kafka from TRIM_HORIZON or LATEST; AT_TIMESTAMP is not emulated for Kafka.
            if (trigger.startingPosition === 'LATEST' || trigger.startingPosition === 'TRIM_HORIZON')
              mapping.startingPosition = trigger.startingPosition;
            if (filters) mapping.filterCriteria = filters;
            config.kafkaMappings.push(mapping);
          }
          return;
        }
        case 'mq': {
          // MQ-1: one mapping per broker queue.
          const filters = filterCriteria(trigger.filterCriteria);
          const broker = resourceName(trigger.broker);
          for (const queueName of trigger.queues) {
            const mapping: MqMappingSettings = {
              id: trigger.queues.length > 1 ? `${fn.name}:${trigger.id}:${queueName}` : `${fn.name}:${trigger.id}`,
              functionName: fn.name,
              engine: trigger.engine,
              queueName,
              batchSize: trigger.batchSize,
              maximumBatchingWindowInSeconds: trigger.maximumBatchingWindowInSeconds,
              origins: triggerOrigins,
            };
            if (broker) mapping.brokerName = broker;
            if (filters) mapping.filterCriteria = filters;
            config.mqMappings.push(mapping);
          }
          return;
        }
        case 'sns': {
          const name = resourceName(trigger.topic) ?? `${fn.name}-${trigger.id}`;
          const topic = topics.get(name) ?? { name, subscriptions: [] };
          topic.subscriptions.push({
            protocol: 'lambda',
            endpoint: functionArn(fn.name, loc),
            ...(trigger.filterPolicy && typeof trigger.filterPolicy === 'object'
              ? { filterPolicy: trigger.filterPolicy as Record<string, unknown> }
              : {}),
          });
          topics.set(name, topic);
          return;
        }
        case 'eventbridge': {
          const name = trigger.eventBusName ?? 'default';
          const bus = buses.get(name) ?? { name, rules: [] };
          if (trigger.pattern && typeof trigger.pattern === 'object') {
            bus.rules.push({
              name: `${fn.name}-${trigger.id}`,
              eventPattern: trigger.pattern as Record<string, unknown>,
              targets: [functionArn(fn.name, loc)],
            });
          }
          buses.set(name, bus);
          return;
        }
        default:
          return; // sync sources and schedules invoke the function directly; nothing to declare
      }
    });
  }
  // Queues, topics and buses named only as destinations or DLQs are created by the engine with defaults.
  return {
    ...config,
    queues: [...queues.values()],
    topics: [...topics.values()],
    buses: [...buses.values()],
    streams: [...streams.values()],
    kafkaTopics: [...kafkaTopics.values()],
  };
}
