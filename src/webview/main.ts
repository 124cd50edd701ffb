/**
 * The invocation panel: a history of InvocationRecords and the selected one as a timeline of attempts, logs,
 * batches and deliveries. Renders only what the extension sends (the engine's records) and only as text.
 */
import type { AttemptRecord, BatchRecord, DeliveryRecord, InvocationRecord } from '../core/invoke/invocationRecord';
import { describeCost, type InvocationCost } from '../core/invoke/invocationCost';
import type { LogLine } from '../core/runtime/outcome';
import { parseToPanel, sourceLocationOf, type FromPanel, type RecordAction } from '../shared/panelProtocol';
import { clear, h, icon } from './dom';
import {
  clockTime,
  describeOrigin,
  elapsedMs,
  formatDelay,
  formatMs,
  matchesFilter,
  prettyBody,
  prettyValue,
} from './format';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface PanelState {
  selectedId?: string;
  filter: string;
  logSearch: string;
}

const vscode = acquireVsCodeApi();
const state: PanelState = { filter: '', logSearch: '', ...vscode.getState() };
let records: InvocationRecord[] = [];
let executionDisabled: string | undefined;

const historyList = h('ol', {
  class: 'history-list',
  role: 'listbox',
  'aria-label': 'Invocation history',
  tabindex: 0,
});
const filterInput = h('input', {
  type: 'search',
  class: 'filter',
  placeholder: 'Filter: function, status, mode, request id',
  'aria-label': 'Filter the invocation history',
  value: state.filter,
});
const historyCount = h('div', { class: 'history-count', 'aria-live': 'polite' });
const detail = h('main', { class: 'detail', 'aria-live': 'polite' });
const banner = h('div', { class: 'banner', hidden: true, role: 'status' });

document.body.append(
  banner,
  h('div', { class: 'layout' }, h('aside', { class: 'history' }, filterInput, historyCount, historyList), detail),
);

function persist(): void {
  vscode.setState(state);
}

function post(message: FromPanel): void {
  vscode.postMessage(message);
}

function statusIcon(record: InvocationRecord): HTMLElement {
  switch (record.status) {
    case 'succeeded':
      return icon('pass', 'succeeded');
    case 'failed':
    case 'rejected':
      return icon('error', record.status);
    case 'running':
      return icon('loading', 'running');
    case 'queued':
      return icon('clock', 'queued');
    default:
      return icon('circle-outline', record.status);
  }
}

function visibleRecords(): InvocationRecord[] {
  return records.filter((r) =>
    matchesFilter(
      state.filter,
      r.functionName,
      r.status,
      r.mode,
      r.condition,
      r.source?.type,
      r.id,
      ...r.attempts.map((a) => a.requestId),
    ),
  );
}

/** The history items by record id, so selection and live updates touch only the items that change. */
const itemsById = new Map<string, HTMLElement>();

function historyItem(record: InvocationRecord): HTMLElement {
  const selected = record.id === state.selectedId;
  return h(
    'li',
    {
      class: `history-item status-${record.status}`,
      role: 'option',
      'aria-selected': selected ? 'true' : 'false',
      'data-id': record.id,
      tabindex: -1,
    },
    statusIcon(record),
    h('span', { class: 'fn' }, record.functionName),
    h('span', { class: 'badge' }, record.mode),
    h('span', { class: 'when' }, clockTime(record.start.wall)),
    h(
      'span',
      { class: 'meta' },
      `${record.attempts.length} attempt${record.attempts.length === 1 ? '' : 's'}${record.condition ? ` · ${record.condition}` : ''}`,
    ),
  );
}

function renderCount(shown: number): void {
  historyCount.textContent =
    shown === records.length ? `${records.length} invocations` : `${shown} of ${records.length} invocations`;
}

function renderHistory(): void {
  clear(historyList);
  itemsById.clear();
  const shown = visibleRecords();
  renderCount(shown.length);
  const fragment = document.createDocumentFragment();
  for (const record of shown) {
    const item = historyItem(record);
    itemsById.set(record.id, item);
    fragment.appendChild(item);
  }
  historyList.appendChild(fragment);
}

