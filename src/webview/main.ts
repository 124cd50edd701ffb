/**
 * The invocation panel: a history of events, one entry per story (an event and every record its life produced),
 * and the selected record in full. Renders only what the extension sends (the engine's records) and only as text.
 * The reader's view (selection, filters, open sections, scroll) survives the page being hidden, reloaded, or the
 * panel being closed: it lives in the webview state and is echoed to the extension.
 */
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { groupStories, newestFirst, storyIdOf, storyOf, type InvocationStory } from '../core/invoke/invocationStory';
import { displayText } from '../shared/displayText';
import { parseToPanel, type FromPanel, type PanelViewState } from '../shared/panelProtocol';
import { clear, h } from './dom';
import { callbackAnswered, type ExecutionEntry } from './durableExecution';
import { clockTime, matchesFilter } from './format';
import { renderRecordDetail, statusIcon, type DetailContext } from './recordDetail';
import type { FramePaths } from './stackFrames';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): PanelViewState | undefined;
  setState(state: PanelViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const own = vscode.getState();
const state: PanelViewState = {
  filter: '',
  logSearch: '',
  sections: {},
  historyScroll: 0,
  detailScroll: 0,
  ...own,
};
/** True until the first history arrives: then the remembered scroll positions are put back. */
let restoring = true;
let records: InvocationRecord[] = [];
/** Stories by id, and the id of the story each record belongs to. */
const stories = new Map<string, InvocationStory>();
let executionDisabled: string | undefined;
let paths: FramePaths = { workspace: [], runner: [] };
/** DURABLE-13: the durable executions the panel was sent, by ARN, and the one whose changes it follows. */
const executions = new Map<string, NonNullable<ExecutionEntry>>();
let watchedExecution: string | undefined;

/** What the panel knows of an execution; asks the extension for it (and to follow it) when it is another one. */
function executionEntry(arn: string): ExecutionEntry {
  if (watchedExecution !== arn || !executions.has(arn)) {
    watchedExecution = arn;
    post({ type: 'execution', arn });
  }
  return executions.get(arn);
}

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

let echoTimer: ReturnType<typeof setTimeout> | undefined;
/** Keeps the view state in the webview at once, and tells the extension shortly after (scrolling is chatty). */
function persist(): void {
  state.savedAt = Date.now();
  vscode.setState(state);
  if (echoTimer === undefined)
    echoTimer = setTimeout(() => {
      echoTimer = undefined;
      post({ type: 'viewState', state: { ...state } });
    }, 250);
}

function post(message: FromPanel): void {
  vscode.postMessage(message);
}

function recordMatches(r: InvocationRecord): boolean {
  return matchesFilter(
    state.filter,
    r.functionName,
    r.status,
    r.mode,
    r.condition,
    r.source?.type,
    r.id,
    ...r.attempts.map((a) => a.requestId),
  );
}

const storyMatches = (story: InvocationStory): boolean => !state.filter.trim() || story.records.some(recordMatches);

/** Newest story first (by its latest record); kept until a story changes. */
let ordered: InvocationStory[] | undefined;
function orderedStories(): InvocationStory[] {
  return (ordered ??= [...stories.values()].sort(newestFirst));
}

function selectedStoryId(): string | undefined {
  const record = records.find((r) => r.id === state.selectedId);
  return record ? storyIdOf(record) : undefined;
}

/** The history items by story id, so selection and live updates touch only the items that change. */
const itemsById = new Map<string, HTMLElement>();

function functionNames(story: InvocationStory): string {
  const names: string[] = [];
  for (const r of story.records) if (!names.includes(r.functionName)) names.push(r.functionName);
  return names.join(' → ');
}

function storyMeta(story: InvocationStory): string {
  const [first] = story.records;
  const last = story.records[story.records.length - 1];
  if (story.records.length === 1) {
    const n = first.attempts.length;
    return `${n} attempt${n === 1 ? '' : 's'}${first.condition ? ` · ${first.condition}` : ''}`;
  }
  const failed = story.failures ? ` · ${story.failures} failed` : '';
  return `${story.records.length} records${failed} · ${last.condition ?? last.status}`;
}

function historyItem(story: InvocationStory): HTMLElement {
  const selected = story.records.some((r) => r.id === state.selectedId);
  const [first] = story.records;
  const last = story.records[story.records.length - 1];
  const names = functionNames(story);
  const failuresBefore = story.status === 'succeeded' ? story.failures : 0;
  return h(
    'li',
    {
      class: `history-item status-${story.status}${failuresBefore ? ' after-failures' : ''}`,
      role: 'option',
      'aria-selected': selected ? 'true' : 'false',
      'data-id': story.id,
      tabindex: -1,
    },
    statusIcon(story.status, failuresBefore),
    h('span', { class: 'fn', title: names }, names),
    h('span', { class: 'badge' }, first.mode),
    h('span', { class: 'when' }, clockTime(last.start.wall)),
    h('span', { class: 'meta' }, storyMeta(story)),
  );
}

function renderCount(shown: number): void {
  const total = stories.size;
  const noun = total === 1 ? 'event' : 'events';
  historyCount.textContent = shown === total ? `${total} ${noun}` : `${shown} of ${total} ${noun}`;
  historyCount.title = `${records.length} invocation record${records.length === 1 ? '' : 's'}`;
}

function renderHistory(): void {
  clear(historyList);
  itemsById.clear();
  const shown = orderedStories().filter(storyMatches);
  renderCount(shown.length);
  const fragment = document.createDocumentFragment();
  for (const story of shown) {
    const item = historyItem(story);
    itemsById.set(story.id, item);
    fragment.appendChild(item);
  }
  historyList.appendChild(fragment);
}

/** A record was added or changed: re-form its story and replace (or insert) that story's item only. */
function updateStory(record: InvocationRecord, isNew: boolean): void {
  const id = storyIdOf(record);
  const story = storyOf(
    id,
    records.filter((r) => storyIdOf(r) === id),
  );
  stories.set(id, story);
  ordered = undefined;
  const old = itemsById.get(id);
  if (!storyMatches(story)) {
    old?.remove();
    itemsById.delete(id);
  } else {
    const item = historyItem(story);
    itemsById.set(id, item);
    if (old && !isNew) old.replaceWith(item);
    else {
      // A new story, or a new record of an old one: the story has news, so it moves to the top.
      old?.remove();
      historyList.insertBefore(item, historyList.firstChild);
    }
  }
  renderCount(historyList.childElementCount);
}

const detailContext: DetailContext = {
  post,
  get executionDisabled() {
    return executionDisabled;
  },
  get paths() {
    return paths;
  },
  state,
  persist,
  select: (id) => select(id),
  execution: executionEntry,
};

/**
 * Redraws the detail (live progress, a banner) where the reader is: the same scroll position, and the field they
 * were typing in (a callback's result) keeps the focus and the selection.
 */
function redrawDetail(): void {
  const scroll = detail.scrollTop;
  const active = document.activeElement;
  const focusKey = active instanceof HTMLElement && detail.contains(active) ? active.dataset.focusKey : undefined;
  const selection =
    active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement
      ? { start: active.selectionStart, end: active.selectionEnd }
      : undefined;
  renderDetail();
  detail.scrollTop = scroll;
  if (!focusKey) return;
  const again = Array.from(detail.querySelectorAll<HTMLElement>('[data-focus-key]')).find(
    (e) => e.dataset.focusKey === focusKey,
  );
  if (!again) return;
  again.focus({ preventScroll: true });
  if (selection && (again instanceof HTMLTextAreaElement || again instanceof HTMLInputElement))
    again.setSelectionRange(selection.start, selection.end);
}

function renderDetail(): void {
  clear(detail);
  const record = records.find((r) => r.id === state.selectedId);
  const story = record ? stories.get(storyIdOf(record)) : undefined;
  if (!record || !story) {
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
  detail.append(...renderRecordDetail(record, story, detailContext));
}

/** Shows a record: its story's item is selected (and scrolled to, unless clicked), the detail starts at its top. */
function select(id: string | undefined, focus = false, reveal = true): void {
  const before = selectedStoryId();
  state.selectedId = id;
  const after = selectedStoryId();
  if (before !== after) {
    if (before) itemsById.get(before)?.setAttribute('aria-selected', 'false');
    if (after) itemsById.get(after)?.setAttribute('aria-selected', 'true');
  }
  // Back to the top before the new content goes in (no forced layout of the new content).
  detail.scrollTop = 0;
  renderDetail();
  state.detailScroll = 0;
  persist();
  const item = after ? itemsById.get(after) : undefined;
  if (focus) item?.focus();
  else if (reveal) item?.scrollIntoView({ block: 'nearest' });
}

/** The record a story shows when picked from the list: its latest. */
const latestOf = (story: InvocationStory): string => story.records[story.records.length - 1].id;

historyList.addEventListener('click', (e) => {
  const item = (e.target as HTMLElement).closest<HTMLElement>('.history-item');
  const story = item?.dataset.id ? stories.get(item.dataset.id) : undefined;
  if (story && selectedStoryId() !== story.id) select(latestOf(story), false, false);
});

historyList.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
  e.preventDefault();
  const shown = orderedStories().filter(storyMatches);
  if (shown.length === 0) return;
  const current = selectedStoryId();
  const index = shown.findIndex((s) => s.id === current);
  const next =
    e.key === 'Home'
      ? 0
      : e.key === 'End'
        ? shown.length - 1
        : Math.max(0, Math.min(shown.length - 1, index + (e.key === 'ArrowDown' ? 1 : -1)));
  select(latestOf(shown[next]), true);
});

