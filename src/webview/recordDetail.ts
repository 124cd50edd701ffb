/**
 * The selected record in full: its story's parts (when the event produced several records), the header with its
 * actions, the response, each attempt with its error and folded runner frames, batches, deliveries, logs, the
 * event and the configuration it ran with. Everything is rendered as text (dom.ts).
 */
import { describeUnsettled } from '../core/invoke/followHorizon';
import { describeCost, type InvocationCost } from '../core/invoke/invocationCost';
import {
  describeRecordSource,
  type AttemptRecord,
  type DeliveryRecord,
  type InvocationRecord,
} from '../core/invoke/invocationRecord';
import { partLabel, type InvocationStory } from '../core/invoke/invocationStory';
import { describeErrorAfterResponse, describeLateError } from '../core/invoke/lateErrors';
import type { LogLine } from '../core/runtime/outcome';
import type { FromPanel, PanelViewState, RecordAction } from '../shared/panelProtocol';
import { field, h, icon } from './dom';
import { renderExecution, type ExecutionEntry } from './durableExecution';
import { httpExchangeTitle, renderHttpExchange } from './httpExchange';
import { clockTime, describeOrigin, elapsedMs, formatDelay, formatMs, prettyBody, prettyValue } from './format';
import { classifyFrames, sameError, type FramePaths } from './stackFrames';

export interface DetailContext {
  post(message: FromPanel): void;
  /** Why execution buttons are disabled (an untrusted workspace), if they are. */
  executionDisabled: string | undefined;
  paths: FramePaths;
  /** The reader's state: the log search and the sections opened or closed. */
  state: PanelViewState;
  persist(): void;
  /** Selects another record of the story. */
  select(recordId: string): void;
  /** DURABLE-13: what the panel knows of a durable execution (asking the extension when it knows nothing yet). */
  execution(arn: string): ExecutionEntry;
}

/** The icon a record's outcome reads as; a success that came after failures is a warning, not a tick. */
export function statusIcon(status: InvocationRecord['status'], failuresBefore = 0): HTMLElement {
  switch (status) {
    case 'succeeded':
      return failuresBefore > 0
        ? icon('warning', `succeeded after ${failuresBefore} failed part${failuresBefore === 1 ? '' : 's'}`)
        : icon('pass', 'succeeded');
    case 'failed':
    case 'rejected':
      return icon('error', status);
    case 'running':
      return icon('loading', 'running');
    case 'queued':
      return icon('clock', 'queued');
    default:
      return icon('circle-outline', status);
  }
}

/** What the record would cost on AWS, with the prices' source on hover. */
function costField(label: string, cost: Parameters<typeof describeCost>[0] & Partial<InvocationCost>): HTMLElement {
  return field(label, describeCost(cost), cost.priceSource ? `Prices: ${cost.priceSource}` : undefined);
}

function actionButton(
  ctx: DetailContext,
  action: RecordAction,
  label: string,
  codicon: string,
  record: InvocationRecord,
  needsExecution: boolean,
): HTMLElement {
  const button = h(
    'button',
    { type: 'button', class: 'action', title: label, 'data-action': action },
    icon(codicon),
    h('span', {}, label),
  );
  if (needsExecution && ctx.executionDisabled) {
    button.setAttribute('disabled', '');
    button.title = ctx.executionDisabled;
  }
  button.addEventListener('click', () => ctx.post({ type: 'action', action, recordId: record.id }));
  return button;
}

/** A collapsible section; whether it is open is the reader's choice, remembered by key. */
function section(ctx: DetailContext, key: string, title: string, body: HTMLElement, openByDefault = true): HTMLElement {
  const details = h(
    'details',
    { class: `section section-${key}`, open: ctx.state.sections[key] ?? openByDefault, 'data-section': key },
    h('summary', {}, title),
    body,
  );
  details.addEventListener('toggle', () => {
    if ((ctx.state.sections[key] ?? openByDefault) === details.open) return;
    ctx.state.sections[key] = details.open;
    ctx.persist();
  });
  return details;
}

