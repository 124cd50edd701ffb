/**
 * A durable execution in the panel (DURABLE-13): its state, the tree of its operations (steps with their attempts,
 * waits with their due time, callbacks with their id, child contexts, parallel and map branches, chained invokes)
 * with payloads and errors, the handler invocations (replays included) and the history events. A pending callback
 * can be completed here: a JSON editor with Succeed, Fail and Heartbeat. Everything is rendered as text (dom.ts).
 */
import type { ExecutionView, HistoryEventView, OperationView, ViewText } from '../core/invoke/durable/executionView';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import type { CallbackOutcome, FromPanel } from '../shared/panelProtocol';
import { field, h, icon } from './dom';
import { awsTime, formatDelay, jsonProblem, prettyBody } from './format';

export interface ExecutionContext {
  post(message: FromPanel): void;
  /** Why buttons that run handlers are disabled (an untrusted workspace), if they are. */
  executionDisabled: string | undefined;
  /** Selects a record of the execution (one of its invocations). */
  select(recordId: string): void;
}

/** What the panel knows of an execution: its view, why there is none, or nothing yet (asked for). */
export type ExecutionEntry = { view: ExecutionView } | { problem: string } | undefined;

const SUBTYPE_LABELS: Record<string, string> = {
  Step: 'Step',
  WaitForCondition: 'Wait for condition',
  Wait: 'Wait',
  Callback: 'Callback',
  WaitForCallback: 'Wait for callback',
  RunInChildContext: 'Child context',
  Parallel: 'Parallel',
  ParallelBranch: 'Branch',
  Map: 'Map',
  MapIteration: 'Item',
  ChainedInvoke: 'Invoke',
};

const TYPE_LABELS: Record<string, string> = {
  STEP: 'Step',
  WAIT: 'Wait',
  CALLBACK: 'Callback',
  CONTEXT: 'Context',
  CHAINED_INVOKE: 'Invoke',
  EXECUTION: 'Execution',
};

export function operationLabel(op: Pick<OperationView, 'type' | 'subType'>): string {
  return (op.subType && SUBTYPE_LABELS[op.subType]) || TYPE_LABELS[op.type] || op.type;
}

function statusCodicon(status: string): string {
  switch (status) {
    case 'SUCCEEDED':
      return 'pass';
    case 'FAILED':
    case 'TIMED_OUT':
      return 'error';
    case 'STOPPED':
    case 'CANCELLED':
      return 'circle-slash';
    case 'PENDING':
    case 'READY':
      return 'clock';
    default:
      return 'loading';
  }
}

/** What the operation is waiting for or did, in a few words (`retry 2 at ...`, `until ...`, `→ Charge`). */
export function operationMeta(op: OperationView, execution: Pick<ExecutionView, 'status'>): string[] {
  const meta: string[] = [];
  const running = execution.status === 'RUNNING';
  switch (op.type) {
    case 'STEP':
      if (op.attempt !== undefined && op.attempt > 0)
        meta.push(`${op.attempt} attempt${op.attempt === 1 ? '' : 's'} ended`);
      if (op.status === 'PENDING' && op.nextAttemptMs !== undefined && running)
        meta.push(`next attempt at ${awsTime(op.nextAttemptMs)}`);
      break;
    case 'WAIT':
      if (op.scheduledEndMs !== undefined) {
        const span = formatDelay(Math.max(0, op.scheduledEndMs - op.startMs));
        meta.push(`${op.status === 'STARTED' ? 'until' : 'was due'} ${awsTime(op.scheduledEndMs)} (${span})`);
      }
      break;
    case 'CALLBACK':
      if (op.status === 'STARTED' && running) {
        if (op.callbackTimeoutMs !== undefined) meta.push(`times out at ${awsTime(op.callbackTimeoutMs)}`);
        if (op.heartbeatDueMs !== undefined) meta.push(`heartbeat due by ${awsTime(op.heartbeatDueMs)}`);
      }
      break;
    case 'CHAINED_INVOKE':
      if (op.functionName) meta.push(`→ ${op.functionName}`);
      break;
  }
  if (op.endMs !== undefined && op.type !== 'WAIT') meta.push(`took ${formatDelay(op.endMs - op.startMs)}`);
  return meta;
}

