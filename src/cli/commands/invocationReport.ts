/**
 * The human form of an InvocationRecord tree: the same record `--json` prints, so both outputs agree
 * (ARCHITECTURE: one event, one InvocationRecord tree). A terminal is no place for a multi-megabyte result or a
 * log of ten thousand lines: unless asked for in full, each long part is cut, and the cut says how to see it all.
 */
import { describeUnsettled } from '../../core/invoke/followHorizon';
import { describeCost } from '../../core/invoke/invocationCost';
import {
  describeRecordSource,
  type AttemptRecord,
  type BatchRecord,
  type DeliveryRecord,
  type InvocationRecord,
} from '../../core/invoke/invocationRecord';
import { groupStories } from '../../core/invoke/invocationStory';
import { displayText } from '../../shared/displayText';
import { describeErrorAfterResponse, describeLateError } from '../../core/invoke/lateErrors';

export interface ReportOptions {
  /** Print every part whole, however long. */
  full?: boolean;
  /** How the reader gets what a cut leaves out: "add --full to print them, or --json for the whole record". */
  wholeRecordHint?: string;
  /**
   * The report goes to a terminal that shows colours: handler output keeps its ANSI colour codes (and nothing else
   * of ANSI). Otherwise they are removed. Bidi overrides are shown as escapes either way (displayText).
   */
  colours?: boolean;
}

/** A result, body or error longer than this is cut (in characters)... */
export const MAX_PART_CHARS = 2048;
/** ...and so is one longer than this many lines. */
export const MAX_PART_LINES = 60;
/** A longer log keeps its first and last lines (its START and where it failed). */
export const MAX_LOG_LINES = { head: 20, tail: 40 } as const;

const count = (n: number, what: string): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/** Cuts what a report prints of one part, by characters and lines; undefined when it fits. */
function cutPart(text: string): { kept: string; left: string } | undefined {
  let end = Math.min(text.length, MAX_PART_CHARS);
  let lineEnd = -1;
  for (let i = 0; i < MAX_PART_LINES; i++) {
    lineEnd = text.indexOf('\n', lineEnd + 1);
    if (lineEnd === -1) break;
  }
  if (lineEnd !== -1) end = Math.min(end, lineEnd);
  if (end >= text.length) return undefined;
  const rest = text.slice(end);
  const restLines = rest.split('\n').length - (rest.startsWith('\n') ? 1 : 0);
  const left =
    restLines > 1
      ? `${count(rest.length, 'more character')} (${count(restLines, 'line')})`
      : count(rest.length, 'more character');
  return { kept: text.slice(0, end), left };
}

class Report {
  constructor(private readonly options: ReportOptions) {}

  private note(left: string): string {
    return `[… ${left} not shown; ${this.options.wholeRecordHint ?? 'add --json for the whole record'}]`;
  }

  /** One part (a result, a body, an error message), cut to a readable size unless asked for in full. */
  part(text: string): string {
    const cut = this.options.full ? undefined : cutPart(text);
    return cut ? `${cut.kept}\n${this.note(cut.left)}` : text;
  }

  /** Log lines: the first and the last ones of a long log. */
  logs(lines: string[]): string[] {
    const { head, tail } = MAX_LOG_LINES;
    if (this.options.full || lines.length <= head + tail) return lines.map((l) => this.part(l));
    return [
      ...lines.slice(0, head).map((l) => this.part(l)),
      this.note(count(lines.length - head - tail, 'log line')),
      ...lines.slice(-tail).map((l) => this.part(l)),
    ];
  }
}

const indent = (text: string, by: string): string =>
  text
    .split('\n')
    .map((line) => by + line)
    .join('\n');

const ms = (n: number): string => `${n.toFixed(2)} ms`;

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

function attemptLines(a: AttemptRecord, report: Report): string[] {
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
  for (const late of a.lateErrors ?? [])
    out.push(indent(report.part(`earlier error: ${describeLateError(late)}`), '    '));
  if (a.outcome === 'success') out.push('    result:', indent(report.part(json(a.result ?? null)), '      '));
  else if (a.error) {
    out.push(
      indent(
        report.part(`error (${a.functionError ?? a.outcome}): ${a.error.errorType}: ${a.error.errorMessage}`),
        '    ',
      ),
    );
  }
  if (a.logs.length > 0)
    out.push('    logs:', ...report.logs(a.logs.map((l) => l.text)).map((text) => indent(text, '      ')));
  if (a.errorAfterResponse) out.push(...errorAfterResponseLines(a, report));
  return out;
}

/** NODE-5: the error the attempt's environment threw after its response, and its output until it ended. */
function errorAfterResponseLines(a: AttemptRecord, report: Report): string[] {
  const { error, logs } = a.errorAfterResponse!;
  const out = [indent(report.part(describeErrorAfterResponse(error)), '    ')];
  if (logs.length > 0)
    out.push('    logs after the response:', ...report.logs(logs.map((l) => l.text)).map((t) => indent(t, '      ')));
  return out;
}

/**
 * NODE-5: the errors that attempts of a record threw after their response, found once the report of the record was
 * printed (the CLI lets each environment throw what its handler left queued before it ends them).
 */
export function formatErrorsAfterResponse(r: InvocationRecord, options: ReportOptions = {}): string {
  const report = new Report(options);
  const out: string[] = [];
  for (const a of r.attempts) {
    if (!a.errorAfterResponse) continue;
    out.push(`${r.functionName}  attempt ${a.number}  request ${a.requestId}  (record ${r.id})`);
    out.push(...errorAfterResponseLines(a, report).map((line) => line.slice(2)));
  }
  return out.length > 0 ? displayText(out.join('\n') + '\n', { keepColours: options.colours === true }) : '';
}

