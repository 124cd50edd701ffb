/** A queue on a local Amazon MQ broker (ActiveMQ or RabbitMQ): messages in order, kept in the durable store. */
import type { AwsLocation } from '../awsLocation';
import { mqBrokerArn } from '../resourceArn';
import type { DurableStore } from '../store/durableStore';
import { Subscribers, type LocalResource, type SimulatedClock, type Subscription } from './localResource';
import { ShardLog } from './shardLog';

export interface MqPayload {
  /** Base64. */
  data: string;
  /** ActiveMQ message properties / RabbitMQ headers. */
  properties: Record<string, string>;
}

export interface SendMqMessageInput {
  /** Text is sent as UTF-8 bytes. */
  data: string | Uint8Array;
  properties?: Record<string, string>;
}

export const MQ_SHARD = 'queue';

export class MqBrokerQueue implements LocalResource<SendMqMessageInput, string> {
  readonly kind = 'mq' as const;
  readonly log: ShardLog<MqPayload>;
  /** The broker's ARN. */
  readonly arn: string;
  private readonly subscribers = new Subscribers();

  constructor(
    readonly brokerName: string,
    readonly queueName: string,
    store: DurableStore,
    private readonly clock: SimulatedClock,
    location: AwsLocation,
  ) {
    this.arn = mqBrokerArn(brokerName, location);
    // ActiveMQ-style message ids: producer id, then the message's number.
    this.log = new ShardLog(
      store,
      `mq/${brokerName}/${queueName}`,
      [MQ_SHARD],
      (_shard, n) => `ID:${brokerName}-${queueName}-1:1:1:1:${n + 1}`,
    );
  }

  /** `<broker>/<queue>`. */
  get name(): string {
    return `${this.brokerName}/${this.queueName}`;
  }

  subscribe(listener: () => void): Subscription {
    return this.subscribers.add(listener);
  }

  /** Sends messages to the queue, in order; returns their message ids. */
  put(inputs: readonly SendMqMessageInput[]): string[] {
    const now = this.clock.now();
    const ids = inputs.map((input) => {
      const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
      const record = this.log.append(
        MQ_SHARD,
        '',
        { data: data.toString('base64'), properties: input.properties ?? {} },
        now,
      );
      return record.sequenceNumber;
    });
    if (ids.length > 0) this.subscribers.notify();
    return ids;
  }
}