function textBlock(label: string, value: ViewText, className = 'json'): HTMLElement {
  return h(
    'div',
    { class: 'op-payload' },
    h('div', { class: 'label' }, label),
    value.fullLength !== undefined
      ? h('div', { class: 'muted' }, `${value.fullLength} characters, the first ${value.text.length} shown`)
      : null,
    h('pre', { class: className }, value.fullLength === undefined ? prettyBody(value.text) : value.text),
  );
}

function errorBlock(error: NonNullable<OperationView['error']>): HTMLElement {
  return h(
    'div',
    { class: 'op-payload' },
    h(
      'div',
      { class: 'error-message' },
      [error.ErrorType, error.ErrorMessage].filter(Boolean).join(': ') || 'an error without a message',
    ),
    error.ErrorData ? h('pre', { class: 'json' }, prettyBody(error.ErrorData)) : null,
    error.StackTrace?.length ? h('pre', { class: 'stack' }, error.StackTrace.join('\n')) : null,
  );
}

/** A callback being answered in the panel: the editor's content survives redraws (live progress). */
interface CallbackDraft {
  open: boolean;
  result: string;
  errorType: string;
  errorMessage: string;
  /** What was sent (Succeed, Fail, Heartbeat) and not answered yet. */
  sent?: string;
  /** What the last answer said: accepted, or why it was refused. */
  answer?: string;
}

/** The extension's answer to a callback the panel sent: it was accepted, or refused with `problem`. */
export function callbackAnswered(callbackId: string, problem: string | undefined): void {
  const draft = drafts.get(callbackId);
  if (!draft) return;
  draft.answer = problem ? `${draft.sent ?? 'Sending'} was refused: ${problem}` : `${draft.sent ?? 'Sent'}: accepted`;
  delete draft.sent;
}
const drafts = new Map<string, CallbackDraft>();

function draftOf(callbackId: string): CallbackDraft {
  let draft = drafts.get(callbackId);
  if (!draft) {
    draft = { open: false, result: '{\n  \n}', errorType: '', errorMessage: '' };
    drafts.set(callbackId, draft);
  }
  return draft;
}