function batchLines(b: BatchRecord, report: Report): string[] {
  const facts = [`batch ${b.index}`, `${b.recordIds.length} record(s)`];
  if (b.outcome) facts.push(b.outcome);
  if (b.bisectedFrom !== undefined) facts.push(`bisected from batch ${b.bisectedFrom}`);
  if (b.retryOf !== undefined) facts.push(`retries batch ${b.retryOf}`);
  if (b.checkpoint) facts.push(`checkpoint ${b.checkpoint}`);
  const out = [`  ${facts.join('  ')}`, indent(report.part(`records: ${b.recordIds.join(', ')}`), '    ')];
  if (b.filteredIds?.length) out.push(indent(report.part(`filtered out: ${b.filteredIds.join(', ')}`), '    '));
  if (b.reportedFailures?.length) out.push(`    reported failures: ${b.reportedFailures.join(', ')}`);
  if (b.reportInvalidReason) out.push(`    report counted as full failure: ${b.reportInvalidReason}`);
  for (const r of b.returnedToQueue ?? []) out.push(`    returned to queue: ${r.id} (visible at ${r.visibleAt})`);
  for (const r of b.redrives ?? []) out.push(`    redriven: ${r.id} -> ${r.target} (receive count ${r.receiveCount})`);
  return out;
}

function deliveryLines(d: DeliveryRecord, report: Report): string[] {
  const out = [
    `  ${d.kind}  ${d.target.type} ${d.target.arn}  ${d.condition}${d.deliveredAs ? `  as ${d.deliveredAs}` : ''}`,
  ];
  if (d.error) out.push(`    not delivered: ${d.error}`);
  out.push(indent(report.part(`body: ${d.body}`), '    '));
  for (const [name, a] of Object.entries(d.attributes ?? {}))
    out.push(indent(report.part(`attribute ${name} (${a.DataType}): ${a.StringValue}`), '    '));
  return out;
}

/**
 * DURABLE-13: which durable execution the invocation belongs to, and its operations (indented under their parents)
 * as they were when the record was saved.
 */
function executionLines(e: NonNullable<InvocationRecord['execution']>): string[] {
  const lines = [
    `  execution: ${displayText(e.name)} ${e.status}, invocation ${e.invocation}${e.outcome ? `, answered ${e.outcome}` : ''}`,
  ];
  const depth = new Map<string, number>();
  for (const op of e.operations) {
    if (op.type === 'EXECUTION') continue;
    const d = op.parentId !== undefined ? (depth.get(op.parentId) ?? 0) + 1 : 0;
    depth.set(op.id, d);
    const label = [op.subType ?? op.type, op.name].filter((x) => x !== undefined).join(' ');
    lines.push(`    ${'  '.repeat(d)}${displayText(label)}  ${op.status}`);
  }
  return lines;
}

/**
 * One record as text: its headline, then attempts (with logs), batches and deliveries, and last, for an event the run
 * stopped following, what AWS would do with it next.
 */
export function formatInvocationRecord(r: InvocationRecord, options: ReportOptions = {}): string {
  const report = new Report(options);
  const head = [r.functionName, r.mode, r.status];
  if (r.condition) head.push(r.condition);
  const out = [`${head.join('  ')}  (record ${r.id})`];
  if (r.source) out.push(`  source: ${describeRecordSource(r.source)}`);
  if (r.execution) out.push(...executionLines(r.execution));
  if (r.faults?.length) out.push(`  faults: ${r.faults.join(', ')}`);
  if (r.cost && r.cost.requests > 0) out.push(`  cost: ${describeCost(r.cost)}`);
  if (r.response?.errorType)
    out.push(
      indent(
        report.part(`rejected (${r.response.StatusCode}): ${r.response.errorType}: ${r.response.errorMessage ?? ''}`),
        '  ',
      ),
    );
  if (r.attempts.length > 0) out.push('attempts:');
  for (const a of r.attempts) out.push(...attemptLines(a, report));
  if (r.batches.length > 0) out.push('batches:');
  for (const b of r.batches) out.push(...batchLines(b, report));
  if (r.deliveries.length > 0) out.push('deliveries:');
  for (const d of r.deliveries) out.push(...deliveryLines(d, report));
  if (r.unsettled) out.push(...unsettledLines(r));
  return displayText(out.join('\n') + '\n', { keepColours: options.colours === true });
}

/**
 * What the invoked records set going in other functions (their SDK calls, destinations, the consumers of what they
 * sent), one line each, or whole with `full`.
 */
export function formatStartedRecords(started: readonly InvocationRecord[], options: ReportOptions = {}): string {
  if (started.length === 0) return '';
  if (options.full) return `what it set going:\n${started.map((r) => formatInvocationRecord(r, options)).join('')}`;
  const lines = started.map((r) => {
    const head = [r.functionName, r.mode, r.status, ...(r.condition ? [r.condition] : [])].join('  ');
    const source = r.source ? `, from ${describeRecordSource(r.source)}` : '';
    return `  ${head}  (record ${r.id}${source})`;
  });
  return displayText(`what it set going (--full for their attempts and logs):\n${lines.join('\n')}\n`);
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
  return lines.length > 0 ? displayText(`${lines.join('\n')}\n`) : '';
}

/** An event the run stopped following: what AWS would do with it, and how to follow it again or let it go. */
function unsettledLines(r: InvocationRecord): string[] {
  const u = r.unsettled!;
  const next =
    r.source?.type === 'sqs'
      ? `the next batch invocation of ${r.functionName} follows it again; \`lambda-trigger queues purge ${u.leftIn}\` drops it`
      : `the next batch invocation of ${r.functionName} follows it again`;
  return ['not followed further:', `  ${describeUnsettled(u)}.`, `  ${next}.`];
}
