/** A queue on a local Amazon MQ broker (ActiveMQ or RabbitMQ): messages in order, kept in the durable store. */
import type { AwsLocation } from '../awsLocation';
import { mqBrokerArn } from '../resourceArn';
import type { DurableStore } from '../store/durableStore';
import { PutResource, type SimulatedClock } from './localResource';
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

export class MqBrokerQueue extends PutResource<SendMqMessageInput, string> {
  readonly kind = 'mq' as const;
  readonly log: ShardLog<MqPayload>;
  /** The broker's ARN. */
  readonly arn: string;

  constructor(
    readonly brokerName: string,
    readonly queueName: string,
    store: DurableStore,
    private readonly clock: SimulatedClock,
    location: AwsLocation,
  ) {
    super();
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

  /** Sends a message to the queue; returns its message id. */
  protected putOne(input: SendMqMessageInput): string {
    const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
    const record = this.log.append(
      MQ_SHARD,
      '',
      { data: data.toString('base64'), properties: input.properties ?? {} },
      this.clock.now(),
    );
    return record.sequenceNumber;
  }
}
