/**
 * The human form of an InvocationRecord tree: the same record `--json` prints, so both outputs agree
 * (ARCHITECTURE: one event, one InvocationRecord tree).
 */
import { describeCost } from '../../core/invoke/invocationCost';
import type { AttemptRecord, BatchRecord, DeliveryRecord, InvocationRecord } from '../../core/invoke/invocationRecord';
import { groupStories } from '../../core/invoke/invocationStory';

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');

const ms = (n: number): string => `${n.toFixed(2)} ms`;

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

function attemptLines(a: AttemptRecord): string[] {
  const facts = [
    `attempt ${a.number}`,
    `request ${a.requestId}`,
    a.coldStart ? 'cold' : 'warm',
    a.outcome,
    `duration ${ms(a.durationMs)}`,
    `billed ${a.billedDurationMs} ms`,
    `memory ${a.maxMemoryUsedMB}/${a.memorySizeMB} MB`,
  ];
  if (a.initDurationMs !== undefined) facts.push(`init ${ms(a.initDurationMs)}`);
  if (a.batchIndex !== undefined) facts.push(`batch ${a.batchIndex}`);
  if (a.statusCode !== undefined) facts.push(`status ${a.statusCode}`);
  if (a.faults?.length) facts.push(`fault ${a.faults.join(', ')}`);
  const out = [`  ${facts.join('  ')}`];
  if (a.outcome === 'success') out.push('    result:', indent(json(a.result ?? null), '      '));
  else if (a.error) {
    out.push(`    error (${a.functionError ?? a.outcome}): ${a.error.errorType}: ${a.error.errorMessage}`);
  }
  if (a.logs.length > 0) out.push('    logs:', ...a.logs.map((l) => `      ${l.text.replace(/\n/g, '\n      ')}`));
  return out;
}

function batchLines(b: BatchRecord): string[] {
  const facts = [`batch ${b.index}`, `${b.recordIds.length} record(s)`];
  if (b.outcome) facts.push(b.outcome);
  if (b.bisectedFrom !== undefined) facts.push(`bisected from batch ${b.bisectedFrom}`);
  if (b.retryOf !== undefined) facts.push(`retries batch ${b.retryOf}`);
  if (b.checkpoint) facts.push(`checkpoint ${b.checkpoint}`);
  const out = [`  ${facts.join('  ')}`, `    records: ${b.recordIds.join(', ')}`];
  if (b.filteredIds?.length) out.push(`    filtered out: ${b.filteredIds.join(', ')}`);
  if (b.reportedFailures?.length) out.push(`    reported failures: ${b.reportedFailures.join(', ')}`);
  if (b.reportInvalidReason) out.push(`    report counted as full failure: ${b.reportInvalidReason}`);
  for (const r of b.returnedToQueue ?? []) out.push(`    returned to queue: ${r.id} (visible at ${r.visibleAt})`);
  for (const r of b.redrives ?? []) out.push(`    redriven: ${r.id} -> ${r.target} (receive count ${r.receiveCount})`);
  return out;
}

function deliveryLines(d: DeliveryRecord): string[] {
  const out = [
    `  ${d.kind}  ${d.target.type} ${d.target.arn}  ${d.condition}${d.deliveredAs ? `  as ${d.deliveredAs}` : ''}`,
  ];
  if (d.error) out.push(`    not delivered: ${d.error}`);
  out.push(`    body: ${d.body}`);
  for (const [name, a] of Object.entries(d.attributes ?? {}))
    out.push(`    attribute ${name} (${a.DataType}): ${a.StringValue}`);
  return out;
}

/** One record as text: its headline, then attempts (with logs), batches and deliveries. */
export function formatInvocationRecord(r: InvocationRecord): string {
  const head = [r.functionName, r.mode, r.status];
  if (r.condition) head.push(r.condition);
  const out = [`${head.join('  ')}  (record ${r.id})`];
  if (r.source) out.push(`  source: ${r.source.type}${r.source.arn ? ` ${r.source.arn}` : ''}`);
  if (r.faults?.length) out.push(`  faults: ${r.faults.join(', ')}`);
  if (r.cost && r.cost.requests > 0) out.push(`  cost: ${describeCost(r.cost)}`);
  if (r.response?.errorType)
    out.push(`  rejected (${r.response.StatusCode}): ${r.response.errorType}: ${r.response.errorMessage ?? ''}`);
  if (r.attempts.length > 0) out.push('attempts:');
  for (const a of r.attempts) out.push(...attemptLines(a));
  if (r.batches.length > 0) out.push('batches:');
  for (const b of r.batches) out.push(...batchLines(b));
  if (r.deliveries.length > 0) out.push('deliveries:');
  for (const d of r.deliveries) out.push(...deliveryLines(d));
  return out.join('\n') + '\n';
}

/**
 * One line per event whose life made several records (an SQS message received three times, then redriven; an
 * async event and the function its destination invoked): how many, how many failed, and what they cost together.
 */
export function formatStories(records: readonly InvocationRecord[]): string {
  const lines = groupStories(records)
    .filter((story) => story.records.length > 1)
    .reverse()
    .map((story) => {
      const [first] = story.records;
      const parts = [`${story.records.length} records`];
      if (story.failures > 0) parts.push(`${story.failures} failed`);
      if (story.cost && story.cost.requests > 0) parts.push(describeCost(story.cost));
      return `event of record ${first.id} (${first.functionName}): ${parts.join(', ')}`;
    });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
