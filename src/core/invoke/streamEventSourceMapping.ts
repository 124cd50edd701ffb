/**
 * Ordered, checkpointed event source mappings (STREAM-1..6, KAFKA-1, MQ-1): Lambda reads a shard (a Kafka
 * partition, an MQ queue) in order, invokes the function with batches, blocks the shard while a batch fails,
 * and moves its checkpoint only past what succeeded, was filtered out, or was given up on. One engine serves
 * Kinesis, DynamoDB, Kafka and MQ; the source adapter builds the records and events.
 *
 * Choices where AWS is vague (documented in the record's configuration):
 * - retries back off 1 s, 2 s, 4 s ... up to 60 s (AWS does not document the delay);
 * - MaximumRecordAgeInSeconds -1 still ends at the source's retention (records leave the stream then);
 * - a partial failure (STREAM-3) counts as a retry of the rest of the batch, which keeps its records;
 * - halves of a bisected batch (STREAM-2) inherit the parent's retry count; approximateInvokeCount counts the
 *   invocations of the batch that is given up on;
 * - a batch that would be retried until its records expire is followed for a few attempts per run (followHorizon.ts),
 *   then left blocking its lane, its counts kept with the checkpoint, until a run follows it again.
 */
import { randomUUID } from 'node:crypto';
import type { AwsLocation } from '../awsLocation';
import { deployedName, type StreamTrigger } from '../discovery/functionConfig';
import { functionArn } from '../resourceArn';
import { targetArnOf } from '../services/functionResources';
import type { Subscription } from '../services/localResource';
import { md5Hash, type LogRecord, type ShardLog } from '../services/shardLog';
import { readBatchItemFailures } from './batchItemFailures';
import { undeliverable, type MappingFailure, type StreamCondition } from './destinationRecord';
import type { EngineContext } from './engineContext';
import type { EngineFunction } from './engineFunction';
import { compileFilterCriteria, type CompiledFilters } from './filterCriteria';
import { durationText, instantText, LONG_RETRY_MS, type UnsettledEvent } from './followHorizon';
import { refusedAttempt, runAttempt } from './functionAttempt';
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
import { tumblingWindowFields, windowStartOf } from './tumblingWindow';

export interface RecordDelivery {
  functionName: string;
  /** Kafka/MQ: the batch is being delivered again after a failure. */
  redelivered: boolean;
}

/** What a mapping reads: a sharded log and how its records look to Lambda. */
export interface PolledSource<P = unknown> {
  readonly type: 'kinesis' | 'dynamodb' | 'kafka' | 'mq';
  readonly arn: string;
  /** What the user calls it: the stream, the table (DynamoDB), the topic, or the broker's queue. */
  readonly name: string;
  readonly log: ShardLog<P>;
  /** Records older than this leave the source. */
  readonly retentionMs: number;
  /** STREAM-6, KAFKA-1, MQ-1: one record as Lambda delivers it. */
  lambdaRecord(record: LogRecord<P>, delivery: RecordDelivery): Record<string, unknown>;
  /** FILTER-3: what the filter criteria see for one delivered record. */
  filterView(lambdaRecord: Record<string, unknown>): unknown;
  /** The invocation event for records of one shard. */
  event(shardId: string, records: Array<Record<string, unknown>>): Record<string, unknown>;
  /** Called after records were put into the source. */
  subscribe(listener: () => void): Subscription;
  /**
   * STREAM-4: what the on-failure destination gets for a batch given up on: one record, or for a Kafka topic one
   * message per record. Absent for a source without on-failure destinations (MQ).
   */
  failureMessages?(failure: MappingFailure, batch: FailedBatch<P>, to: FailureTargetKind): FailureMessage[];
}

/** A batch a mapping gave up on, for its on-failure record. */
export interface FailedBatch<P = unknown> {
  shardId: string;
  records: Array<LogRecord<P>>;
  /** The event of these records, as the function got it. */
  event: Record<string, unknown>;
  functionName: string;
}

/**
 * Where an on-failure record goes: an SQS queue or SNS topic, an S3 bucket (which also gets the event), or a Kafka
 * topic (which gets each failed record with it).
 */
export type FailureTargetKind = 'queue' | 's3' | 'kafka';

export interface FailureMessage {
  body: string;
  /** A Kafka topic destination: the failed record's key (base64), so the message goes to the key's partition. */
  key?: string;
}

export interface OrderedMappingOptions {
  id: string;
  functionName: string;
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  /** AT_TIMESTAMP, simulated ms. */
  startingPositionTimestamp?: number;
  batchSize: number;
  windowMs: number;
  /** Infinity for -1. */
  maxRetries: number;
  /** Infinity for -1. */
  maxRecordAgeMs: number;
  bisect: boolean;
  parallelization: number;
  reportBatchItemFailures: boolean;
  tumblingWindowMs: number;
  /** STREAM-4: where a batch that is given up on is reported (a queue, topic or bucket; a Kafka topic for Kafka). */
  onFailure?: StreamTrigger['onFailure'];
  filters: CompiledFilters;
  enabled: boolean;
  configuration: UsedConfiguration;
}

