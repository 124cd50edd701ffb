/**
 * Stack frames as a reader needs them: the handler's own frames (files in the workspace) are links, the runner's
 * and Node's internal frames are folded away, anything else (a global package, a layer outside the workspace) is
 * plain text. Pure functions, unit-tested outside the webview.
 */
import { sourceLocationOf, type SourceLocation } from '../shared/panelProtocol';

export type FrameKind = 'workspace' | 'runner' | 'other';

export interface StackFrame {
  text: string;
  kind: FrameKind;
  /** Workspace frames: where the link opens. */
  location?: SourceLocation;
}

/** Where frames are judged from: the workspace folders and the runner's own install directories. */
export interface FramePaths {
  workspace: readonly string[];
  runner: readonly string[];
}

/** Node's own modules (`node:internal/...`, `node:events`) belong to the runtime, as the runner's frames do. */
const nodeInternal = /\((?:node:|internal\/)|^\s*at (?:node:|internal\/)/;

function within(file: string, roots: readonly string[]): boolean {
  const normal = file.replace(/\\/g, '/');
  return roots.some((root) => {
    const r = root.replace(/\\/g, '/').replace(/\/+$/, '');
    return r.length > 0 && (normal === r || normal.startsWith(`${r}/`));
  });
}

/** Classifies each line of a trace. Lines that name no file (the `Error: message` head) are `other`. */
export function classifyFrames(frames: readonly string[], paths: FramePaths): StackFrame[] {
  return frames.map((raw) => {
    const text = raw.replace(/\s+$/, '');
    const location = sourceLocationOf(text.split('\n')[0]);
    if (location) {
      if (within(location.file, paths.runner)) return { text, kind: 'runner' };
      if (within(location.file, paths.workspace)) return { text, kind: 'workspace', location };
      return { text, kind: 'other' };
    }
    return { text, kind: nodeInternal.test(text) ? 'runner' : 'other' };
  });
}

/** True when two errors read the same (a retry that failed the same way): type, message and frames. */
export function sameError(
  a: { errorType?: string; errorMessage?: string; trace?: string[]; stackTrace?: string[] } | undefined,
  b: { errorType?: string; errorMessage?: string; trace?: string[]; stackTrace?: string[] } | undefined,
): boolean {
  if (!a || !b) return false;
  const frames = (e: typeof a): string => JSON.stringify(e.trace ?? e.stackTrace ?? []);
  return a.errorType === b.errorType && a.errorMessage === b.errorMessage && frames(a) === frames(b);
}