/** One record was added or changed: replace or insert its item only. */
function renderHistoryItem(record: InvocationRecord, isNew: boolean): void {
  const old = itemsById.get(record.id);
  const matches = visibleRecords().some((r) => r.id === record.id);
  if (old && matches) {
    const item = historyItem(record);
    old.replaceWith(item);
    itemsById.set(record.id, item);
  } else if (old) {
    old.remove();
    itemsById.delete(record.id);
  } else if (matches && isNew) {
    const item = historyItem(record);
    historyList.insertBefore(item, historyList.firstChild);
    itemsById.set(record.id, item);
  }
  renderCount(historyList.childElementCount);
}

function select(id: string | undefined, focus = false): void {
  const previous = state.selectedId ? itemsById.get(state.selectedId) : undefined;
  previous?.setAttribute('aria-selected', 'false');
  state.selectedId = id;
  persist();
  const item = id ? itemsById.get(id) : undefined;
  item?.setAttribute('aria-selected', 'true');
  renderDetail();
  if (focus) item?.focus();
}

historyList.addEventListener('click', (e) => {
  const item = (e.target as HTMLElement).closest<HTMLElement>('.history-item');
  if (item?.dataset.id) select(item.dataset.id);
});

historyList.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
  e.preventDefault();
  const shown = visibleRecords();
  if (shown.length === 0) return;
  const index = shown.findIndex((r) => r.id === state.selectedId);
  const next =
    e.key === 'Home'
      ? 0
      : e.key === 'End'
        ? shown.length - 1
        : Math.max(0, Math.min(shown.length - 1, index + (e.key === 'ArrowDown' ? 1 : -1)));
  select(shown[next].id, true);
});

filterInput.addEventListener('input', () => {
  state.filter = filterInput.value;
  persist();
  renderHistory();
});

function actionButton(
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
  if (needsExecution && executionDisabled) {
    button.setAttribute('disabled', '');
    button.title = executionDisabled;
  }
  button.addEventListener('click', () => post({ type: 'action', action, recordId: record.id }));
  return button;
}

function field(label: string, value: string | number | undefined): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('span', { class: 'label' }, label),
    h('span', { class: 'value' }, value === undefined ? '–' : String(value)),
  );
}

/** What the record would cost on AWS, with the prices' source on hover. */
function costField(cost: InvocationCost): HTMLElement {
  const element = field('cost on AWS (estimate)', describeCost(cost));
  element.title = `Prices: ${cost.priceSource}`;
  return element;
}

function renderDetail(): void {
  clear(detail);
  const record = records.find((r) => r.id === state.selectedId);
  if (!record) {
    detail.append(
      h(
        'div',
        { class: 'empty' },
        records.length === 0
          ? 'No invocations yet. Invoke a handler from the Lambda view, a code lens or the editor context menu.'
          : 'Select an invocation in the history.',
      ),
    );
    return;
  }
  detail.append(
    h(
      'header',
      { class: 'record-header' },
      h('h1', {}, statusIcon(record), ' ', record.functionName),
      h(
        'div',
        { class: 'fields' },
        field('mode', record.mode),
        field('status', record.status),
        record.condition ? field('condition', record.condition) : null,
        record.source ? field('source', record.source.type) : null,
        field('started (AWS time)', record.start.simulated),
        field('started (wall)', record.start.wall),
        record.end
          ? field('simulated span', formatDelay(elapsedMs(record.start.simulated, record.end.simulated)))
          : null,
        record.faults?.length ? field('faults injected', record.faults.join(', ')) : null,
        record.cost ? costField(record.cost) : null,
      ),
      h(
        'div',
        { class: 'actions', role: 'toolbar', 'aria-label': 'Invocation actions' },
        actionButton('rerun', 'Re-run', 'debug-rerun', record, true),
        actionButton('replay', 'Replay event…', 'debug-restart', record, true),
        actionButton('saveEvent', 'Save event', 'save', record, false),
        actionButton('copy', 'Copy record', 'copy', record, false),
        actionButton('export', 'Export JSON', 'export', record, false),
      ),
    ),
  );
  if (record.response) detail.append(section('Response', renderResponse(record)));
  if (record.attempts.length > 0)
    detail.append(section(`Attempts (${record.attempts.length})`, renderAttempts(record)));
  if (record.batches.length > 0)
    detail.append(section(`Batches (${record.batches.length})`, renderBatches(record.batches)));
  if (record.deliveries.length > 0)
    detail.append(section(`Deliveries (${record.deliveries.length})`, renderDeliveries(record.deliveries)));
  detail.append(section('Logs', renderLogs(record)));
  detail.append(section('Event', h('pre', { class: 'json' }, prettyValue(record.event)), true));
  detail.append(section('Configuration used', renderConfiguration(record), true));
}