/** Where one lane of a shard stands (what the panel shows as the checkpoint). */
export interface ShardPosition {
  mappingId: string;
  functionName: string;
  sourceArn: string;
  shardId: string;
  /** ParallelizationFactor lane (0 when the factor is 1). */
  lane: number;
  /** Sequence number (offset, message id) of the last record done with; null when none yet. */
  checkpoint: string | null;
  latestSequenceNumber: string | null;
  /** Records of this lane after the checkpoint. */
  behind: number;
  /** STREAM-1: retries of the batch blocking the lane right now. */
  blockedBy?: { recordIds: string[]; retries: number; invocationRecordId: string };
  /** STREAM-5. */
  window?: { start: string; end: string; state: unknown };
}

/** STREAM-1: back-off between retries of a blocked batch (AWS does not document it). */
export function streamRetryDelayMs(failures: number): number {
  return Math.min(1000 * 2 ** Math.max(0, failures - 1), 60_000);
}

/** A batch is also capped at 6 MB (the invoke payload limit). */
const MAX_BATCH_BYTES = 6 * 1024 * 1024;

interface LaneState {
  /** Counter (`n`) of the last record done with; -1 for none. */
  afterN: number;
  checkpoint: string | null;
  /** AT_TIMESTAMP: records that arrived earlier are skipped. */
  notBefore?: number;
  /** STREAM-5: the open window and its state. */
  window?: { start: number; state: unknown };
  /**
   * STREAM-1: the counts of the batch blocking the lane, by its first record's counter. After a restart the batch is
   * read again from the checkpoint and carries on with them instead of getting its retries again (it runs at once:
   * the back-off is not kept).
   */
  blocked?: BatchCounts & { n: number; recordId?: string };
  /**
   * The blocked batch reached the follow horizon (followHorizon.ts): the lane waits, even across a restart and when
   * new records arrive, until a run follows it again.
   */
  stopped?: boolean;
}

type BatchCounts = Pick<
  PendingBatch,
  'retries' | 'invokes' | 'failures' | 'followed' | 'lastRequestId' | 'lastFunctionError'
>;

interface PendingBatch {
  batchIndex: number;
  records: LogRecord[];
  retries: number;
  invokes: number;
  /** Consecutive failures, throttles included: the back-off exponent. */
  failures: number;
  /** Tries since a run last started following this batch (the follow horizon counts them). */
  followed: number;
  lastRequestId?: string;
  lastFunctionError?: string;
}

interface BatchWork {
  record: InvocationRecord;
  /** Batches still to run; the last one runs next (bisect pushes the right half, then the left). */
  stack: PendingBatch[];
  /** The checkpoint once every batch is done (filtered records after the last one included). */
  end: { n: number; sequenceNumber: string };
  windowStart?: number;
  finalForWindow?: boolean;
  gaveUp?: StreamCondition;
}

interface Lane {
  key: string;
  shardId: string;
  index: number;
  state: LaneState;
  phase: 'idle' | 'scheduled' | 'running';
  timer?: number;
  timerAt?: number;
  waitingForRetry?: boolean;
  work?: BatchWork;
}

type NextWork = { work: BatchWork } | { waitUntil: number } | undefined;

