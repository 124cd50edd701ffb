/**
 * What every simulated AWS resource offers: a name and an ARN in the local account, a way to put messages, records
 * or events into it, and a way to hear that something was put (event source mappings poll on it).
 */
export type ResourceKind = 'sqs' | 'sns' | 'eventbridge' | 'kinesis' | 'dynamodb' | 'kafka' | 'mq' | 's3';

export interface Subscription {
  dispose(): void;
}

export interface LocalResource<Input, Receipt> {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly arn: string;
  /** SendMessageBatch, Publish, PutEvents, PutRecords, a table write's stream records, Produce, a broker send. */
  put(inputs: readonly Input[]): Receipt[];
  /** Called after every put that added something. */
  subscribe(listener: () => void): Subscription;
}

/** The simulated AWS time the resources stamp messages with (the engine's virtual clock). */
export interface SimulatedClock {
  /** Simulated ms since the epoch. */
  now(): number;
}

/** The listeners of one resource. */
export class Subscribers {
  private readonly listeners = new Set<() => void>();

  add(listener: () => void): Subscription {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/** A resource whose put takes each input on its own and then tells the subscribers once. */
export abstract class PutResource<Input, Receipt> implements LocalResource<Input, Receipt> {
  abstract readonly kind: ResourceKind;
  abstract readonly name: string;
  abstract readonly arn: string;
  private readonly subscribers = new Subscribers();

  subscribe(listener: () => void): Subscription {
    return this.subscribers.add(listener);
  }

  put(inputs: readonly Input[]): Receipt[] {
    const receipts = inputs.map((input) => this.putOne(input));
    if (receipts.length > 0) this.notify();
    return receipts;
  }

  /** Puts one input; a bad one throws, naming the resource and what is wrong. */
  protected abstract putOne(input: Input): Receipt;

  protected notify(): void {
    this.subscribers.notify();
  }
}