function callbackForm(view: ExecutionView, op: OperationView, ctx: ExecutionContext): HTMLElement {
  const callbackId = op.callbackId!;
  const draft = draftOf(callbackId);
  const disabled = ctx.executionDisabled;
  const send = (outcome: CallbackOutcome, what: string): void => {
    draft.sent = what;
    delete draft.answer;
    ctx.post({ type: 'callback', arn: view.arn, callbackId, outcome });
    status.textContent = `${what}: sending…`;
  };
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'action callback-toggle',
      'aria-expanded': draft.open ? 'true' : 'false',
      title: disabled ?? 'Complete this callback with a result or an error, or send a heartbeat',
      disabled: disabled !== undefined,
    },
    icon('reply'),
    h('span', {}, 'Complete callback…'),
  );
  const textarea = h(
    'textarea',
    {
      class: 'callback-result',
      rows: 5,
      spellcheck: 'false',
      'aria-label': 'Callback result (JSON)',
      'data-focus-key': `callback-result ${callbackId}`,
    },
    draft.result,
  );
  const problem = h('div', { class: 'callback-problem', role: 'alert' });
  const succeed = h(
    'button',
    { type: 'button', class: 'action primary callback-succeed' },
    icon('pass'),
    h('span', {}, 'Succeed'),
  );
  const errorType = h('input', {
    type: 'text',
    class: 'callback-error-type',
    placeholder: 'Error type (e.g. Rejected)',
    'aria-label': 'Error type',
    value: draft.errorType,
    'data-focus-key': `callback-error-type ${callbackId}`,
  });
  const errorMessage = h('input', {
    type: 'text',
    class: 'callback-error-message',
    placeholder: 'Error message',
    'aria-label': 'Error message',
    value: draft.errorMessage,
    'data-focus-key': `callback-error-message ${callbackId}`,
  });
  const fail = h('button', { type: 'button', class: 'action callback-fail' }, icon('error'), h('span', {}, 'Fail'));
  const heartbeat = h(
    'button',
    { type: 'button', class: 'action callback-heartbeat', title: 'Tell the execution the callback is still alive' },
    icon('pulse'),
    h('span', {}, 'Heartbeat'),
  );
  const status = h(
    'div',
    { class: 'callback-status', role: 'status' },
    draft.sent ? `${draft.sent}: sending…` : (draft.answer ?? ''),
  );
  const check = (): void => {
    const found = jsonProblem(draft.result);
    problem.textContent = found ? `Not JSON: ${found}` : '';
    succeed.toggleAttribute('disabled', found !== undefined);
  };
  textarea.addEventListener('input', () => {
    draft.result = textarea.value;
    check();
  });
  errorType.addEventListener('input', () => (draft.errorType = errorType.value));
  errorMessage.addEventListener('input', () => (draft.errorMessage = errorMessage.value));
  succeed.addEventListener('click', () => {
    if (jsonProblem(draft.result) === undefined) send({ action: 'succeed', result: draft.result }, 'Succeed');
  });
  fail.addEventListener('click', () =>
    send(
      {
        action: 'fail',
        error: {
          ...(draft.errorType.trim() ? { ErrorType: draft.errorType.trim() } : {}),
          ...(draft.errorMessage.trim() ? { ErrorMessage: draft.errorMessage.trim() } : {}),
        },
      },
      'Fail',
    ),
  );
  heartbeat.addEventListener('click', () => send({ action: 'heartbeat' }, 'Heartbeat'));
  const form = h(
    'div',
    { class: 'callback-form', hidden: !draft.open },
    h('label', { class: 'label' }, 'Result (JSON)'),
    textarea,
    problem,
    h('div', { class: 'callback-buttons' }, succeed, heartbeat),
    h('label', { class: 'label' }, 'Or fail it with an error'),
    h('div', { class: 'callback-error' }, errorType, errorMessage),
    h('div', { class: 'callback-buttons' }, fail),
    status,
  );
  toggle.addEventListener('click', () => {
    draft.open = !draft.open;
    form.hidden = !draft.open;
    toggle.setAttribute('aria-expanded', draft.open ? 'true' : 'false');
    if (draft.open) textarea.focus();
  });
  check();
  return h('div', { class: 'callback' }, toggle, form);
}

function operationItem(
  view: ExecutionView,
  op: OperationView,
  children: Map<string, OperationView[]>,
  ctx: ExecutionContext,
): HTMLElement {
  const meta = operationMeta(op, view);
  const pending = op.type === 'CALLBACK' && op.status === 'STARTED' && view.status === 'RUNNING';
  const kids = children.get(op.id) ?? [];
  const payloads = [
    op.callbackId
      ? h(
          'div',
          { class: 'callback-id' },
          h('span', { class: 'label' }, 'callback id'),
          h('code', { class: 'selectable', title: 'Select to copy' }, op.callbackId),
        )
      : null,
    op.result ? textBlock(op.type === 'CALLBACK' ? 'Callback result' : 'Result', op.result) : null,
    op.error ? errorBlock(op.error) : null,
    pending && op.callbackId ? callbackForm(view, op, ctx) : null,
  ].filter((x): x is HTMLElement => x !== null);
  return h(
    'li',
    { class: `op op-${op.type.toLowerCase()} op-status-${op.status.toLowerCase()}`, 'data-op-id': op.id },
    h(
      'div',
      { class: 'op-head' },
      icon(statusCodicon(op.status), op.status),
      h('span', { class: 'op-kind' }, operationLabel(op)),
      h('span', { class: 'op-name truncate', title: op.name ?? op.id }, op.name ?? ''),
      h('span', { class: 'op-status' }, op.status),
    ),
    meta.length > 0 ? h('div', { class: 'op-meta' }, meta.join(' · ')) : null,
    ...payloads,
    kids.length > 0 ? operationList(view, kids, children, ctx) : null,
  );
}

function operationList(
  view: ExecutionView,
  ops: OperationView[],
  children: Map<string, OperationView[]>,
  ctx: ExecutionContext,
): HTMLElement {
  return h(
    'ol',
    { class: 'op-tree' },
    ops.map((op) => operationItem(view, op, children, ctx)),
  );
}

