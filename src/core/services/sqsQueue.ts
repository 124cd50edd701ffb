/**
 * A local SQS queue kept in the durable store: send, receive with visibility timeout and receive counts (SQS-2,
 * SQS-3), the redrive policy to its own dead-letter queue, FIFO message groups (SQS-5), purge and inspection.
 */
import * as crypto from 'node:crypto';
import { createHash, randomUUID } from 'node:crypto';
import type { AwsLocation } from '../awsLocation';
import { queueArn } from '../resourceArn';
import type { DurableStore } from '../store/durableStore';
import { LiveCollection } from '../store/liveCollection';
import { PutResource, type SimulatedClock } from './localResource';
import type { QueueSettings } from './resources';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface SqsMessage {
  messageId: string;
  body: string;
  messageAttributes: Record<string, MessageAttributeValue>;
  md5OfBody: string;
  /** Simulated ms. */
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  receiptHandle?: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  senderId: string;
  /** Set on messages the redrive policy moved here (SQS-3). */
  deadLetterQueueSourceArn?: string;
  /** The invocation record that last received this message (SQS-3 redrives are reported there). */
  lastRecordId?: string;
  /** The invocation record whose delivery sent this message (an async destination or dead-letter queue). */
  causeRecordId?: string;
  /**
   * Receives the engine followed since it last started following this message (followHorizon.ts); a message that
   * reached the follow horizon is left in the queue until a run follows it again.
   */
  followed?: number;
}

export interface SendMessageInput {
  /**
   * The message id an SQS event already gives its record (a saved or captured event put on the queue), kept so that a
   * handler's `itemIdentifier`s match it; SQS itself makes a new one when there is none.
   */
  messageId?: string;
  body: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  delaySeconds?: number;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  /** The invocation record whose delivery sends this message; the story of whatever receives it continues there. */
  causeRecordId?: string;
}

export interface RedriveEvent {
  message: SqsMessage;
  receiveCount: number;
  targetArn: string;
  /** The message's id in the dead-letter queue (its own, unless that queue already held a message of that id). */
  movedAs: string;
}

export interface ReceiveResult {
  messages: SqsMessage[];
  /** SQS-3: moved to the dead-letter queue instead of being received. */
  redriven: RedriveEvent[];
}

export const MAX_SQS_MESSAGE_BYTES = 1024 * 1024;
const SENDER_ID = 'AIDAIENQZJOLO23YVJ4VO';
const DEDUP_WINDOW_MS = 5 * 60_000;
/** SQS keeps a message 4 days unless the queue says otherwise. */
const DEFAULT_RETENTION_SECONDS = 4 * 86_400;

export class SqsQueue extends PutResource<SendMessageInput, SqsMessage> {
  readonly kind = 'sqs' as const;
  readonly arn: string;
  private readonly collection: string;
  private readonly recentDedupIds = new Map<string, number>();
  /** The queue's messages, in the order they entered it, written to the store at its next commit. */
  private readonly byId: LiveCollection<SqsMessage>;
  /**
   * Receive order: the messages in the order they entered the queue, from `head` on. A deleted (or replaced) message
   * stays here until the head passes it and is skipped meanwhile. Receive starts at the head instead of walking the
   * store's map from its start, where V8 keeps every deleted entry as a hole until the table shrinks: a queue that
   * had 100,000 messages and delivered 60,000 took 0.1 ms to reach its first message.
   */
  private order: SqsMessage[] | undefined;
  private head = 0;
  /** How many messages are visible, kept up to date once asked for (a batching window asks at every poll). */
  private visibility: VisibilityIndex | undefined;

  constructor(
    private _settings: QueueSettings,
    private readonly store: DurableStore,
    private readonly clock: SimulatedClock,
    location: AwsLocation,
    /** SQS-3: hands a message over to the redrive policy's dead-letter queue; says where it went, under which id. */
    private readonly moveToDeadLetterQueue: (
      message: SqsMessage,
      deadLetterTargetArn: string,
    ) => { arn: string; messageId: string },
  ) {
    super();
    checkQueueSettings(_settings);
    this.arn = queueArn(_settings.name, location);
    this.collection = `sqs/${_settings.name}`;
    this.byId = new LiveCollection<SqsMessage>(store, this.collection);
  }

  get settings(): QueueSettings {
    return this._settings;
  }

