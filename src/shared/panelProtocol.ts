/**
 * Messages between the invocation panel (webview, src/webview) and the extension (src/extension/invocationPanel.ts).
 * Every message a side receives is validated with the guards below before use (the webview is untrusted input).
 */
import type { ExecutionView } from '../core/invoke/durable/executionView';
import type { InvocationRecord } from '../core/invoke/invocationRecord';
import { executionViewProblem, recordProblem } from './recordShape';

/**
 * What the reader had on screen: the selected record, the filters, the sections opened or closed and the scroll
 * positions. The webview keeps it in its own state and sends it to the extension, which hands it back when the
 * panel is closed and opened again, or the window reloads.
 */
export interface PanelViewState {
  selectedId?: string;
  filter: string;
  logSearch: string;
  /** Sections by key (`attempts`, `logs`, `event` ...): true when open. Only the ones the reader toggled. */
  sections: Record<string, boolean>;
  historyScroll: number;
  detailScroll: number;
  /**
   * When the reader last changed it (ms since the epoch). After a window reload the page's own state and the one
   * the extension kept can differ (the workbench saves webview state lazily); the newer one wins.
   */
  savedAt?: number;
}

/** Paths the panel judges stack frames by: workspace files are links, the runner's own frames fold away. */
export interface PanelPaths {
  workspace: string[];
  runner: string[];
}

/** extension -> webview */
export type ToPanel =
  /**
   * The full history (newest first), sent on every "ready" handshake: the record to select when the extension
   * asks for one, the view state it remembers (used when the webview has none of its own), and the frame paths.
   */
  | {
      type: 'history';
      records: InvocationRecord[];
      selectedId?: string;
      viewState?: PanelViewState;
      paths?: PanelPaths;
    }
  /** One record was added or changed (live progress of retries, batches, deliveries). */
  | { type: 'record'; record: InvocationRecord; select: boolean }
  /** Execution is not available (untrusted workspace), with the reason to show. */
  | { type: 'executionDisabled'; reason: string }
  /**
   * A durable execution as it is now: the answer to the panel's request, and again whenever one of its records
   * changes while the panel shows it. `problem` says why there is no view (its folder's account is closed...).
   */
  | { type: 'execution'; arn: string; view?: ExecutionView; problem?: string }
  /** What became of a callback the panel completed: `problem` says why the service refused it. */
  | { type: 'callbackResult'; callbackId: string; problem?: string };

/** What a pending callback gets from the panel: a result (JSON text), an error, or a heartbeat. */
export type CallbackOutcome =
  | { action: 'succeed'; result: string }
  | { action: 'fail'; error: { ErrorType?: string; ErrorMessage?: string; ErrorData?: string } }
  | { action: 'heartbeat' };

export type RecordAction = 'rerun' | 'replay' | 'saveEvent' | 'copy' | 'export';

/** webview -> extension */
export type FromPanel =
  | { type: 'ready' }
  | { type: 'action'; action: RecordAction; recordId: string }
  | { type: 'openSource'; file: string; line: number; column: number }
  | { type: 'viewState'; state: PanelViewState }
  /** Asks for a durable execution's view (its operations and history). */
  | { type: 'execution'; arn: string }
  /** Completes (or heartbeats) a pending callback of a durable execution. */
  | { type: 'callback'; arn: string; callbackId: string; outcome: CallbackOutcome };

const actions: readonly RecordAction[] = ['rerun', 'replay', 'saveEvent', 'copy', 'export'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isShortString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096;
const isPosition = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 10_000_000;

/** Returns the message when it is a well-formed FromPanel, otherwise undefined. */
export function parseFromPanel(message: unknown): FromPanel | undefined {
  if (!isObject(message)) return undefined;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'action':
      return actions.includes(message.action as RecordAction) && isShortString(message.recordId)
        ? { type: 'action', action: message.action as RecordAction, recordId: message.recordId }
        : undefined;
    case 'openSource':
      return isShortString(message.file) && isPosition(message.line) && isPosition(message.column)
        ? { type: 'openSource', file: message.file, line: message.line, column: message.column }
        : undefined;
    case 'viewState': {
      const state = parseViewState(message.state);
      return state ? { type: 'viewState', state } : undefined;
    }
    case 'execution':
      return isShortString(message.arn) ? { type: 'execution', arn: message.arn } : undefined;
    case 'callback': {
      const outcome = parseCallbackOutcome(message.outcome);
      return isShortString(message.arn) && isShortString(message.callbackId) && outcome
        ? { type: 'callback', arn: message.arn, callbackId: message.callbackId, outcome }
        : undefined;
    }
    default:
      return undefined;
  }
}

/** The largest callback result the panel sends: the service's own limit for a callback's result. */
export const CALLBACK_RESULT_LIMIT = 256 * 1024;

const isOptionalText = (v: unknown, limit: number): boolean =>
  v === undefined || (typeof v === 'string' && v.length <= limit);

