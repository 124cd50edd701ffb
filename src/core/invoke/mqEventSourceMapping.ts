/**
 * MQ-1: Amazon MQ mappings, ActiveMQ (`aws:mq`, `messages`) and RabbitMQ (`aws:rmq`, `rmqMessagesByQueue`).
 * Where AWS is vague: one consumer reads the queue in order; a failing batch goes back to the broker and is
 * redelivered (`redelivered: true`) with the streams' back-off, up to MaximumRedeliveries (default 6, ActiveMQ's
 * default redelivery policy), then dropped (the broker's own DLQ is not simulated).
 */
import type { CompiledFilters } from './filterCriteria';
import { usedConfiguration } from './invocationRecord';
import { decodeJson } from './kafkaEventSourceMapping';
import type { MqMappingSettings } from './functionSettings';
import type { MqBrokerQueue, MqPayload } from './mqBrokerQueue';
import type { AwsLocation } from '../resourceArn';
import type { LogRecord, ShardLog } from './shardLog';
import {
  checkMappingRange,
  type OrderedMappingOptions,
  type PolledSource,
  type RecordDelivery,
} from './streamEventSourceMapping';

export class MqSource implements PolledSource<MqPayload> {
  readonly type = 'mq' as const;
  readonly arn: string;
  readonly log: ShardLog<MqPayload>;
  /** Broker messages do not expire. */
  readonly retentionMs = Infinity;
  private readonly engine: 'activemq' | 'rabbitmq';
  private readonly virtualHost: string;

  constructor(
    readonly queue: MqBrokerQueue,
    settings: MqMappingSettings,
    location: AwsLocation,
  ) {
    this.log = queue.log;
    this.engine = settings.engine;
    this.virtualHost = settings.virtualHost ?? '/';
    this.arn = `arn:aws:mq:${location.region}:${location.accountId}:broker:${queue.brokerName}:b-00000000-0000-0000-0000-000000000000`;
  }

  /** MQ-1: one message as Lambda delivers it. */
  lambdaRecord(record: LogRecord<MqPayload>, delivery: RecordDelivery): Record<string, unknown> {
    const p = record.payload;
    if (this.engine === 'activemq') {
      return {
        messageID: record.sequenceNumber,
        messageType: 'jms/text-message',
        deliveryMode: 1,
        replyTo: null,
        type: null,
        expiration: '0',
        priority: 4,
        correlationId: null,
        redelivered: delivery.redelivered,
        destination: { physicalName: this.queue.queueName },
        data: p.data,
        timestamp: record.arrival,
        brokerInTime: record.arrival,
        brokerOutTime: record.arrival,
        properties: p.properties,
      };
    }
    return {
      basicProperties: {
        contentType: 'text/plain',
        contentEncoding: null,
        headers: p.properties,
        deliveryMode: 1,
        priority: 0,
        correlationId: null,
        replyTo: null,
        expiration: null,
        messageId: record.sequenceNumber,
        timestamp: new Date(record.arrival).toUTCString(),
        type: null,
        userId: null,
        appId: null,
        clusterId: null,
        bodySize: Buffer.from(p.data, 'base64').length,
      },
      redelivered: delivery.redelivered,
      data: p.data,
    };
  }

  /** FILTER-3: MQ filters see `data` decoded, then parsed when JSON. */
  filterView(lambdaRecord: Record<string, unknown>): unknown {
    return { ...lambdaRecord, data: decodeJson(lambdaRecord.data) };
  }

  event(_shardId: string, records: Array<Record<string, unknown>>): Record<string, unknown> {
    return this.engine === 'activemq'
      ? { eventSource: 'aws:mq', eventSourceArn: this.arn, messages: records }
      : {
          eventSource: 'aws:rmq',
          eventSourceArn: this.arn,
          rmqMessagesByQueue: { [`${this.queue.queueName}::${this.virtualHost}`]: records },
        };
  }
}

export function mqMappingOptions(settings: MqMappingSettings, filters: CompiledFilters): OrderedMappingOptions {
  const id = settings.id ?? `${settings.functionName}:${settings.queueName}`;
  if (settings.engine !== 'activemq' && settings.engine !== 'rabbitmq')
    throw new RangeError(`Mapping ${id}: engine must be activemq or rabbitmq.`);
  const batchSize = settings.batchSize ?? 100;
  const window = settings.maximumBatchingWindowInSeconds ?? 0.5;
  const redeliveries = settings.maximumRedeliveries ?? 6;
  checkMappingRange(id, 'BatchSize', batchSize, 1, 10_000);
  checkMappingRange(id, 'MaximumBatchingWindowInSeconds', window, 0, 300);
  checkMappingRange(id, 'MaximumRedeliveries', redeliveries, -1, 10_000);
  return {
    id,
    functionName: settings.functionName,
    startingPosition: 'TRIM_HORIZON',
    batchSize,
    windowMs: window * 1000,
    maxRetries: redeliveries === -1 ? Infinity : redeliveries,
    maxRecordAgeMs: Infinity,
    bisect: false,
    parallelization: 1,
    reportBatchItemFailures: false,
    tumblingWindowMs: 0,
    filters,
    enabled: settings.enabled ?? true,
    configuration: usedConfiguration(
      {
        engine: settings.engine,
        brokerName: settings.brokerName ?? 'local-broker',
        queueName: settings.queueName,
        batchSize,
        maximumBatchingWindowInSeconds: window,
        maximumRedeliveries: redeliveries,
        filterCriteria: settings.filterCriteria ?? null,
      },
      settings.origins,
    ),
  };
}