  get fifo(): boolean {
    return this._settings.fifo ?? this._settings.name.endsWith('.fifo');
  }

  /** A template declares what an earlier reference (a DLQ, a queue left in the store) created with defaults. */
  reconfigure(settings: Partial<Omit<QueueSettings, 'name'>>): void {
    const next = { ...this._settings };
    for (const [key, value] of Object.entries(settings)) if (value !== undefined) Object.assign(next, { [key]: value });
    checkQueueSettings(next);
    this._settings = next;
  }

  get name(): string {
    return this.settings.name;
  }

  get visibilityTimeoutMs(): number {
    return (this.settings.visibilityTimeoutSeconds ?? 30) * 1000;
  }

  /**
   * How long SQS keeps a message after it was sent (the queue's MessageRetentionPeriod, 4 days by default). Only what
   * the engine says about a message it stops following uses it: local queues do not drop old messages.
   */
  get messageRetentionMs(): number {
    const seconds = this.settings.messageRetentionPeriodSeconds;
    return (
      (seconds !== undefined && seconds >= 60 && seconds <= 1_209_600 ? seconds : DEFAULT_RETENTION_SECONDS) * 1000
    );
  }

  private get map(): LiveCollection<SqsMessage> {
    return this.byId;
  }

  /**
   * Keeps a message; it is written as it is at the store's next commit ('later': at the next one that writes
   * everything, a flush or the store's timer; see LiveCollection.save).
   */
  private save(message: SqsMessage, when: 'now' | 'later' = 'now'): void {
    this.byId.save(message.messageId, message, when);
    this.visibility?.saved(message, this.clock.now());
  }

  private remove(messageId: string): void {
    this.byId.delete(messageId);
    this.visibility?.removed(messageId);
  }