function parseCallbackOutcome(value: unknown): CallbackOutcome | undefined {
  if (!isObject(value)) return undefined;
  switch (value.action) {
    case 'succeed':
      return typeof value.result === 'string' && value.result.length <= CALLBACK_RESULT_LIMIT
        ? { action: 'succeed', result: value.result }
        : undefined;
    case 'fail': {
      const error = value.error;
      if (!isObject(error)) return undefined;
      const { ErrorType, ErrorMessage, ErrorData } = error;
      if (!isOptionalText(ErrorType, 4096) || !isOptionalText(ErrorMessage, 32_768)) return undefined;
      if (!isOptionalText(ErrorData, CALLBACK_RESULT_LIMIT)) return undefined;
      return {
        action: 'fail',
        error: {
          ...(ErrorType !== undefined ? { ErrorType: ErrorType as string } : {}),
          ...(ErrorMessage !== undefined ? { ErrorMessage: ErrorMessage as string } : {}),
          ...(ErrorData !== undefined ? { ErrorData: ErrorData as string } : {}),
        },
      };
    }
    case 'heartbeat':
      return { action: 'heartbeat' };
    default:
      return undefined;
  }
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= 1000;
const isScroll = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e9;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 1e14;

/** A well-formed view state (from the webview, or as the extension stored it), else undefined. */
export function parseViewState(value: unknown): PanelViewState | undefined {
  if (!isObject(value)) return undefined;
  const { selectedId, filter, logSearch, sections, historyScroll, detailScroll, savedAt } = value;
  if (selectedId !== undefined && !isShortString(selectedId)) return undefined;
  if (savedAt !== undefined && !isTime(savedAt)) return undefined;
  if (!isText(filter) || !isText(logSearch) || !isScroll(historyScroll) || !isScroll(detailScroll)) return undefined;
  if (!isObject(sections)) return undefined;
  const entries = Object.entries(sections);
  if (entries.length > 50 || !entries.every(([k, v]) => k.length <= 64 && typeof v === 'boolean')) return undefined;
  return {
    ...(selectedId !== undefined ? { selectedId } : {}),
    filter,
    logSearch,
    sections: Object.fromEntries(entries) as Record<string, boolean>,
    historyScroll,
    detailScroll,
    ...(savedAt !== undefined ? { savedAt } : {}),
  };
}

/**
 * Returns the message when it is a well-formed ToPanel (shape only: records are rendered as text). What it ignores it
 * tells `warn`: a malformed message, or a malformed record of a history (the others are still shown).
 */
export function parseToPanel(message: unknown, warn: (problem: string) => void = () => undefined): ToPanel | undefined {
  if (!isObject(message)) {
    warn('ignored a message that is not an object');
    return undefined;
  }
  switch (message.type) {
    case 'history': {
      if (!Array.isArray(message.records)) {
        warn('ignored a history without a list of records');
        return undefined;
      }
      const records = (message.records as unknown[]).filter((record, i): record is InvocationRecord => {
        const problem = recordProblem(record);
        if (problem) warn(`ignored record ${i} of the history (${recordLabel(record)}): ${problem}`);
        return !problem;
      });
      const viewState = message.viewState === undefined ? undefined : parseViewState(message.viewState);
      const paths = isPaths(message.paths) ? message.paths : undefined;
      return {
        type: 'history',
        records,
        ...(isShortString(message.selectedId) ? { selectedId: message.selectedId } : {}),
        ...(viewState ? { viewState } : {}),
        ...(paths ? { paths } : {}),
      };
    }
    case 'record': {
      const problem = recordProblem(message.record) ?? (typeof message.select === 'boolean' ? undefined : 'no select');
      if (problem) {
        warn(`ignored a record (${recordLabel(message.record)}): ${problem}`);
        return undefined;
      }
      return message as unknown as ToPanel;
    }
    case 'executionDisabled':
      if (typeof message.reason === 'string') return { type: 'executionDisabled', reason: message.reason };
      warn('ignored an executionDisabled message without a reason');
      return undefined;
    case 'execution': {
      const problem =
        typeof message.arn !== 'string'
          ? 'no arn'
          : message.view !== undefined
            ? executionViewProblem(message.view)
            : message.problem !== undefined && typeof message.problem !== 'string'
              ? 'problem is not a string'
              : undefined;
      if (problem) {
        warn(`ignored an execution: ${problem}`);
        return undefined;
      }
      return message as unknown as ToPanel;
    }
    case 'callbackResult':
      if (
        typeof message.callbackId === 'string' &&
        (message.problem === undefined || typeof message.problem === 'string')
      )
        return {
          type: 'callbackResult',
          callbackId: message.callbackId,
          ...(message.problem !== undefined ? { problem: message.problem } : {}),
        };
      warn('ignored a callbackResult without a callback id');
      return undefined;
    default:
      warn(`ignored a message of unknown type ${JSON.stringify(String(message.type)).slice(0, 80)}`);
      return undefined;
  }
}

/** Which record a warning is about, when it has an id. */
function recordLabel(record: unknown): string {
  const id = isObject(record) ? record.id : undefined;
  return typeof id === 'string' ? `id ${JSON.stringify(id.slice(0, 80))}` : 'no id';
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 100 && v.every(isShortString);

function isPaths(value: unknown): value is PanelPaths {
  return isObject(value) && isStringList(value.workspace) && isStringList(value.runner);
}

/** A stack frame that points into a source file: `at fn (/abs/file.ts:12:5)` or Python `File "/abs/x.py", line 3`. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

const nodeFrame = /(?:^|[\s(])((?:\/|[A-Za-z]:\\)[^():]+):(\d+):(\d+)\)?\s*$/;
const pythonFrame = /File "([^"]+)", line (\d+)/;

/** Finds the file location a stack-trace line names, for "open the source line" links (1-based line/column). */
export function sourceLocationOf(frame: string): SourceLocation | undefined {
  const node = nodeFrame.exec(frame);
  if (node) return { file: node[1], line: Number(node[2]), column: Number(node[3]) };
  const py = pythonFrame.exec(frame);
  if (py) return { file: py[1], line: Number(py[2]), column: 1 };
  return undefined;
}