export class StreamEventSourceMapping {
  private readonly lanes: Lane[] = [];
  private readonly collection: string;
  private readonly subscription: Subscription;
  private disabled = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly fn: EngineFunction,
    readonly options: OrderedMappingOptions,
    readonly source: PolledSource,
  ) {
    this.collection = `esm/${options.id}`;
    for (const shardId of source.log.shardIds) {
      for (let index = 0; index < options.parallelization; index++) {
        const key = `${shardId}#${index}`;
        const state = ctx.store.get<LaneState>(this.collection, key) ?? this.startingState(shardId);
        const lane: Lane = { key, shardId, index, state, phase: 'idle' };
        this.lanes.push(lane);
        // The starting position is fixed when the mapping is created (LATEST means "latest then").
        this.saveLane(lane);
      }
    }
    this.subscription = source.subscribe(() => this.notify());
  }

  get enabled(): boolean {
    return this.options.enabled && !this.disabled;
  }

  /** Leaves the source alone (the CLI's `queues` commands look at resources without functions taking records). */
  disable(): void {
    this.disabled = true;
  }

  dispose(): void {
    this.subscription.dispose();
  }

  get id(): string {
    return this.options.id;
  }

  private startingState(shardId: string): LaneState {
    const records = this.source.log.records(shardId);
    switch (this.options.startingPosition) {
      case 'TRIM_HORIZON':
        return { afterN: -1, checkpoint: null };
      case 'LATEST': {
        const last = records[records.length - 1];
        return last ? { afterN: last.n, checkpoint: last.sequenceNumber } : { afterN: -1, checkpoint: null };
      }
      case 'AT_TIMESTAMP': {
        const ts = this.options.startingPositionTimestamp ?? this.ctx.clock.now();
        let before: LogRecord | undefined;
        for (const r of records) if (r.arrival < ts) before = r;
        return before
          ? { afterN: before.n, checkpoint: before.sequenceNumber, notBefore: ts }
          : { afterN: -1, checkpoint: null, notBefore: ts };
      }
    }
  }

  private saveLane(lane: Lane): void {
    this.ctx.store.put(this.collection, lane.key, lane.state);
  }

  /** Records were appended: every idle lane looks at its shard now (appends in the same instant share a batch). */
  notify(): void {
    for (const lane of this.lanes) this.poke(lane);
  }

  /** After reopening the store: every lane carries on from its checkpoint, except those a run stopped following. */
  resume(): void {
    this.notify();
  }

  /**
   * A run follows this mapping's blocked batches again (followHorizon.ts): their follow counts start over, and a lane
   * a run stopped following tries its batch again.
   */
  followAgain(): void {
    if (!this.enabled) return;
    for (const lane of this.lanes) {
      if (lane.state.blocked) lane.state.blocked.followed = 0;
      for (const p of lane.work?.stack ?? []) p.followed = 0;
      delete lane.state.stopped;
      this.saveLane(lane);
      this.poke(lane);
    }
  }

  private poke(lane: Lane): void {
    // A lane a run stopped following waits for a run that follows it again (followAgain), new records or not.
    if (!this.enabled || lane.phase === 'running' || lane.state.stopped) return;
    const now = this.ctx.clock.now();
    if (lane.phase === 'scheduled') {
      // A retry keeps its back-off; a batching-window or window-end wait is re-evaluated with the new records.
      if (lane.waitingForRetry || (lane.timerAt ?? 0) <= now) return;
      this.ctx.clock.cancel(lane.timer!);
      lane.phase = 'idle';
    }
    this.schedule(lane, now, false);
  }

  private schedule(lane: Lane, time: number, retry: boolean): void {
    lane.phase = 'scheduled';
    lane.timerAt = time;
    lane.waitingForRetry = retry;
    lane.timer = this.ctx.clock.at(time, () => {
      lane.phase = 'idle';
      lane.timer = undefined;
      this.step(lane);
    });
  }

  private step(lane: Lane): void {
    if (lane.phase !== 'idle' || !this.enabled) return;
    if (!lane.work) {
      const next = this.nextWork(lane);
      if (!next) return;
      if ('waitUntil' in next) {
        this.schedule(lane, next.waitUntil, false);
        return;
      }
      if (next.work.stack.length === 0) {
        // Filtered-only: already done; look at the shard again.
        this.schedule(lane, this.ctx.clock.now(), false);
        return;
      }
      lane.work = next.work;
    }
    lane.phase = 'running';
    const run = async (): Promise<void> => {
      let wake: number | 'stop' = this.ctx.clock.now();
      try {
        wake = await this.runNext(lane, lane.work!);
      } finally {
        lane.phase = 'idle';
        if (lane.work && lane.work.stack.length === 0) lane.work = undefined;
        this.saveBlocked(lane);
        if (wake === 'stop') {
          // The follow horizon: the batch stays behind the checkpoint with its counts; nothing wakes the lane.
          lane.work = undefined;
          lane.state.stopped = true;
          this.saveLane(lane);
        } else this.schedule(lane, wake, wake > this.ctx.clock.now());
      }
    };
    void this.ctx.clock.track(run());
  }

  private laneOf(record: LogRecord): number {
    // STREAM-1: with ParallelizationFactor > 1, order holds per partition key.
    const factor = this.options.parallelization;
    return factor === 1 ? 0 : Number(md5Hash(record.partitionKey) % BigInt(factor));
  }

  /** Reads the next batch of a lane from its checkpoint, or says when to look again. */
  private nextWork(lane: Lane): NextWork {
    const { options, source, ctx } = this;
    const now = ctx.clock.now();
    const records = source.log.records(lane.shardId);
    const W = options.tumblingWindowMs;
    const open = lane.state.window;
    const batch: LogRecord[] = [];
    const filtered: LogRecord[] = [];
    let last: LogRecord | undefined;
    let bytes = 0;
    let windowStart: number | undefined;
    let cut = false;
    for (let i = source.log.indexAfter(lane.shardId, lane.state.afterN); i < records.length; i++) {
      const r = records[i];
      if (batch.length >= options.batchSize) break;
      if (this.laneOf(r) !== lane.index) continue;
      if (lane.state.notBefore !== undefined && r.arrival < lane.state.notBefore) {
        last = r;
        continue;
      }
      if (W > 0) {
        const ws = windowStartOf(r.arrival, W);
        // STREAM-5: a batch never spans two windows; a new window waits for the old one's final invoke.
        if ((windowStart !== undefined && ws !== windowStart) || (open && ws !== open.start)) {
          cut = true;
          break;
        }
        windowStart = ws;
      }
      if (options.filters.patterns.length > 0) {
        const view = source.filterView(
          source.lambdaRecord(r, { functionName: options.functionName, redelivered: false }),
        );
        if (!options.filters.matches(view)) {
          // FILTER-4: streams advance past filtered-out records (Kafka commits them).
          filtered.push(r);
          last = r;
          continue;
        }
      }
      // An estimate of the record's share of the payload (its JSON plus the envelope's fields).
      const size = JSON.stringify(r.payload).length + 400;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      batch.push(r);
      last = r;
    }
    if (batch.length === 0) {
      if (last) return { work: this.skipOnly(lane, filtered, last) };
      if (W > 0 && open) {
        const end = open.start + W;
        if (now >= end || cut) return { work: this.finalWork(lane, open.start) };
        return { waitUntil: end };
      }
      return undefined;
    }
    // MaximumBatchingWindowInSeconds: wait for a full batch, up to the window after the first record arrived.
    if (batch.length < options.batchSize && !cut && options.windowMs > 0 && now < batch[0].arrival + options.windowMs)
      return { waitUntil: batch[0].arrival + options.windowMs };
    const blocked = this.blockedCounts(lane, batch[0]);
    const record = this.newRecord(
      lane,
      {
        index: 0,
        recordIds: batch.map((r) => r.sequenceNumber),
        ...(filtered.length > 0 ? { filteredIds: filtered.map((r) => r.sequenceNumber) } : {}),
      },
      blocked.recordId,
    );
    if (W > 0 && !open) {
      lane.state.window = { start: windowStart!, state: {} };
      this.saveLane(lane);
    }
    return {
      work: {
        record,
        stack: [{ batchIndex: 0, records: batch, ...blocked.counts }],
        end: { n: last!.n, sequenceNumber: last!.sequenceNumber },
        windowStart,
      },
    };
  }

  /**
   * The counts a batch starting at `first` had when the process stopped or a run stopped following it (none when it
   * is a new batch), and the record it was last tried in, whose story the next record continues.
   */
  private blockedCounts(lane: Lane, first: LogRecord): { counts: BatchCounts; recordId?: string } {
    const saved = lane.state.blocked;
    if (saved?.n !== first.n) return { counts: { retries: 0, invokes: 0, failures: 0, followed: 0 } };
    const { n: _n, recordId, ...counts } = saved;
    return { counts: { ...counts, followed: counts.followed ?? 0 }, ...(recordId ? { recordId } : {}) };
  }

  /** Keeps the counts of the batch blocking the lane with its checkpoint (written only while a batch is retried). */
  private saveBlocked(lane: Lane): void {
    const top = lane.work?.stack[lane.work.stack.length - 1];
    if (top && top.records.length > 0 && top.retries + top.invokes + top.failures > 0) {
      const { retries, invokes, failures, followed, lastRequestId, lastFunctionError } = top;
      lane.state.blocked = {
        n: top.records[0].n,
        retries,
        invokes,
        failures,
        followed,
        lastRequestId,
        lastFunctionError,
        recordId: lane.work!.record.id,
      };
    } else if (lane.state.blocked) delete lane.state.blocked;
    else return;
    this.saveLane(lane);
  }

  /** A record for a batch; one that retries a blocked batch tried in an earlier record continues that story. */
  private newRecord(lane: Lane, batch: BatchRecord, parentRecordId?: string): InvocationRecord {
    const now = this.ctx.clock.now();
    return newInvocationRecord({
      id: randomUUID(),
      functionName: this.options.functionName,
      mode: 'batch',
      source: {
        type: this.source.type,
        arn: this.source.arn,
        mappingId: this.options.id,
        shardId: lane.shardId,
        ...(parentRecordId ? { parentRecordId } : {}),
      },
      configuration: this.options.configuration,
      event: null,
      status: 'running',
      start: timePoint(now),
      batches: [batch],
    });
  }

  /** FILTER-4: only filtered-out (or AT_TIMESTAMP-skipped) records: the checkpoint moves, nothing runs. */
  private skipOnly(lane: Lane, filtered: LogRecord[], last: LogRecord): BatchWork {
    const record = this.newRecord(lane, {
      index: 0,
      recordIds: [],
      filteredIds: filtered.map((r) => r.sequenceNumber),
      outcome: 'success',
      checkpoint: last.sequenceNumber,
    });
    this.checkpoint(lane, last.n, last.sequenceNumber);
    record.status = 'succeeded';
    record.condition = 'Filtered';
    record.end = record.start;
    this.ctx.history.save(record);
    return { record, stack: [], end: { n: last.n, sequenceNumber: last.sequenceNumber } };
  }

  /** STREAM-5: the window's last invocation, with no records and the final state. */
  private finalWork(lane: Lane, windowStart: number): BatchWork {
    const record = this.newRecord(lane, { index: 0, recordIds: [] });
    return {
      record,
      stack: [{ batchIndex: 0, records: [], retries: 0, invokes: 0, failures: 0, followed: 0 }],
      end: { n: lane.state.afterN, sequenceNumber: lane.state.checkpoint ?? '' },
      windowStart,
      finalForWindow: true,
    };
  }

  private checkpoint(lane: Lane, n: number, sequenceNumber: string): void {
    if (n > lane.state.afterN) {
      lane.state.afterN = n;
      lane.state.checkpoint = sequenceNumber;
    }
    this.saveLane(lane);
  }

  /**
   * Runs the next batch of a work item once; returns when the lane should look again, or 'stop' when the run stops
   * following a batch that would be retried until its records expire.
   */
  private async runNext(lane: Lane, work: BatchWork): Promise<number | 'stop'> {
    const { ctx, options, source } = this;
    const p = work.stack[work.stack.length - 1];
    const batchRecord = work.record.batches[p.batchIndex];
    const now = ctx.clock.now();
    // STREAM-1: records past their maximum age (or the source's retention) are skipped, checked before each try.
    const maxAge = Math.min(options.maxRecordAgeMs, source.retentionMs);
    if (p.records.length > 0 && now - p.records[0].arrival > maxAge) {
      this.giveUp(lane, work, p, 'RecordAgeExceeded');
      return now;
    }
    const lambdaRecords = p.records.map((r) =>
      source.lambdaRecord(r, { functionName: options.functionName, redelivered: p.invokes > 0 }),
    );
    const event = source.event(lane.shardId, lambdaRecords);
    if (options.tumblingWindowMs > 0 && work.windowStart !== undefined) {
      Object.assign(
        event,
        tumblingWindowFields({
          windowStart: work.windowStart,
          windowMs: options.tumblingWindowMs,
          state: lane.state.window?.state ?? {},
          shardId: lane.shardId,
          eventSourceArn: source.arn,
          final: work.finalForWindow ?? false,
        }),
      );
    }
    if (work.record.event === null) work.record.event = event;
    p.followed++;
    const fn = this.fn;
    if (fn.reservedConcurrency === 0 || !ctx.concurrency.tryAcquire(fn.name, fn.reservedConcurrency)) {
      // Throttles are not function errors: they do not use up retries.
      const attempt = refusedAttempt(work.record.attempts.length + 1, randomUUID(), now, 'throttled');
      attempt.batchIndex = p.batchIndex;
      work.record.attempts.push(attempt);
      p.failures++;
      ctx.history.save(work.record);
      return this.retryOrStop(work, p, now + streamRetryDelayMs(p.failures), true);
    }
    ctx.history.save(work.record);
    let result;
    if (isDurable(fn)) {
      // DURABLE-14: the batch waits for the execution; its invocations take their own concurrency.
      ctx.concurrency.release(fn.name);
      result = await runExecutionAttempt(
        ctx,
        fn,
        JSON.stringify(event),
        work.record.attempts.length + 1,
        now,
        work.record,
      );
    } else
      try {
        result = await runAttempt(
          ctx.invoker,
          fn.name,
          JSON.stringify(event),
          randomUUID(),
          work.record.attempts.length + 1,
          now,
        );
      } finally {
        ctx.concurrency.release(fn.name);
      }
    const { attempt } = result;
    const requestId = attempt.requestId;
    attempt.batchIndex = p.batchIndex;
    work.record.attempts.push(attempt);
    const after = ctx.clock.now();
    if (attempt.outcome === 'systemError') {
      // A service error never reached the function: back off, no retry used.
      p.failures++;
      ctx.history.save(work.record);
      return this.retryOrStop(work, p, after + streamRetryDelayMs(p.failures), true);
    }
    p.invokes++;
    p.lastRequestId = requestId;
    p.lastFunctionError = attempt.functionError;
    if (work.finalForWindow) {
      // STREAM-5: the window closes whatever the final invocation answered; its state is not kept.
      delete lane.state.window;
      this.complete(lane, work, p, attempt.outcome === 'success' ? 'success' : 'failure');
      return after;
    }
    if (attempt.outcome === 'success') {
      // STREAM-3: an empty list also counts as full success for streams.
      const response = Array.isArray(attempt.result) && attempt.result.length === 0 ? null : attempt.result;
      const report = options.reportBatchItemFailures
        ? readBatchItemFailures(response, new Set(batchRecord.recordIds), { allowEmptyString: true })
        : ({ kind: 'success' } as const);
      if (report.kind === 'success') {
        if (options.reportBatchItemFailures) batchRecord.reportedFailures = [];
        this.keepWindowState(lane, attempt.result);
        this.complete(lane, work, p, 'success');
        return after;
      }
      if (report.kind === 'partial') return this.partialFailure(lane, work, p, report.failedIds, after);
      // STREAM-3: an invalid report counts as a full failure.
      batchRecord.reportInvalidReason = report.reason;
    }
    return this.fullFailure(lane, work, p, after);
  }

  private keepWindowState(lane: Lane, result: unknown): void {
    if (this.options.tumblingWindowMs === 0 || !lane.state.window) return;
    // STREAM-5: the handler returns {"state": ...}; the next invocation of the window gets it.
    const state = result !== null && typeof result === 'object' && 'state' in result ? result.state : {};
    lane.state.window.state = state ?? {};
  }

  /** STREAM-3: checkpoint before the lowest failed sequence number and retry from there. */
  private partialFailure(
    lane: Lane,
    work: BatchWork,
    p: PendingBatch,
    failedIds: string[],
    now: number,
  ): number | 'stop' {
    const batchRecord = work.record.batches[p.batchIndex];
    batchRecord.reportedFailures = failedIds;
    batchRecord.outcome = 'partialFailure';
    const failed = new Set(failedIds);
    const lowest = p.records.findIndex((r) => failed.has(r.sequenceNumber));
    if (lowest > 0) {
      const before = p.records[lowest - 1];
      this.checkpoint(lane, before.n, before.sequenceNumber);
      batchRecord.checkpoint = before.sequenceNumber;
    }
    const rest = p.records.slice(lowest);
    if (p.retries >= this.options.maxRetries) {
      this.giveUp(lane, work, p, 'RetryAttemptsExhausted', rest);
      return now;
    }
    const index = work.record.batches.length;
    work.record.batches.push({ index, recordIds: rest.map((r) => r.sequenceNumber), retryOf: p.batchIndex });
    const next: PendingBatch = {
      batchIndex: index,
      records: rest,
      retries: p.retries + 1,
      invokes: p.invokes,
      failures: p.failures + 1,
      followed: p.followed,
      lastRequestId: p.lastRequestId,
    };
    work.stack[work.stack.length - 1] = next;
    this.ctx.history.save(work.record);
    return this.retryOrStop(work, next, now + streamRetryDelayMs(next.failures));
  }

  /** STREAM-1 / STREAM-2: the batch failed as a whole. */
  private fullFailure(lane: Lane, work: BatchWork, p: PendingBatch, now: number): number | 'stop' {
    const batchRecord = work.record.batches[p.batchIndex];
    batchRecord.outcome = 'failure';
    if (this.options.bisect && p.records.length > 1) {
      // STREAM-2: split in two and retry each half, left first; splitting uses no retry.
      const mid = Math.ceil(p.records.length / 2);
      const halves = [p.records.slice(0, mid), p.records.slice(mid)].map((records) => {
        const index = work.record.batches.length;
        work.record.batches.push({
          index,
          recordIds: records.map((r) => r.sequenceNumber),
          bisectedFrom: p.batchIndex,
        });
        return { batchIndex: index, records, retries: p.retries, invokes: 0, failures: 0, followed: 0 };
      });
      work.stack.pop();
      work.stack.push(halves[1], halves[0]);
      this.ctx.history.save(work.record);
      return now;
    }
    if (p.retries >= this.options.maxRetries) {
      this.giveUp(lane, work, p, 'RetryAttemptsExhausted');
      return now;
    }
    p.retries++;
    p.failures++;
    this.ctx.history.save(work.record);
    return this.retryOrStop(work, p, now + streamRetryDelayMs(p.failures));
  }

  /**
   * STREAM-1: the batch is tried again at `retryAt`, unless this run has followed it as far as the follow horizon
   * goes and AWS would go on retrying it for long (followHorizon.ts): then the record ends saying what AWS does next,
   * and the batch stays behind the checkpoint. Throttles and system errors use no retries: only age ends them.
   */
  private retryOrStop(work: BatchWork, p: PendingBatch, retryAt: number, noRetryUsed = false): number | 'stop' {
    if (p.followed < this.ctx.followDeliveries || p.records.length === 0) return retryAt;
    const now = this.ctx.clock.now();
    const end = this.retriedUntil(p, retryAt, noRetryUsed);
    if (end.at - now <= LONG_RETRY_MS) return retryAt;
    const record = work.record;
    record.unsettled = this.unsettled(p, end);
    record.status = 'failed';
    record.condition = 'BatchFailed';
    record.end = timePoint(now);
    this.ctx.history.save(record);
    return 'stop';
  }

  /**
   * When AWS would give the batch up: once its retries are used (estimated with the back-off), or when its records
   * pass their maximum age or leave the source, whichever comes first (Infinity: never, as an MQ queue keeps them).
   */
  private retriedUntil(p: PendingBatch, retryAt: number, noRetryUsed: boolean): { at: number; by: 'retries' | 'age' } {
    const expiry = p.records[0].arrival + Math.min(this.options.maxRecordAgeMs, this.source.retentionMs);
    const left = noRetryUsed ? Infinity : this.options.maxRetries - p.retries;
    if (left === Infinity) return { at: expiry, by: 'age' };
    let lastTry = retryAt;
    for (let k = 1; k < left && lastTry <= expiry; k++) lastTry += streamRetryDelayMs(p.failures + k);
    return lastTry < expiry ? { at: lastTry, by: 'retries' } : { at: expiry, by: 'age' };
  }

  /** What AWS would do with a batch this run stopped following, for the record. */
  private unsettled(p: PendingBatch, end: { at: number; by: 'retries' | 'age' }): UnsettledEvent {
    const { options, source } = this;
    const unit = source.type === 'kafka' ? 'partition' : source.type === 'mq' ? 'queue' : 'shard';
    let until: string;
    if (end.at === Infinity) until = 'for as long as it cannot run the function';
    else if (end.by === 'retries')
      until = `until it has used its ${options.maxRetries} retries, around ${instantText(end.at)}`;
    else if (options.maxRecordAgeMs < source.retentionMs)
      until = `until its records are ${durationText(options.maxRecordAgeMs)} old (the maximum record age) on ${instantText(end.at)}`;
    else
      until = `until its records leave the ${source.type === 'kafka' ? 'topic' : 'stream'} at the end of its retention period (${durationText(source.retentionMs)}) on ${instantText(end.at)}`;
    const target = options.onFailure ? targetArnOf(options.onFailure, this.ctx.location) : undefined;
    const then =
      end.at === Infinity
        ? ''
        : `, then skips them${target ? ` and reports the batch to ${target.split(/[:/]/).pop()}` : ''}`;
    return {
      after: 'attempts',
      count: p.failures,
      followed: p.followed,
      awsContinues: `Lambda tries the batch again, at most a minute apart and holding up its ${unit}, ${until}${then}`,
      ...(end.at === Infinity ? {} : { until: new Date(end.at).toISOString() }),
      leftIn: source.name,
      ids: p.records.map((r) => r.sequenceNumber),
    };
  }

  /** STREAM-1 / STREAM-4: the batch is skipped; the on-failure destination gets its batch info. */
  private giveUp(
    lane: Lane,
    work: BatchWork,
    p: PendingBatch,
    condition: StreamCondition,
    records: LogRecord[] = p.records,
  ): void {
    const { ctx, options, source } = this;
    work.gaveUp = condition;
    if (options.onFailure && source.failureMessages && records.length > 0) {
      const target = options.onFailure;
      const now = ctx.clock.now();
      const failure: MappingFailure = {
        timestampMs: now,
        requestId: p.lastRequestId ?? randomUUID(),
        functionArn: functionArn(deployedName(this.fn), ctx.location),
        condition,
        approximateInvokeCount: p.invokes,
        ...(p.lastFunctionError ? { functionError: p.lastFunctionError } : {}),
      };
      const delivery = { functionName: options.functionName, redelivered: false };
      const event = source.event(
        lane.shardId,
        records.map((r) => source.lambdaRecord(r, delivery)),
      );
      const to: FailureTargetKind = target.type === 's3' ? 's3' : target.type === 'kafka' ? 'kafka' : 'queue';
      const arn = targetArnOf(target, ctx.location);
      for (const message of source.failureMessages(
        failure,
        { shardId: lane.shardId, records, event, functionName: options.functionName },
        to,
      )) {
        work.record.deliveries.push(
          arn
            ? ctx.services.deliver(arn, {
                kind: 'destination',
                condition,
                body: message.body,
                functionName: deployedName(this.fn),
                success: false,
                recordId: work.record.id,
                s3KeyPrefix: `aws/lambda/${options.id}/${lane.shardId}`,
                ...(message.key !== undefined ? { kafkaKey: message.key } : {}),
              })
            : undeliverable(target, 'destination', condition, message.body, now),
        );
      }
    }
    this.complete(lane, work, p, 'failure');
  }

  /** A batch is done (succeeded or given up on): move the checkpoint past it, finish the record when all are. */
  private complete(lane: Lane, work: BatchWork, p: PendingBatch, outcome: 'success' | 'failure'): void {
    const batchRecord = work.record.batches[p.batchIndex];
    work.stack.pop();
    batchRecord.outcome = batchRecord.outcome === 'partialFailure' && outcome === 'failure' ? 'failure' : outcome;
    const done = work.stack.length === 0;
    const to = done ? work.end : p.records[p.records.length - 1];
    if (to && to.n >= 0) this.checkpoint(lane, to.n, to.sequenceNumber);
    else this.saveLane(lane);
    batchRecord.checkpoint = lane.state.checkpoint ?? undefined;
    if (done) {
      const record = work.record;
      record.status = work.gaveUp || outcome === 'failure' ? 'failed' : 'succeeded';
      record.condition = work.gaveUp ?? (outcome === 'success' ? 'Success' : 'WindowFinalInvokeFailed');
      record.end = timePoint(this.ctx.clock.now());
    }
    this.ctx.history.save(work.record);
  }

  positions(): ShardPosition[] {
    return this.lanes.map((lane) => {
      const records = this.source.log.records(lane.shardId);
      let behind = 0;
      for (let i = this.source.log.indexAfter(lane.shardId, lane.state.afterN); i < records.length; i++)
        if (this.laneOf(records[i]) === lane.index) behind++;
      const position: ShardPosition = {
        mappingId: this.options.id,
        functionName: this.options.functionName,
        sourceArn: this.source.arn,
        shardId: lane.shardId,
        lane: lane.index,
        checkpoint: lane.state.checkpoint,
        latestSequenceNumber: this.source.log.last(lane.shardId)?.sequenceNumber ?? null,
        behind,
      };
      const top = lane.work?.stack[lane.work.stack.length - 1];
      if (top && top.records.length > 0)
        position.blockedBy = {
          recordIds: top.records.map((r) => r.sequenceNumber),
          retries: top.retries,
          invocationRecordId: lane.work!.record.id,
        };
      const w = lane.state.window;
      if (w)
        position.window = {
          start: new Date(w.start).toISOString(),
          end: new Date(w.start + this.options.tumblingWindowMs).toISOString(),
          state: w.state,
        };
      return position;
    });
  }
}