  private receiveOrder(): SqsMessage[] {
    const map = this.map;
    if (!this.order || this.order.length - this.head > 2 * map.size + 1024) {
      // First use (the store was replayed), or too many deleted messages behind an old one at the head: rebuild.
      this.order = [...map.values()];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    return this.order;
  }

  private enqueue(message: SqsMessage): void {
    const existing = this.map.get(message.messageId);
    this.save(message);
    if (!this.order) return;
    if (existing === undefined) this.order.push(message);
    // Another message put under a known id keeps that id's place in the map: rebuild the order from the map.
    else if (existing !== message) this.order = undefined;
  }

  /** SendMessage (`put` is SendMessageBatch, without its 10-entry limit). */
  send(input: SendMessageInput): SqsMessage {
    return this.put([input])[0];
  }

  /** Refuses the whole batch before anything is sent when a given message id is already taken. */
  override put(inputs: readonly SendMessageInput[]): SqsMessage[] {
    const ids = new Set<string>();
    for (const { messageId } of inputs) {
      if (messageId === undefined) continue;
      if (typeof messageId !== 'string' || messageId.length === 0)
        throw new Error(`SendMessage to ${this.name}: a message id must be a non-empty string.`);
      if (this.map.has(messageId))
        throw new Error(
          `SendMessage to ${this.name}: a message with id "${messageId}" is already in the queue; purge the queue or give the record another messageId.`,
        );
      if (ids.has(messageId)) throw new Error(`SendMessage to ${this.name}: two messages have the id "${messageId}".`);
      ids.add(messageId);
    }
    return super.put(inputs);
  }

  protected putOne(input: SendMessageInput): SqsMessage {
    if (typeof input.body !== 'string' || input.body.length === 0)
      throw new Error(`SendMessage to ${this.name}: the body must be a non-empty string.`);
    const size = Buffer.byteLength(input.body);
    if (size > MAX_SQS_MESSAGE_BYTES)
      throw new Error(`SendMessage to ${this.name}: the body is ${size} bytes; SQS allows ${MAX_SQS_MESSAGE_BYTES}.`);
    const now = this.clock.now();
    const message: SqsMessage = {
      messageId: input.messageId ?? randomUUID(),
      body: input.body,
      messageAttributes: input.messageAttributes ?? {},
      md5OfBody: md5Hex(input.body),
      sentAt: now,
      visibleAt: now + (input.delaySeconds ?? this.settings.delaySeconds ?? 0) * 1000,
      receiveCount: 0,
      senderId: SENDER_ID,
    };
    if (input.causeRecordId) message.causeRecordId = input.causeRecordId;
    if (this.fifo) {
      if (!input.messageGroupId) throw new Error(`SendMessage to FIFO queue ${this.name}: MessageGroupId is required.`);
      const dedup =
        input.messageDeduplicationId ??
        (this.settings.contentBasedDeduplication ? createHash('sha256').update(input.body).digest('hex') : undefined);
      if (!dedup)
        throw new Error(
          `SendMessage to FIFO queue ${this.name}: MessageDeduplicationId is required (or enable content-based deduplication).`,
        );
      const seen = this.recentDedupIds.get(dedup);
      if (seen !== undefined && now - seen < DEDUP_WINDOW_MS) return { ...message, messageId: `duplicate-of-${dedup}` };
      this.recentDedupIds.set(dedup, now);
      message.groupId = input.messageGroupId;
      message.deduplicationId = dedup;
      message.sequenceNumber = this.nextSequenceNumber();
      message.visibleAt = now; // FIFO queues have no per-message delay
    }
    this.enqueue(message);
    return message;
  }

  /** Puts an existing message (a redrive or a move) into this queue under its own id. */
  adopt(message: SqsMessage): void {
    this.enqueue(message);
    this.notify();
  }

  private nextSequenceNumber(): string {
    const key = `sequence/${this.name}`;
    const next = (this.store.get<number>('meta', key) ?? 0) + 1;
    this.store.put('meta', key, next);
    return String(next).padStart(20, '0');
  }

  /**
   * Receives up to `max` visible messages (and at most `maxBytes` of bodies): each gets a new receipt handle,
   * its receive count goes up and it stays invisible for the visibility timeout (SQS-2, SQS-3). Messages `leave`
   * picks are left where they are (in a FIFO queue they still hold up their group).
   */
  receive(max: number, maxBytes = Infinity, leave?: (message: SqsMessage) => boolean): ReceiveResult {
    const now = this.clock.now();
    const messages: SqsMessage[] = [];
    const redriven: RedriveEvent[] = [];
    const blockedGroups = new Set<string>();
    let bytes = 0;
    const map = this.map;
    const order = this.receiveOrder();
    for (let i = this.head; i < order.length; i++) {
      const message = order[i];
      if (map.get(message.messageId) !== message) {
        // Deleted since it entered the queue.
        if (i === this.head) this.head++;
        continue;
      }
      if (messages.length >= max) break;
      if (this.fifo && blockedGroups.has(message.groupId!)) continue;
      if (message.visibleAt > now || leave?.(message)) {
        // SQS-5: an in-flight message blocks the rest of its group.
        if (this.fifo) blockedGroups.add(message.groupId!);
        continue;
      }
      const policy = this.settings.redrivePolicy;
      if (policy && message.receiveCount >= policy.maxReceiveCount) {
        // SQS-3: received maxReceiveCount times without being deleted: SQS moves it instead of delivering it again.
        redriven.push(this.redrive(message, policy.deadLetterTargetArn));
        continue;
      }
      const size = Buffer.byteLength(message.body);
      if (messages.length > 0 && bytes + size > maxBytes) break;
      bytes += size;
      message.receiveCount++;
      message.firstReceiveAt ??= now;
      message.visibleAt = now + this.visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      // Delivery bookkeeping no caller waits on (SQS-2): written with the next write of everything. The mapping's
      // batch end deletes it or returns it; ReceiveMessage flushes before it answers.
      this.save(message, 'later');
      messages.push(message);
    }
    return { messages, redriven };
  }

  private redrive(message: SqsMessage, target: string): RedriveEvent {
    const receiveCount = message.receiveCount;
    this.remove(message.messageId);
    const moved = this.moveToDeadLetterQueue(
      {
        ...message,
        receiveCount: 0,
        visibleAt: this.clock.now(),
        receiptHandle: undefined,
        deadLetterQueueSourceArn: this.arn,
      },
      target,
    );
    return { message, receiveCount, targetArn: moved.arn, movedAs: moved.messageId };
  }

  delete(messageId: string): boolean {
    if (!this.map.has(messageId)) return false;
    this.remove(messageId);
    return true;
  }

  /** ChangeMessageVisibility: the message becomes visible at simulated time `visibleAt`. */
  changeVisibility(messageId: string, visibleAt: number): void {
    const message = this.map.get(messageId);
    if (!message) return;
    message.visibleAt = visibleAt;
    this.save(message);
  }

  get(messageId: string): SqsMessage | undefined {
    return this.map.get(messageId);
  }

  /** Every message, in queue order (for inspection). */
  messages(): SqsMessage[] {
    return [...this.map.values()];
  }

  get size(): number {
    return this.map.size;
  }

  counts(): { visible: number; inFlight: number; total: number } {
    const visible = this.visibleCount();
    return { visible, inFlight: this.map.size - visible, total: this.map.size };
  }

  /** Messages visible now (ApproximateNumberOfMessages), without walking the queue. */
  visibleCount(): number {
    const now = this.clock.now();
    if (!this.visibility) {
      this.visibility = new VisibilityIndex();
      for (const m of this.map.values()) this.visibility.saved(m, now);
    }
    return this.map.size - this.visibility.hiddenAt(now);
  }

  /** The earliest simulated time at which an invisible message becomes visible again. */
  nextVisibleAt(): number | undefined {
    const now = this.clock.now();
    let next: number | undefined;
    for (const m of this.map.values())
      if (m.visibleAt > now && (next === undefined || m.visibleAt < next)) next = m.visibleAt;
    return next;
  }

  purge(): number {
    const ids = [...this.map.keys()];
    for (const id of ids) this.remove(id);
    return ids.length;
  }
}

/**
 * The MD5 of a text in hex, in one call where Node.js has crypto.hash (20.12 on): no Hash object per message sent.
 */
const md5Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('md5', text, 'hex')
    : (text) => createHash('md5').update(text).digest('hex');

/**
 * SQS-7: the MD5 digest of a message's attributes, as SQS computes `MD5OfMessageAttributes`: for each attribute, in
 * order of name, the name, its data type and its value, each as a 4-byte big-endian length and its bytes, with a
 * transport byte before the value (1 for a string, 2 for binary); the MD5 of all that, in hex. Undefined for a
 * message without attributes.
 */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  const field = (bytes: Buffer): void => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(DataType, 'utf8'));
    if (StringValue !== undefined) {
      hash.update(Buffer.of(1));
      field(Buffer.from(StringValue, 'utf8'));
    } else {
      hash.update(Buffer.of(2));
      field(Buffer.from(BinaryValue ?? '', 'base64'));
    }
  }
  return hash.digest('hex');
}

