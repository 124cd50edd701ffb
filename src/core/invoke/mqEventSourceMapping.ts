/**
 * MQ-1: Amazon MQ mappings, ActiveMQ (`aws:mq`, `messages`) and RabbitMQ (`aws:rmq`, `rmqMessagesByQueue`).
 * Where AWS is vague: one consumer reads the queue in order; a failing batch goes back to the broker and is
 * redelivered (`redelivered: true`) with the streams' back-off, up to MaximumRedeliveries (default 6, ActiveMQ's
 * default redelivery policy), then dropped (the broker's own DLQ is not simulated).
 */
import type { AwsLocation } from '../awsLocation';
import type { MqTrigger } from '../discovery/functionConfig';
import type { Subscription } from '../services/localResource';
import type { MqBrokerQueue, MqPayload } from '../services/mqBroker';
import type { LogRecord, ShardLog } from '../services/shardLog';
import type { EngineFunction } from './engineFunction';
import { compileFilterCriteria } from './filterCriteria';
import { usedConfiguration } from './invocationRecord';
import { decodeJson } from './kafkaEventSourceMapping';
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
  /** The broker's queue, as `broker/queue`. */
  readonly name: string;
  private readonly engine: 'activemq' | 'rabbitmq';
  private readonly virtualHost: string;

  constructor(
    readonly queue: MqBrokerQueue,
    trigger: MqTrigger,
    location: AwsLocation,
  ) {
    this.log = queue.log;
    this.name = `${queue.brokerName}/${queue.queueName}`;
    this.engine = trigger.engine;
    this.virtualHost = '/';
    this.arn = `arn:aws:mq:${location.region}:${location.accountId}:broker:${queue.brokerName}:b-00000000-0000-0000-0000-000000000000`;
  }

  subscribe(listener: () => void): Subscription {
    return this.queue.subscribe(listener);
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

/** MQ-1: the options of one broker queue of an MQ trigger (a trigger with several queues maps each one). */
export function mqMappingOptions(
  fn: EngineFunction,
  trigger: MqTrigger,
  brokerName: string,
  queueName: string,
): OrderedMappingOptions {
  const id = trigger.queues.length > 1 ? `${fn.name}:${trigger.id}:${queueName}` : `${fn.name}:${trigger.id}`;
  if (trigger.engine !== 'activemq' && trigger.engine !== 'rabbitmq')
    throw new RangeError(`Mapping ${id}: engine must be activemq or rabbitmq.`);
  const batchSize = trigger.batchSize;
  const window = trigger.maximumBatchingWindowInSeconds;
  const redeliveries = 6;
  checkMappingRange(id, 'BatchSize', batchSize, 1, 10_000);
  checkMappingRange(id, 'MaximumBatchingWindowInSeconds', window, 0, 300);
  const at = (key: string): string => `triggers.${fn.triggers.indexOf(trigger)}.${key}`;
  return {
    id,
    functionName: fn.name,
    startingPosition: 'TRIM_HORIZON',
    batchSize,
    windowMs: window * 1000,
    maxRetries: redeliveries,
    maxRecordAgeMs: Infinity,
    bisect: false,
    parallelization: 1,
    reportBatchItemFailures: false,
    tumblingWindowMs: 0,
    filters: compileFilterCriteria(trigger.filterCriteria),
    enabled: trigger.enabled,
    configuration: usedConfiguration(
      {
        engine: [trigger.engine, at('engine')],
        brokerName: [brokerName, at('broker')],
        queueName: [queueName, at('queues')],
        batchSize: [batchSize, at('batchSize')],
        maximumBatchingWindowInSeconds: [window, at('maximumBatchingWindowInSeconds')],
        maximumRedeliveries: [redeliveries, at('maximumRedeliveries')],
        filterCriteria: [trigger.filterCriteria ?? null, at('filterCriteria')],
      },
      fn.origins,
    ),
  };
}