function checkRange(id: string, name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max)
    throw new RangeError(`Mapping ${id}: ${name} must be ${min}..${max} (got ${value}).`);
}

/** STREAM §5 table: the ranges of a Kinesis / DynamoDB mapping, read from the function's trigger. */
export function streamMappingOptions(
  fn: EngineFunction,
  trigger: StreamTrigger,
  location: AwsLocation,
): OrderedMappingOptions {
  const id = `${fn.name}:${trigger.id}`;
  const batchSize = trigger.batchSize;
  const window = trigger.maximumBatchingWindowInSeconds;
  const retries = trigger.maximumRetryAttempts;
  const age = trigger.maximumRecordAgeInSeconds;
  const parallelization = trigger.parallelizationFactor;
  const tumbling = trigger.tumblingWindowInSeconds;
  checkRange(id, 'BatchSize', batchSize, 1, 10_000);
  checkRange(id, 'MaximumBatchingWindowInSeconds', window, 0, 300);
  checkRange(id, 'MaximumRetryAttempts', retries, -1, 10_000);
  if (age !== -1) checkRange(id, 'MaximumRecordAgeInSeconds', age, 60, 604_800);
  checkRange(id, 'ParallelizationFactor', parallelization, 1, 10);
  checkRange(id, 'TumblingWindowInSeconds', tumbling, 0, 900);
  const startingPosition = (trigger.startingPosition ?? 'TRIM_HORIZON') as OrderedMappingOptions['startingPosition'];
  if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(startingPosition))
    throw new RangeError(`Mapping ${id}: StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP.`);
  if (startingPosition === 'AT_TIMESTAMP' && trigger.kind !== 'kinesis')
    throw new RangeError(`Mapping ${id}: AT_TIMESTAMP is only for Kinesis streams.`);
  // STREAM-4: an SQS queue, an SNS topic or an S3 bucket.
  if (trigger.onFailure && !['sqs', 'sns', 's3'].includes(trigger.onFailure.type))
    throw new RangeError(`Mapping ${id}: the on-failure destination must be an SQS queue, SNS topic or S3 bucket.`);
  const reportBatchItemFailures = trigger.functionResponseTypes.includes('ReportBatchItemFailures');
  const bisect = trigger.bisectBatchOnFunctionError;
  const at = (key: string): string => `triggers.${fn.triggers.indexOf(trigger)}.${key}`;
  return {
    id,
    functionName: fn.name,
    startingPosition,
    ...(trigger.startingPositionTimestamp !== undefined
      ? { startingPositionTimestamp: trigger.startingPositionTimestamp * 1000 }
      : {}),
    batchSize,
    windowMs: window * 1000,
    maxRetries: retries === -1 ? Infinity : retries,
    maxRecordAgeMs: age === -1 ? Infinity : age * 1000,
    bisect,
    parallelization,
    reportBatchItemFailures,
    tumblingWindowMs: tumbling * 1000,
    ...(trigger.onFailure ? { onFailure: trigger.onFailure } : {}),
    filters: compileFilterCriteria(trigger.filterCriteria),
    enabled: trigger.enabled,
    configuration: usedConfiguration(
      {
        startingPosition: [startingPosition, at('startingPosition')],
        batchSize: [batchSize, at('batchSize')],
        maximumBatchingWindowInSeconds: [window, at('maximumBatchingWindowInSeconds')],
        maximumRetryAttempts: [retries, at('maximumRetryAttempts')],
        maximumRecordAgeInSeconds: [age, at('maximumRecordAgeInSeconds')],
        bisectBatchOnFunctionError: [bisect, at('bisectBatchOnFunctionError')],
        parallelizationFactor: [parallelization, at('parallelizationFactor')],
        functionResponseTypes: [
          reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
          at('functionResponseTypes'),
        ],
        tumblingWindowInSeconds: [tumbling, at('tumblingWindowInSeconds')],
        onFailure: [trigger.onFailure ? (targetArnOf(trigger.onFailure, location) ?? null) : null, at('onFailure')],
        filterCriteria: [trigger.filterCriteria ?? null, at('filterCriteria')],
      },
      fn.origins,
    ),
  };
}

export { checkRange as checkMappingRange };