filterInput.addEventListener('input', () => {
  state.filter = filterInput.value;
  persist();
  renderHistory();
});

let scrollFrame = 0;
function rememberScroll(): void {
  if (restoring || scrollFrame) return;
  scrollFrame = requestAnimationFrame(() => {
    scrollFrame = 0;
    state.historyScroll = historyList.scrollTop;
    state.detailScroll = detail.scrollTop;
    persist();
  });
}
historyList.addEventListener('scroll', rememberScroll, { passive: true });
detail.addEventListener('scroll', rememberScroll, { passive: true });

/** Adds or replaces a record; true when it is new. */
function upsert(record: InvocationRecord): boolean {
  const index = records.findIndex((r) => r.id === record.id);
  if (index >= 0) records[index] = record;
  else records.unshift(record);
  return index < 0;
}

/** A whole history: from the extension on every "ready" (the page is new: shown again, reloaded, reopened). */
function receiveHistory(message: Extract<ReturnType<typeof parseToPanel>, { type: 'history' }>): void {
  records = message.records;
  if (message.paths) paths = message.paths;
  // The executions are asked for again as they are shown (an account re-opened: they may have changed).
  executions.clear();
  watchedExecution = undefined;
  // A new page (a reopened panel) takes what the extension remembers; a restored one (shown again, a window reload)
  // has its own state too, and the newer of the two wins: the workbench saves a page's state lazily, so after a
  // reload it can be older than what the page last told the extension.
  if (restoring && message.viewState && (message.viewState.savedAt ?? 0) > (own ? (own.savedAt ?? 0) : -1)) {
    Object.assign(state, message.viewState);
    filterInput.value = state.filter;
  }
  if (message.selectedId) state.selectedId = message.selectedId;
  // An empty history is one whose accounts have not opened yet (a panel restored after a reload): the selection
  // and scroll positions wait for the history that follows.
  const arrived = records.length > 0;
  if (arrived && !records.some((r) => r.id === state.selectedId)) state.selectedId = records[0]?.id;
  const kept = { history: historyList.scrollTop, detail: detail.scrollTop };
  stories.clear();
  // groupStories gives them newest first already.
  ordered = groupStories(records);
  for (const story of ordered) stories.set(story.id, story);
  renderHistory();
  renderDetail();
  if (message.selectedId) {
    // A record the extension asked to show starts at its top.
    detail.scrollTop = 0;
    state.detailScroll = 0;
  } else if (restoring) {
    historyList.scrollTop = state.historyScroll;
    detail.scrollTop = state.detailScroll;
  } else {
    // The same page got the history again (another account opened): the reader stays where they were.
    historyList.scrollTop = kept.history;
    detail.scrollTop = kept.detail;
  }
  if (!arrived) return;
  restoring = false;
  persist();
}

