/** A queue on a local Amazon MQ broker (ActiveMQ or RabbitMQ): messages in order, kept in the durable store. */
import type { DurableStore } from '../store/durableStore';
import { ShardLog } from './shardLog';
import type { VirtualClock } from './virtualClock';

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

export class MqBrokerQueue {
  readonly log: ShardLog<MqPayload>;

  constructor(
    readonly brokerName: string,
    readonly queueName: string,
    store: DurableStore,
    private readonly clock: VirtualClock,
  ) {
    // ActiveMQ-style message ids: producer id, then the message's number.
    this.log = new ShardLog(
      store,
      `mq/${brokerName}/${queueName}`,
      [MQ_SHARD],
      (_shard, n) => `ID:${brokerName}-${queueName}-1:1:1:1:${n + 1}`,
    );
  }

  send(inputs: SendMqMessageInput[]): string[] {
    const now = this.clock.now();
    return inputs.map((input) => {
      const data = typeof input.data === 'string' ? Buffer.from(input.data, 'utf8') : Buffer.from(input.data);
      const record = this.log.append(
        MQ_SHARD,
        '',
        { data: data.toString('base64'), properties: input.properties ?? {} },
        now,
      );
      return record.sequenceNumber;
    });
  }
}