function section(title: string, body: HTMLElement, collapsed = false): HTMLElement {
  const details = h('details', { class: 'section', open: !collapsed }, h('summary', {}, title), body);
  return details;
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

function renderAttempts(record: InvocationRecord): HTMLElement {
  const list = h('ol', { class: 'timeline' });
  let previous: AttemptRecord | undefined;
  for (const attempt of record.attempts) {
    if (previous) {
      const gap = elapsedMs(previous.start.simulated, attempt.start.simulated) - previous.durationMs;
      list.append(
        h('li', { class: 'gap' }, icon('watch'), ` waited ${formatDelay(Math.max(0, gap))} on the simulated clock`),
      );
    }
    list.append(renderAttempt(attempt));
    previous = attempt;
  }
  return list;
}

function renderAttempt(a: AttemptRecord): HTMLElement {
  const ok = a.outcome === 'success';
  const errorBlock = a.error
    ? h(
        'div',
        { class: 'error' },
        h('div', { class: 'error-type' }, a.error.errorType),
        h('div', { class: 'error-message' }, a.error.errorMessage),
        renderStack(a.error.trace ?? a.error.stackTrace ?? []),
      )
    : null;
  return h(
    'li',
    { class: `attempt outcome-${a.outcome}` },
    h(
      'div',
      { class: 'attempt-head' },
      icon(ok ? 'pass' : a.outcome === 'throttled' || a.outcome === 'systemError' ? 'warning' : 'error'),
      h('strong', {}, `Attempt ${a.number}`),
      h('span', { class: 'badge' }, a.coldStart ? 'cold' : 'warm'),
      a.batchIndex !== undefined ? h('span', { class: 'badge' }, `batch ${a.batchIndex + 1}`) : null,
      ...(a.faults ?? []).map((f) => h('span', { class: 'badge fault' }, f)),
      h('span', { class: 'request-id', title: 'Request id' }, a.requestId),
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
    ok && a.result !== undefined ? h('pre', { class: 'json result' }, prettyValue(a.result)) : null,
    errorBlock,
  );
}

function renderStack(frames: string[]): HTMLElement | null {
  if (frames.length === 0) return null;
  const list = h('ol', { class: 'stack' });
  for (const frame of frames) {
    const location = sourceLocationOf(frame);
    if (location) {
      const link = h(
        'a',
        { href: '#', class: 'frame-link', title: `Open ${location.file}:${location.line}` },
        frame.trim(),
      );
      link.addEventListener('click', (e) => {
        e.preventDefault();
        post({ type: 'openSource', file: location.file, line: location.line, column: location.column });
      });
      list.append(h('li', {}, link));
    } else list.append(h('li', {}, frame.trim()));
  }
  return list;
}

function renderBatches(batches: BatchRecord[]): HTMLElement {
  const table = h(
    'table',
    { class: 'batches' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, '#'),
        h('th', {}, 'records'),
        h('th', {}, 'outcome'),
        h('th', {}, 'failed items'),
        h('th', {}, 'bisected from'),
        h('th', {}, 'checkpoint / redrive'),
      ),
    ),
  );
  const body = h('tbody');
  for (const b of batches) {
    const failed = new Set(b.reportedFailures ?? []);
    const ids = h(
      'div',
      { class: 'ids' },
      ...b.recordIds.map((id) =>
        h(
          'span',
          { class: `id${failed.has(id) ? ' failed' : ''}`, title: failed.has(id) ? 'reported as failed' : undefined },
          id,
        ),
      ),
    );
    body.append(
      h(
        'tr',
        { class: `batch outcome-${b.outcome ?? 'pending'}` },
        h('td', {}, String(b.index + 1)),
        h(
          'td',
          {},
          ids,
          b.filteredIds?.length ? h('div', { class: 'muted' }, `filtered out: ${b.filteredIds.join(', ')}`) : null,
        ),
        h(
          'td',
          {},
          b.outcome ?? 'pending',
          b.reportInvalidReason ? h('div', { class: 'muted' }, b.reportInvalidReason) : null,
        ),
        h('td', {}, b.reportedFailures?.length ? b.reportedFailures.join(', ') : '–'),
        h('td', {}, b.bisectedFrom !== undefined ? `batch ${b.bisectedFrom + 1}` : '–'),
        h(
          'td',
          {},
          b.checkpoint ? h('div', {}, `checkpoint ${b.checkpoint}`) : null,
          ...(b.returnedToQueue ?? []).map((r) => h('div', {}, `${r.id} visible again at ${clockTime(r.visibleAt)}`)),
          ...(b.redrives ?? []).map((r) =>
            h('div', { class: 'redrive' }, `${r.id} → ${r.target} after ${r.receiveCount} receives`),
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
          h('span', { class: 'target' }, `${d.target.type.toUpperCase()} ${d.target.arn}`),
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

function renderLogs(record: InvocationRecord): HTMLElement {
  const search = h('input', {
    type: 'search',
    class: 'log-search',
    placeholder: 'Search logs',
    'aria-label': 'Search the logs',
    value: state.logSearch,
  });
  const lines = h('ol', { class: 'logs' });
  const all: Array<{ attempt: number; line: LogLine }> = record.attempts.flatMap((a) =>
    a.logs.map((line) => ({ attempt: a.number, line })),
  );
  const fill = (): void => {
    clear(lines);
    const needle = state.logSearch.toLowerCase();
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
    state.logSearch = search.value;
    persist();
    fill();
  });
  fill();
  return h('div', {}, search, lines);
}

/** The origin of a configured value; a file origin opens the template at its line. */
function renderOrigin(origin: unknown): HTMLElement | string {
  const { text, title, file, line } = describeOrigin(origin);
  if (!file) return text;
  const link = h('a', { href: '#', class: 'frame-link', title: `Open ${title}` }, text);
  link.addEventListener('click', (e) => {
    e.preventDefault();
    post({ type: 'openSource', file, line: line ?? 1, column: 1 });
  });
  return link;
}

function renderConfiguration(record: InvocationRecord): HTMLElement {
  const rows = Object.entries(record.configuration.values).map(([key, value]) =>
    h(
      'tr',
      {},
      h('th', {}, key),
      h('td', {}, typeof value === 'string' ? value : prettyValue(value)),
      h('td', { class: 'muted' }, renderOrigin(record.configuration.origins[key])),
    ),
  );
  return h(
    'table',
    { class: 'configuration' },
    h('thead', {}, h('tr', {}, h('th', {}, 'setting'), h('th', {}, 'value'), h('th', {}, 'from'))),
    h('tbody', {}, rows),
  );
}

/** Adds or replaces a record; true when it is new. */
function upsert(record: InvocationRecord): boolean {
  const index = records.findIndex((r) => r.id === record.id);
  if (index >= 0) records[index] = record;
  else records.unshift(record);
  return index < 0;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseToPanel(event.data);
  if (!message) return;
  switch (message.type) {
    case 'history':
      records = message.records;
      if (message.selectedId) state.selectedId = message.selectedId;
      if (!records.some((r) => r.id === state.selectedId)) state.selectedId = records[0]?.id;
      persist();
      renderHistory();
      renderDetail();
      return;
    case 'record': {
      const isNew = upsert(message.record);
      renderHistoryItem(message.record, isNew);
      if (message.select) select(message.record.id);
      else if (message.record.id === state.selectedId) renderDetail();
      return;
    }
    case 'executionDisabled':
      executionDisabled = message.reason;
      banner.textContent = message.reason;
      banner.hidden = false;
      renderDetail();
      return;
  }
});

renderHistory();
renderDetail();
post({ type: 'ready' });