/** The detail pane's content for a record of a story. */
export function renderRecordDetail(
  record: InvocationRecord,
  story: InvocationStory,
  ctx: DetailContext,
): HTMLElement[] {
  const parts: HTMLElement[] = [];
  if (story.records.length > 1) parts.push(renderStory(record, story, ctx));
  parts.push(
    h(
      'header',
      { class: 'record-header' },
      h(
        'h1',
        { title: record.functionName },
        statusIcon(record.status),
        ' ',
        h('span', { class: 'truncate' }, record.functionName),
      ),
      h(
        'div',
        { class: 'fields' },
        field('mode', record.mode),
        field('status', record.status),
        record.condition ? field('condition', record.condition) : null,
        record.source
          ? field('source', record.source.type === 'sdk' ? describeRecordSource(record.source) : record.source.type)
          : null,
        field('started (AWS time)', record.start.simulated),
        field('started (wall)', record.start.wall),
        record.end
          ? field('simulated span', formatDelay(elapsedMs(record.start.simulated, record.end.simulated)))
          : null,
        record.faults?.length ? field('faults injected', record.faults.join(', ')) : null,
        record.cost ? costField('cost on AWS (estimate)', record.cost) : null,
      ),
      // The run stopped following an event AWS would retry for hours or days: what happens to it next.
      record.unsettled
        ? h(
            'p',
            { class: 'notice unsettled', role: 'note' },
            icon('history'),
            ` Not followed further: ${describeUnsettled(record.unsettled)}. Re-run, or send another event to ${record.unsettled.leftIn}, to follow it again.`,
          )
        : null,
      h(
        'div',
        { class: 'actions', role: 'toolbar', 'aria-label': 'Invocation actions' },
        actionButton(ctx, 'rerun', 'Re-run', 'debug-rerun', record, true),
        actionButton(ctx, 'replay', 'Replay event…', 'debug-restart', record, true),
        actionButton(ctx, 'saveEvent', 'Save event', 'save', record, false),
        actionButton(ctx, 'copy', 'Copy record', 'copy', record, false),
        actionButton(ctx, 'export', 'Export JSON', 'export', record, false),
      ),
    ),
  );
  if (record.execution) {
    const entry = ctx.execution(record.execution.arn);
    const status = entry && 'view' in entry ? entry.view.status : record.execution.status;
    parts.push(section(ctx, 'execution', `Durable execution · ${status}`, renderExecution(record, entry, ctx)));
  }
  if (record.http) parts.push(section(ctx, 'http', httpExchangeTitle(record.http), renderHttpExchange(record.http)));
  if (record.response) parts.push(section(ctx, 'response', 'Response', renderResponse(record)));
  if (record.attempts.length > 0)
    parts.push(section(ctx, 'attempts', `Attempts (${record.attempts.length})`, renderAttempts(record, ctx)));
  if (record.batches.length > 0)
    parts.push(section(ctx, 'batches', `Batches (${record.batches.length})`, renderBatches(record)));
  if (record.deliveries.length > 0)
    parts.push(
      section(ctx, 'deliveries', `Deliveries (${record.deliveries.length})`, renderDeliveries(record.deliveries)),
    );
  parts.push(section(ctx, 'logs', 'Logs', renderLogs(record, ctx)));
  parts.push(section(ctx, 'event', 'Event', h('pre', { class: 'json' }, prettyValue(record.event)), false));
  parts.push(section(ctx, 'configuration', 'Configuration used', renderConfiguration(record, ctx), false));
  return parts;
}