/** What the panel could not use: in the webview's developer tools, never in the reader's way. */
function warn(problem: string): void {
  console.warn(`Lambda Trigger Runner panel: ${problem}`);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = parseToPanel(event.data, warn);
  if (!message) return;
  try {
    receive(message);
  } catch (e) {
    // parseToPanel checked every field a renderer reads; should one still fail, the panel stays usable.
    warn(`could not show a ${message.type} message: ${e instanceof Error ? e.message : String(e)}`);
  }
});

function receive(message: NonNullable<ReturnType<typeof parseToPanel>>): void {
  switch (message.type) {
    case 'history':
      receiveHistory(message);
      return;
    case 'record': {
      // An execution that is not followed may have changed with this record: asked again when shown.
      const arn = message.record.execution?.arn;
      if (arn && arn !== watchedExecution) executions.delete(arn);
      const isNew = upsert(message.record);
      updateStory(message.record, isNew);
      if (message.select) select(message.record.id);
      // Live progress of the story on screen.
      else if (storyIdOf(message.record) === selectedStoryId()) redrawDetail();
      return;
    }
    case 'execution': {
      executions.set(message.arn, message.view ? { view: message.view } : { problem: message.problem ?? 'not found' });
      const shown = records.find((r) => r.id === state.selectedId);
      if (shown?.execution?.arn === message.arn) redrawDetail();
      return;
    }
    case 'callbackResult':
      callbackAnswered(message.callbackId, message.problem);
      redrawDetail();
      return;
    case 'executionDisabled':
      executionDisabled = message.reason;
      banner.textContent = displayText(message.reason);
      banner.hidden = false;
      redrawDetail();
      return;
  }
}

renderHistory();
renderDetail();
post({ type: 'ready' });
