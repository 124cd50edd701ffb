/**
 * The SQS event source mapping (SQS-1..7): Lambda polls the queue, invokes the function with batches, deletes
 * what succeeded and leaves the rest to come back after the visibility timeout (and to the queue's own DLQ).
 */
import { randomUUID } from 'node:crypto';
import type { SqsTrigger } from '../discovery/functionConfig';
import type { Subscription } from '../services/localResource';
import { md5OfMessageAttributes, type RedriveEvent, type SqsMessage, type SqsQueue } from '../services/sqsQueue';
import { readBatchItemFailures } from './batchItemFailures';
import type { EngineContext } from './engineContext';
import type { EngineFunction } from './engineFunction';
import { compileFilterCriteria, sqsFilterView, type CompiledFilters } from './filterCriteria';
import { durationText, instantText, LONG_RETRY_MS, type UnsettledEvent } from './followHorizon';
import { runAttempt, refusedAttempt } from './functionAttempt';
import { isDurable } from './durable/durableExecutions';
import { runExecutionAttempt } from './durable/executionAttempt';
import {
  newInvocationRecord,
  timePoint,
  usedConfiguration,
  type BatchRecord,
  type InvocationRecord,
  type UsedConfiguration,
} from './invocationRecord';

/** SQS-1: a batch is also capped at 6 MB. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;

export class SqsEventSourceMapping {
  readonly id: string;
  readonly batchSize: number;
  readonly windowMs: number;
  readonly maximumConcurrency: number;
  readonly reportBatchItemFailures: boolean;
  private readonly filters: CompiledFilters;
  private running = 0;
  private pumpTimer: number | undefined;
  private windowStartedAt: number | undefined;
  private readonly wakeTimes = new Set<number>();
  private readonly subscription: Subscription;
  readonly functionName: string;
  /** Where this trigger sits in the function model (origins of its values). */
  private readonly modelPath: string;

  constructor(
    private readonly ctx: EngineContext,
    private readonly fn: EngineFunction,
    readonly trigger: SqsTrigger,
    readonly queue: SqsQueue,
  ) {
    this.functionName = fn.name;
    this.id = `${fn.name}:${trigger.id}`;
    this.modelPath = `triggers.${fn.triggers.indexOf(trigger)}`;
    this.batchSize = trigger.batchSize;
    this.windowMs = trigger.maximumBatchingWindowInSeconds * 1000;
    this.maximumConcurrency = trigger.maximumConcurrency ?? 5;
    this.reportBatchItemFailures = trigger.functionResponseTypes.includes('ReportBatchItemFailures');
    const max = queue.fifo ? 10 : 10_000;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > max) {
      throw new RangeError(
        `Mapping ${this.id}: BatchSize must be 1..${max} for ${queue.fifo ? 'a FIFO' : 'a standard'} queue (got ${this.batchSize}).`,
      );
    }
    if (this.batchSize > 10 && this.windowMs < 1000) {
      throw new RangeError(
        `Mapping ${this.id}: a BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1.`,
      );
    }
    if (this.windowMs < 0 || this.windowMs > 300_000)
      throw new RangeError(`Mapping ${this.id}: MaximumBatchingWindowInSeconds must be 0..300.`);
    if (trigger.maximumConcurrency !== undefined && (this.maximumConcurrency < 2 || this.maximumConcurrency > 1000)) {
      throw new RangeError(`Mapping ${this.id}: ScalingConfig.MaximumConcurrency must be 2..1000.`);
    }
    this.filters = compileFilterCriteria(trigger.filterCriteria);
    // Messages sent, redriven or moved into the queue wake the poller.
    this.subscription = queue.subscribe(() => this.notify());
  }

  get enabled(): boolean {
    return this.trigger.enabled && !this.disabled;
  }

  /** Mappings can be switched off (the CLI's `queues` commands look at queues without functions taking messages). */
  private disabled = false;

  disable(): void {
    this.disabled = true;
  }

  dispose(): void {
    this.subscription.dispose();
  }

  /** Messages may be waiting: poll at the current simulated instant (sends in the same instant share a batch). */
  notify(): void {
    if (this.pumpTimer !== undefined || !this.enabled) return;
    this.pumpTimer = this.ctx.clock.at(this.ctx.clock.now(), () => {
      this.pumpTimer = undefined;
      this.pump();
    });
  }

  /**
   * After reopening the store: poll now, and again when in-flight messages come back. Messages a run stopped
   * following stay where they are until a run follows them again (followAgain).
   */
  resume(): void {
    this.notify();
    const now = this.ctx.clock.now();
    for (const m of this.queue.messages()) if (m.visibleAt > now && !this.stoppedFollowing(m)) this.wakeAt(m.visibleAt);
  }

  /**
   * A run follows this queue's messages again (followHorizon.ts): their follow counts start over, and the messages a
   * run stopped following are received again when they are visible.
   */
  followAgain(): void {
    if (!this.enabled) return;
    const now = this.ctx.clock.now();
    for (const m of this.queue.messages()) {
      if (!m.followed) continue;
      const stopped = this.stoppedFollowing(m);
      m.followed = 0;
      this.queue.changeVisibility(m.messageId, m.visibleAt); // persists the count with it
      if (stopped && m.visibleAt > now) this.wakeAt(m.visibleAt);
    }
    this.notify();
  }

  /** The message reached the follow horizon, and SQS would keep returning it for long (followHorizon.ts). */
  private stoppedFollowing(m: SqsMessage): boolean {
    return (m.followed ?? 0) >= this.ctx.followDeliveries && this.returnedFor(m).long;
  }

  /**
   * SQS-2 SQS-3: until when SQS would return a failing message: without a redrive policy until its retention period
   * ends (which a local queue does not act on: always long), with one until it moves the message after
   * maxReceiveCount receives, unless its retention period ends first.
   */
  private returnedFor(m: SqsMessage): { long: boolean; until: number; by: 'retention' | 'redrive' } {
    const { queue } = this;
    const expiry = m.sentAt + queue.messageRetentionMs;
    const redrive = queue.settings.redrivePolicy;
    if (!redrive) return { long: true, until: expiry, by: 'retention' };
    const receivesLeft = Math.max(0, redrive.maxReceiveCount - m.receiveCount);
    const movedAt = m.visibleAt + receivesLeft * queue.visibilityTimeoutMs;
    if (movedAt > expiry) return { long: true, until: expiry, by: 'retention' };
    return { long: movedAt - this.ctx.clock.now() > LONG_RETRY_MS, until: movedAt, by: 'redrive' };
  }

  private wakeAt(time: number): void {
    if (this.wakeTimes.has(time)) return;
    this.wakeTimes.add(time);
    this.ctx.clock.at(time, () => {
      this.wakeTimes.delete(time);
      this.notify();
    });
  }

  private pump(): void {
    if (!this.enabled) return;
    const { clock } = this.ctx;
    while (this.running < this.maximumConcurrency) {
      if (this.windowMs > 0) {
        const now = clock.now();
        // SQS-1: counted without walking the queue (every poll of a batching window asks).
        const visible = this.queue.visibleCount();
        if (visible === 0) return;
        if (visible < this.batchSize) {
          // SQS-1: wait up to the batching window for a full batch.
          if (this.windowStartedAt === undefined) {
            this.windowStartedAt = now;
            this.wakeAt(now + this.windowMs);
            return;
          }
          if (now < this.windowStartedAt + this.windowMs) return;
        }
        this.windowStartedAt = undefined;
      }
      // Messages a run stopped following are left alone until a run follows them again.
      const { messages, redriven } = this.queue.receive(this.batchSize, MAX_BATCH_BYTES, (m) =>
        this.stoppedFollowing(m),
      );
      this.reportRedrives(redriven);
      if (messages.length === 0) return;
      this.running++;
      void clock.track(this.runBatch(messages)).finally(() => {
        this.running--;
        this.notify();
      });
    }
  }

  private reportRedrives(redriven: RedriveEvent[]): void {
    for (const r of redriven) {
      const record = r.message.lastRecordId ? this.ctx.history.get(r.message.lastRecordId) : undefined;
      if (!record) continue;
      const time = timePoint(this.ctx.clock.now());
      record.batches[record.batches.length - 1]?.redrives?.push({
        id: r.message.messageId,
        target: r.targetArn,
        receiveCount: r.receiveCount,
      });
      record.deliveries.push({
        kind: 'queueRedrive',
        condition: `ApproximateReceiveCount ${r.receiveCount} reached maxReceiveCount`,
        target: { type: 'sqs', arn: r.targetArn },
        body: r.message.body,
        attributes: Object.fromEntries(
          Object.entries(r.message.messageAttributes).map(([k, v]) => [
            k,
            { DataType: v.DataType, StringValue: v.StringValue ?? '' },
          ]),
        ),
        deliveredAs: r.movedAs,
        time,
      });
      this.ctx.history.save(record);
    }
  }

  private async runBatch(received: SqsMessage[]): Promise<void> {
    const { ctx, queue } = this;
    const now = ctx.clock.now();
    const region = ctx.location.region;
    const all = received.map((m) => sqsLambdaRecord(queue, m, region));
    // FILTER-4: SQS deletes messages the filter criteria reject (without criteria no body is parsed for them).
    const filtering = this.filters.patterns.length > 0;
    const passing = filtering ? all.filter((r) => this.filters.matches(sqsFilterView(r))) : all;
    const filteredIds = filtering ? all.filter((r) => !passing.includes(r)).map((r) => r.messageId as string) : [];
    for (const id of filteredIds) queue.delete(id);
    // The follow horizon counts the receives of each message since a run last started following it.
    for (const m of received) m.followed = (m.followed ?? 0) + 1;
    const batch: BatchRecord = { index: 0, recordIds: passing.map((r) => r.messageId as string), redrives: [] };
    if (filteredIds.length > 0) batch.filteredIds = filteredIds;
    const event = { Records: passing };
    // A message received before, or sent by another record's delivery, continues that record's story.
    const parentRecordId = received.map((m) => m.lastRecordId ?? m.causeRecordId).find((id) => id !== undefined);
    const record = newInvocationRecord({
      id: randomUUID(),
      functionName: this.functionName,
      mode: 'batch',
      source: { type: 'sqs', arn: queue.arn, mappingId: this.id, ...(parentRecordId ? { parentRecordId } : {}) },
      configuration: this.usedConfiguration(),
      event,
      status: 'running',
      start: timePoint(now),
      batches: [batch],
    });
    for (const m of received) m.lastRecordId = record.id;
    if (passing.length === 0) {
      batch.outcome = 'success';
      record.status = 'succeeded';
      record.condition = 'Filtered';
      record.end = timePoint(now);
      ctx.history.save(record);
      return;
    }
    const fn = this.fn;
    if (fn.reservedConcurrency === 0 || !ctx.concurrency.tryAcquire(fn.name, fn.reservedConcurrency)) {
      // Throttled: the messages stay invisible and come back after the visibility timeout.
      record.attempts.push(refusedAttempt(1, randomUUID(), now, 'throttled'));
      this.finishFailed(record, batch, received, 'failure');
      return;
    }
    ctx.history.save(record);
    let result;
    if (isDurable(fn)) {
      // DURABLE-14: the batch waits for the execution; its invocations take their own concurrency.
      ctx.concurrency.release(fn.name);
      result = await runExecutionAttempt(ctx, fn, JSON.stringify(event), 1, now, record);
    } else
      try {
        result = await runAttempt(ctx.invoker, fn.name, JSON.stringify(event), randomUUID(), 1, now);
      } finally {
        ctx.concurrency.release(fn.name);
      }
    const { attempt } = result;
    attempt.batchIndex = 0;
    record.attempts.push(attempt);
    const inBatch = received.filter((m) => batch.recordIds.includes(m.messageId));
    if (attempt.outcome !== 'success') {
      // SQS-2: a function error makes the whole batch visible again after the visibility timeout.
      this.finishFailed(record, batch, inBatch, 'failure');
      return;
    }
    if (!this.reportBatchItemFailures) {
      for (const m of inBatch) queue.delete(m.messageId);
      this.finishSucceeded(record, batch);
      return;
    }
    // SQS-4: only the reported messages return to the queue; an invalid report fails the whole batch.
    const report = readBatchItemFailures(attempt.result, new Set(batch.recordIds));
    if (report.kind === 'invalid') {
      batch.reportInvalidReason = report.reason;
      this.finishFailed(record, batch, inBatch, 'failure');
      return;
    }
    if (report.kind === 'success') {
      batch.reportedFailures = [];
      for (const m of inBatch) queue.delete(m.messageId);
      this.finishSucceeded(record, batch);
      return;
    }
    batch.reportedFailures = report.failedIds;
    const failed = new Set(report.failedIds);
    for (const m of inBatch) if (!failed.has(m.messageId)) queue.delete(m.messageId);
    this.finishFailed(
      record,
      batch,
      inBatch.filter((m) => failed.has(m.messageId)),
      'partialFailure',
    );
  }

  private finishSucceeded(record: InvocationRecord, batch: BatchRecord): void {
    batch.outcome = 'success';
    record.status = 'succeeded';
    record.condition = 'Success';
    record.end = timePoint(this.ctx.clock.now());
    this.ctx.history.save(record);
  }

  private finishFailed(
    record: InvocationRecord,
    batch: BatchRecord,
    returned: SqsMessage[],
    outcome: 'failure' | 'partialFailure',
  ): void {
    batch.outcome = outcome;
    batch.returnedToQueue = [];
    const stopped: SqsMessage[] = [];
    for (const m of returned) {
      const live = this.queue.get(m.messageId);
      if (!live) continue;
      live.lastRecordId = record.id;
      this.queue.changeVisibility(m.messageId, live.visibleAt); // persists lastRecordId with it
      batch.returnedToQueue.push({ id: m.messageId, visibleAt: new Date(live.visibleAt).toISOString() });
      // The follow horizon: a message SQS would return until it expires is not followed further in this run.
      if (this.stoppedFollowing(live)) stopped.push(live);
      else this.wakeAt(live.visibleAt);
    }
    if (stopped.length > 0) record.unsettled = this.unsettled(stopped);
    record.status = 'failed';
    record.condition = outcome === 'failure' ? 'BatchFailed' : 'PartialBatchFailure';
    record.end = timePoint(this.ctx.clock.now());
    this.ctx.history.save(record);
  }

  /** What AWS would do with messages this run stopped following, for the record. */
  private unsettled(messages: SqsMessage[]): UnsettledEvent {
    const { queue } = this;
    const ends = messages.map((m) => this.returnedFor(m));
    const until = Math.max(...ends.map((e) => e.until));
    const redrive = queue.settings.redrivePolicy;
    const dlq = redrive?.deadLetterTargetArn.split(':').pop();
    const pronoun = messages.length > 1 ? 'they are' : 'it is';
    const end = ends.every((e) => e.by === 'redrive')
      ? `until SQS moves ${messages.length > 1 ? 'them' : 'it'} to ${dlq} after ${redrive!.maxReceiveCount} receives, around ${instantText(until)}`
      : `until the queue's retention period (${durationText(queue.messageRetentionMs)}) ends on ${instantText(until)}`;
    return {
      after: 'receives',
      count: Math.max(...messages.map((m) => m.receiveCount)),
      followed: Math.max(...messages.map((m) => m.followed ?? 0)),
      awsContinues:
        `${pronoun} received again every ${durationText(queue.visibilityTimeoutMs)} (the queue's visibility timeout)` +
        `${queue.fifo ? ', holding up the rest of its message group,' : ''} ${end}`,
      until: new Date(until).toISOString(),
      leftIn: queue.name,
      ids: messages.map((m) => m.messageId),
    };
  }

  /** The configuration the last batch ran with, and what it was made from (a queue reconfigured gets new settings). */
  private configuration: { settings: object; origins: unknown; value: UsedConfiguration } | undefined;

  /**
   * What a batch runs with, one object shared by the records of every batch until the queue's settings change: each
   * record is written as text, and nothing changes a record's configuration in place (it is frozen).
   */
  private usedConfiguration(): UsedConfiguration {
    const settings = this.queue.settings;
    const origins = this.fn.origins;
    const last = this.configuration;
    if (last?.settings === settings && last.origins === origins) return last.value;
    const made = this.makeConfiguration();
    const value = Object.freeze({ values: Object.freeze(made.values), origins: Object.freeze(made.origins) });
    this.configuration = { settings, origins, value };
    return value;
  }

  private makeConfiguration(): UsedConfiguration {
    const at = (key: string): string => `${this.modelPath}.${key}`;
    return usedConfiguration(
      {
        batchSize: [this.batchSize, at('batchSize')],
        maximumBatchingWindowInSeconds: [this.windowMs / 1000, at('maximumBatchingWindowInSeconds')],
        maximumConcurrency: [this.maximumConcurrency, at('maximumConcurrency')],
        functionResponseTypes: [
          this.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
          at('functionResponseTypes'),
        ],
        visibilityTimeoutSeconds: [this.queue.visibilityTimeoutMs / 1000, at('queue.visibilityTimeout')],
        redrivePolicy: [this.queue.settings.redrivePolicy ?? null, at('queue.redrivePolicy')],
        filterCriteria: [this.trigger.filterCriteria ?? null, at('filterCriteria')],
      },
      this.fn.origins,
    );
  }
}

/** SQS-7: the Lambda event record for a received message, its keys in the order Lambda writes them. */
export function sqsLambdaRecord(queue: SqsQueue, message: SqsMessage, region: string): Record<string, unknown> {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(Math.floor(message.sentAt)),
    SenderId: message.senderId,
    ApproximateFirstReceiveTimestamp: String(Math.floor(message.firstReceiveAt ?? message.sentAt)),
  };
  if (queue.fifo) {
    attributes.SequenceNumber = message.sequenceNumber!;
    attributes.MessageGroupId = message.groupId!;
    attributes.MessageDeduplicationId = message.deduplicationId!;
  }
  if (message.deadLetterQueueSourceArn) attributes.DeadLetterQueueSourceArn = message.deadLetterQueueSourceArn;
  const messageAttributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(message.messageAttributes)) {
    messageAttributes[k] = {
      stringValue: v.StringValue,
      binaryValue: v.BinaryValue,
      stringListValues: [],
      binaryListValues: [],
      dataType: v.DataType,
    };
  }
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes,
    messageAttributes,
    // Lambda writes the key with null when the message has no attributes.
    md5OfMessageAttributes: md5OfMessageAttributes(message.messageAttributes) ?? null,
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: region,
  };
}