/** The event's story: each record it produced, in order; the shown one is marked, the others are a click away. */
function renderStory(record: InvocationRecord, story: InvocationStory, ctx: DetailContext): HTMLElement {
  // The function is named on each part only when the event reached several.
  const several = new Set(story.records.map((r) => r.functionName)).size > 1;
  const list = h('ol', { class: `story${several ? ' several-functions' : ''}`, 'aria-label': 'Parts of this event' });
  let failuresBefore = 0;
  for (const part of story.records) {
    const current = part.id === record.id;
    const item = h(
      'li',
      { class: `story-part status-${part.status}`, 'aria-current': current ? 'true' : undefined },
      h(
        'button',
        { type: 'button', class: 'story-link', 'data-id': part.id, title: `${part.functionName} · ${part.id}` },
        statusIcon(part.status, failuresBefore),
        several ? h('span', { class: 'story-fn truncate' }, part.functionName) : null,
        h('span', { class: 'badge' }, partLabel(part, story)),
        h('span', { class: 'story-outcome' }, part.condition ?? part.status),
        h('span', { class: 'when' }, clockTime(part.start.simulated)),
      ),
      ...part.deliveries.map((d) =>
        h(
          'div',
          { class: `story-delivery kind-${d.kind}` },
          icon(d.kind === 'deadLetterQueue' || d.kind === 'queueRedrive' ? 'inbox' : 'send'),
          ` ${kindLabel(d.kind)} → ${targetName(d.target.arn)}`,
        ),
      ),
    );
    item.querySelector('button')!.addEventListener('click', () => ctx.select(part.id));
    list.append(item);
    if (part.status === 'failed' || part.status === 'rejected') failuresBefore++;
  }
  const title = `This event: ${story.records.length} records${story.failures ? `, ${story.failures} failed` : ''}`;
  return section(
    ctx,
    'story',
    title,
    h('div', {}, list, story.cost ? h('div', { class: 'fields' }, costField('whole event on AWS', story.cost)) : null),
  );
}

/** The name at the end of an ARN (`OrdersDLQ` of `arn:aws:sqs:...:OrdersDLQ`). */
function targetName(arn: string): string {
  return arn.split(/[:/]/).pop() || arn;
}

function renderResponse(record: InvocationRecord): HTMLElement {
  const r = record.response!;
  return h(
    'div',
    { class: 'response' },
    h(
      'div',
      { class: 'fields' },
      field('StatusCode', r.StatusCode),
      r.FunctionError ? field('FunctionError', r.FunctionError) : null,
      r.ExecutedVersion ? field('ExecutedVersion', r.ExecutedVersion) : null,
      r.errorType ? field('error', r.errorType) : null,
    ),
    r.errorMessage ? h('div', { class: 'error-message' }, r.errorMessage) : null,
    r.Payload !== undefined ? h('pre', { class: 'json' }, prettyBody(r.Payload)) : null,
  );
}

function renderAttempts(record: InvocationRecord, ctx: DetailContext): HTMLElement {
  const list = h('ol', { class: 'timeline' });
  let previous: AttemptRecord | undefined;
  for (const attempt of record.attempts) {
    if (previous) {
      const gap = elapsedMs(previous.start.simulated, attempt.start.simulated) - previous.durationMs;
      list.append(
        h('li', { class: 'gap' }, icon('watch'), ` waited ${formatDelay(Math.max(0, gap))} on the simulated clock`),
      );
    }
    list.append(renderAttempt(record, attempt, previous, ctx));
    previous = attempt;
  }
  return list;
}

/**
 * What an attempt's icon says: a function that returned but reported failed items (or a report Lambda counts as
 * a failure) did not succeed, whatever its outcome says.
 */
export function attemptVerdict(
  record: Pick<InvocationRecord, 'batches'>,
  attempt: Pick<AttemptRecord, 'outcome' | 'batchIndex'>,
): { icon: string; label: string; className: string } {
  if (attempt.outcome === 'success') {
    const batch = attempt.batchIndex !== undefined ? record.batches[attempt.batchIndex] : undefined;
    const failed = batch?.reportedFailures?.length ?? 0;
    if (batch?.reportInvalidReason)
      return { icon: 'error', label: 'returned a report Lambda counts as a failure', className: 'outcome-failed' };
    if (failed > 0)
      return {
        icon: 'warning',
        label: `returned, reporting ${failed} failed item${failed === 1 ? '' : 's'}`,
        className: 'outcome-partial',
      };
    return { icon: 'pass', label: 'succeeded', className: 'outcome-success' };
  }
  if (attempt.outcome === 'throttled' || attempt.outcome === 'systemError')
    return { icon: 'warning', label: attempt.outcome, className: `outcome-${attempt.outcome}` };
  if (attempt.outcome === 'skipped') return { icon: 'circle-slash', label: 'skipped', className: 'outcome-skipped' };
  return { icon: 'error', label: 'function error', className: 'outcome-functionError' };
}