/**
 * The messages of a queue that are invisible (in flight, or delayed) until a time: a count kept as messages are saved
 * and removed, and a min-heap of the times they become visible, popped as the clock passes them. An entry of a message
 * saved again or removed since is stale: it is skipped when popped, and the heap is rebuilt when they pile up.
 */
class VisibilityIndex {
  /** Each hidden message's id and the time it becomes visible. */
  private readonly hidden = new Map<string, number>();
  private heap: Array<{ at: number; id: string }> = [];

  saved(message: SqsMessage, now: number): void {
    if (message.visibleAt <= now) {
      this.hidden.delete(message.messageId);
      return;
    }
    if (this.hidden.get(message.messageId) === message.visibleAt) return;
    this.hidden.set(message.messageId, message.visibleAt);
    this.push({ at: message.visibleAt, id: message.messageId });
    if (this.heap.length > 2 * this.hidden.size + 1024) this.rebuild();
  }

  removed(messageId: string): void {
    this.hidden.delete(messageId);
  }

  /** How many messages are still invisible at `now`. */
  hiddenAt(now: number): number {
    while (this.heap.length > 0 && this.heap[0].at <= now) {
      const { at, id } = this.pop();
      if (this.hidden.get(id) === at) this.hidden.delete(id);
    }
    return this.hidden.size;
  }

  private rebuild(): void {
    this.heap = [];
    for (const [id, at] of this.hidden) this.push({ at, id });
  }

  private push(entry: { at: number; id: string }): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= entry.at) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): { at: number; id: string } {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right].at < heap[left].at ? right : left;
        if (heap[child].at >= last.at) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

function checkQueueSettings(settings: QueueSettings): void {
  if ((settings.fifo ?? false) && !settings.name.endsWith('.fifo'))
    throw new Error(`FIFO queue "${settings.name}" must have a name ending in .fifo.`);
}