/** The operations under their parents, in creation order; the EXECUTION operation is the execution itself. */
export function operationTree(view: Pick<ExecutionView, 'operations'>): {
  roots: OperationView[];
  children: Map<string, OperationView[]>;
} {
  const ids = new Set(view.operations.map((op) => op.id));
  const children = new Map<string, OperationView[]>();
  const roots: OperationView[] = [];
  for (const op of view.operations) {
    if (op.type === 'EXECUTION') continue;
    if (op.parentId !== undefined && ids.has(op.parentId)) {
      const list = children.get(op.parentId) ?? [];
      list.push(op);
      children.set(op.parentId, list);
    } else roots.push(op);
  }
  const executionOp = view.operations.find((op) => op.type === 'EXECUTION');
  if (executionOp) roots.push(...(children.get(executionOp.id) ?? []));
  return { roots, children };
}

function historyList(shown: HistoryEventView[], total: number): HTMLElement {
  return h(
    'div',
    {},
    total > shown.length
      ? h(
          'div',
          { class: 'muted' },
          `The latest ${shown.length} of ${total} events (\`lambda-trigger executions history\` lists them all).`,
        )
      : null,
    h(
      'ol',
      { class: 'execution-history' },
      shown.map((e) =>
        h(
          'li',
          {},
          h(
            'details',
            {},
            h(
              'summary',
              {},
              h('span', { class: 'event-id' }, `#${e.eventId}`),
              h('span', { class: 'when' }, awsTime(e.timeMs)),
              h('span', { class: 'event-type' }, e.type),
              e.name ? h('span', { class: 'op-name' }, e.name) : null,
            ),
            textBlock('Details', e.details),
          ),
        ),
      ),
    ),
  );
}

function invocationLinks(view: ExecutionView, record: InvocationRecord, ctx: ExecutionContext): HTMLElement {
  return h(
    'div',
    { class: 'execution-invocations' },
    h('span', { class: 'label' }, 'Handler invocations'),
    view.recordIds.map((id, i) => {
      const current = id === record.id;
      const button = h(
        'button',
        {
          type: 'button',
          class: 'link-button invocation-link',
          'aria-current': current ? 'true' : undefined,
          title: i === 0 ? 'The first invocation' : 'A replay: the handler runs again from the start',
        },
        `${i + 1}${i === 0 ? '' : ' (replay)'}`,
      );
      button.addEventListener('click', () => ctx.select(id));
      return button;
    }),
    view.invoking ? h('span', { class: 'muted' }, ' · one running') : null,
  );
}

/** The execution section's body for a record of a durable execution. */
export function renderExecution(record: InvocationRecord, entry: ExecutionEntry, ctx: ExecutionContext): HTMLElement {
  const summary = record.execution!;
  if (!entry) return h('div', { class: 'muted execution-loading' }, `Loading execution ${summary.name}…`);
  if ('problem' in entry) return h('div', { class: 'muted' }, entry.problem);
  const { view } = entry;
  const { roots, children } = operationTree(view);
  const fields = h(
    'div',
    { class: 'fields' },
    field('execution', view.name),
    field('status', view.status),
    field('started (AWS time)', awsTime(view.startMs)),
    view.endMs !== undefined ? field('ended (AWS time)', awsTime(view.endMs)) : null,
    view.endMs !== undefined ? field('simulated span', formatDelay(view.endMs - view.startMs)) : null,
    field('this record', summary.invocation === 1 ? 'invocation 1' : `invocation ${summary.invocation} (replay)`),
  );
  return h(
    'div',
    { class: 'execution', 'data-execution-arn': view.arn },
    fields,
    h('div', { class: 'execution-arn selectable' }, view.arn),
    invocationLinks(view, record, ctx),
    roots.length > 0 ? operationList(view, roots, children, ctx) : h('div', { class: 'muted' }, 'No operations yet.'),
    view.result ? textBlock('Execution result', view.result) : null,
    view.error ? errorBlock(view.error) : null,
    h('details', { class: 'execution-input' }, h('summary', {}, 'Input'), textBlock('Input payload', view.input)),
    h(
      'details',
      { class: 'execution-events' },
      h('summary', {}, `History (${view.historyTotal} events)`),
      historyList(view.history, view.historyTotal),
    ),
  );
}