function renderAttempt(
  record: InvocationRecord,
  a: AttemptRecord,
  previous: AttemptRecord | undefined,
  ctx: DetailContext,
): HTMLElement {
  const verdict = attemptVerdict(record, a);
  return h(
    'li',
    { class: `attempt ${verdict.className}` },
    h(
      'div',
      { class: 'attempt-head' },
      icon(verdict.icon, verdict.label),
      h('strong', {}, `Attempt ${a.number}`),
      h('span', { class: 'badge' }, a.coldStart ? 'cold' : 'warm'),
      a.batchIndex !== undefined ? h('span', { class: 'badge' }, `batch ${a.batchIndex + 1}`) : null,
      ...(a.faults ?? []).map((f) => h('span', { class: 'badge fault' }, f)),
      h('span', { class: 'request-id truncate', title: `Request id ${a.requestId}` }, a.requestId),
    ),
    h(
      'div',
      { class: 'fields' },
      field('AWS time', clockTime(a.start.simulated)),
      field('wall time', clockTime(a.start.wall)),
      field('duration', formatMs(a.durationMs)),
      field('billed', formatMs(a.billedDurationMs)),
      field('memory', `${a.maxMemoryUsedMB} / ${a.memorySizeMB} MB`),
      a.initDurationMs !== undefined ? field('init', formatMs(a.initDurationMs)) : null,
      a.statusCode !== undefined ? field('status', a.statusCode) : null,
    ),
    ...(a.lateErrors ?? []).map((late) =>
      h(
        'div',
        { class: 'error late-error' },
        h('div', { class: 'error-type' }, 'Error after an earlier response'),
        h('div', { class: 'error-message' }, describeLateError(late)),
        renderStack(late.error.trace ?? late.error.stackTrace ?? [], ctx),
      ),
    ),
    a.outcome === 'success' && a.result !== undefined
      ? h('pre', { class: 'json result' }, prettyValue(a.result))
      : null,
    a.error ? renderError(a, previous, ctx) : null,
    a.errorAfterResponse
      ? h(
          'div',
          { class: 'error late-error' },
          h('div', { class: 'error-type' }, 'Error after the response'),
          h('div', { class: 'error-message' }, describeErrorAfterResponse(a.errorAfterResponse.error)),
          renderStack(a.errorAfterResponse.error.trace ?? a.errorAfterResponse.error.stackTrace ?? [], ctx),
        )
      : null,
  );
}

function renderError(a: AttemptRecord, previous: AttemptRecord | undefined, ctx: DetailContext): HTMLElement {
  const error = a.error!;
  const repeated = sameError(error, previous?.error);
  return h(
    'div',
    { class: 'error' },
    h('div', { class: 'error-type' }, error.errorType),
    h('div', { class: 'error-message' }, error.errorMessage),
    repeated
      ? h('div', { class: 'muted same-error' }, `Same stack as attempt ${previous!.number}.`)
      : renderStack(error.trace ?? error.stackTrace ?? [], ctx),
  );
}

/** The stack with the runner's and Node's own frames folded behind "Show all frames". */
function renderStack(lines: string[], ctx: DetailContext): HTMLElement | null {
  if (lines.length === 0) return null;
  const frames = classifyFrames(lines, ctx.paths);
  const folded = frames.filter((f) => f.kind === 'runner').length;
  const list = h('ol', { class: 'stack' });
  for (const frame of frames) {
    if (frame.kind === 'workspace' && frame.location) {
      const location = frame.location;
      const link = h(
        'a',
        { href: '#', class: 'frame-link', title: `Open ${location.file}:${location.line}` },
        frame.text.trim(),
      );
      link.addEventListener('click', (e) => {
        e.preventDefault();
        ctx.post({ type: 'openSource', file: location.file, line: location.line, column: location.column });
      });
      list.append(h('li', { class: 'frame frame-workspace' }, link));
    } else list.append(h('li', { class: `frame frame-${frame.kind}` }, frame.text.trim()));
  }
  if (folded === 0) return list;
  const toggle = h(
    'button',
    { type: 'button', class: 'link-button show-frames', 'aria-expanded': 'false' },
    `Show all frames (${folded} of the runtime hidden)`,
  );
  toggle.addEventListener('click', () => {
    const all = list.classList.toggle('show-all');
    toggle.setAttribute('aria-expanded', String(all));
    toggle.textContent = all ? 'Hide the runtime frames' : `Show all frames (${folded} of the runtime hidden)`;
  });
  return h('div', { class: 'stack-block' }, list, toggle);
}

/** `3f2a9c1e…` for a message id, `…49590338` for a long sequence number; the full id goes in the title. */
export function shortId(id: string): string {
  if (id.length <= 12) return id;
  if (/^\d+$/.test(id)) return `…${id.slice(-8)}`;
  return `${id.slice(0, 8)}…`;
}

/** The bodies of the record's SQS messages, by message id, from the event the function got. */
function messageBodies(record: InvocationRecord): Map<string, string> {
  const bodies = new Map<string, string>();
  const records = (record.event as { Records?: unknown } | undefined)?.Records;
  if (!Array.isArray(records)) return bodies;
  for (const r of records as Array<Record<string, unknown>>) {
    if (typeof r?.messageId === 'string' && typeof r.body === 'string') bodies.set(r.messageId, r.body);
  }
  return bodies;
}

function idChip(id: string, failed: boolean, bodies: Map<string, string>): HTMLElement {
  const body = bodies.get(id);
  const preview = body === undefined ? '' : body.length > 32 ? `${body.slice(0, 32)}…` : body;
  const title = [id, failed ? 'reported as failed' : '', body === undefined ? '' : `body: ${body.slice(0, 500)}`]
    .filter(Boolean)
    .join('\n');
  return h(
    'span',
    { class: `id${failed ? ' failed' : ''}`, title },
    shortId(id),
    preview ? h('span', { class: 'id-body' }, ` ${preview}`) : null,
  );
}

function renderBatches(record: InvocationRecord): HTMLElement {
  const bodies = messageBodies(record);
  const table = h(
    'table',
    { class: 'batches' },
    h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'records'), h('th', {}, 'outcome'), h('th', {}, 'then'))),
  );
  const body = h('tbody');
  for (const b of record.batches) {
    const failed = new Set(b.reportedFailures ?? []);
    body.append(
      h(
        'tr',
        { class: `batch outcome-${b.outcome ?? 'pending'}` },
        h('td', {}, String(b.index + 1)),
        h(
          'td',
          {},
          h('div', { class: 'ids' }, ...b.recordIds.map((id) => idChip(id, failed.has(id), bodies))),
          b.filteredIds?.length
            ? h('div', { class: 'muted' }, 'filtered out: ', ...b.filteredIds.map((id) => idChip(id, false, bodies)))
            : null,
        ),
        h(
          'td',
          {},
          b.outcome ?? 'pending',
          b.reportedFailures?.length
            ? h('div', { class: 'muted' }, `${b.reportedFailures.length} reported failed`)
            : null,
          b.reportInvalidReason ? h('div', { class: 'muted' }, b.reportInvalidReason) : null,
          b.bisectedFrom !== undefined ? h('div', { class: 'muted' }, `split from batch ${b.bisectedFrom + 1}`) : null,
          b.retryOf !== undefined ? h('div', { class: 'muted' }, `retries batch ${b.retryOf + 1}`) : null,
        ),
        h(
          'td',
          {},
          b.checkpoint ? h('div', { title: b.checkpoint }, `checkpoint ${shortId(b.checkpoint)}`) : null,
          ...(b.returnedToQueue ?? []).map((r) =>
            h('div', { title: r.id }, `${shortId(r.id)} visible again at ${clockTime(r.visibleAt)}`),
          ),
          ...(b.redrives ?? []).map((r) =>
            h(
              'div',
              { class: 'redrive', title: `${r.id} → ${r.target}` },
              `${shortId(r.id)} → ${targetName(r.target)} after ${r.receiveCount} receives`,
            ),
          ),
        ),
      ),
    );
  }
  table.append(body);
  return table;
}

function renderDeliveries(deliveries: DeliveryRecord[]): HTMLElement {
  const list = h('ul', { class: 'deliveries' });
  for (const d of deliveries) {
    const attrs = d.attributes
      ? h(
          'table',
          { class: 'attributes' },
          ...Object.entries(d.attributes).map(([k, v]) =>
            h('tr', {}, h('th', {}, k), h('td', {}, v.DataType), h('td', {}, v.StringValue)),
          ),
        )
      : null;
    list.append(
      h(
        'li',
        { class: `delivery kind-${d.kind}` },
        h(
          'div',
          { class: 'delivery-head' },
          icon(d.kind === 'deadLetterQueue' || d.kind === 'queueRedrive' ? 'inbox' : 'send'),
          h('strong', {}, kindLabel(d.kind)),
          h('span', { class: 'badge' }, d.condition),
          h(
            'span',
            { class: 'target truncate', title: d.target.arn },
            `${d.target.type.toUpperCase()} ${targetName(d.target.arn)}`,
          ),
          h('span', { class: 'when' }, clockTime(d.time.simulated)),
        ),
        d.error ? h('div', { class: 'error-message' }, d.error) : null,
        attrs,
        h('pre', { class: 'json' }, prettyBody(d.body)),
      ),
    );
  }
  return list;
}

function kindLabel(kind: DeliveryRecord['kind']): string {
  switch (kind) {
    case 'destination':
      return 'Destination';
    case 'deadLetterQueue':
      return 'Dead-letter queue';
    case 'queueRedrive':
      return 'Queue redrive (SQS DLQ)';
    case 'fanOut':
      return 'Fan-out';
  }
}

function renderLogs(record: InvocationRecord, ctx: DetailContext): HTMLElement {
  const search = h('input', {
    type: 'search',
    class: 'log-search',
    placeholder: 'Search logs',
    'aria-label': 'Search the logs',
    value: ctx.state.logSearch,
  });
  const lines = h('ol', { class: 'logs' });
  // NODE-5: an attempt's output after its response, up to the error that ended its environment, follows its log.
  const all: Array<{ attempt: number; line: LogLine }> = record.attempts.flatMap((a) =>
    [...a.logs, ...(a.errorAfterResponse?.logs ?? [])].map((line) => ({ attempt: a.number, line })),
  );
  const fill = (): void => {
    lines.replaceChildren();
    const needle = ctx.state.logSearch.toLowerCase();
    for (const { attempt, line } of all) {
      if (needle && !line.text.toLowerCase().includes(needle)) continue;
      lines.append(
        h(
          'li',
          { class: `log level-${(line.level ?? 'none').toLowerCase()} stream-${line.stream}` },
          h('span', { class: 'attempt-no' }, `#${attempt}`),
          line.text,
        ),
      );
    }
    if (!lines.firstChild)
      lines.append(h('li', { class: 'muted' }, all.length === 0 ? 'No log lines.' : 'No log line matches the search.'));
  };
  search.addEventListener('input', () => {
    ctx.state.logSearch = search.value;
    ctx.persist();
    fill();
  });
  fill();
  return h('div', {}, search, lines);
}

/** The origin of a configured value; a file origin opens the template at its line. */
function renderOrigin(origin: unknown, ctx: DetailContext): HTMLElement | string {
  const { text, title, file, line } = describeOrigin(origin);
  if (!file) return text;
  const link = h('a', { href: '#', class: 'frame-link', title: `Open ${title}` }, text);
  link.addEventListener('click', (e) => {
    e.preventDefault();
    ctx.post({ type: 'openSource', file, line: line ?? 1, column: 1 });
  });
  return link;
}

function renderConfiguration(record: InvocationRecord, ctx: DetailContext): HTMLElement {
  const rows = Object.entries(record.configuration.values).map(([key, value]) =>
    h(
      'tr',
      {},
      h('th', {}, key),
      h('td', {}, typeof value === 'string' ? value : prettyValue(value)),
      h('td', { class: 'muted' }, renderOrigin(record.configuration.origins[key], ctx)),
    ),
  );
  return h(
    'table',
    { class: 'configuration' },
    h('thead', {}, h('tr', {}, h('th', {}, 'setting'), h('th', {}, 'value'), h('th', {}, 'from'))),
    h('tbody', {}, rows),
  );
}
