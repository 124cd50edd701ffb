/**
 * Saved events: shareable payloads per function in the workspace, like SAM's `events/` and the console's
 * shareable test events. Layout: `<workspace>/lambda-events/<FunctionName>/<event-name>.json`. Each file is the
 * payload plus a top-level `"$eventType": "<template id>"` marker (so the language server knows the schema);
 * the marker is stripped before invocation. Create, rename and "save as" never overwrite an existing file.
 */
import { linkSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventInputError, SavedEventError } from './eventErrors';
import { parseEventJson, readEventFile } from './eventJson';
import { isRecord } from './eventTemplate';
import { EVENT_TYPE_MARKER, stripEventTypeMarker } from './eventTypeDetection';

export const SAVED_EVENTS_DIR = 'lambda-events';

export interface SavedEvent {
  readonly functionName: string;
  readonly name: string;
  readonly file: string;
  /** The `$eventType` marker, when the file has one. */
  readonly eventType?: string;
  /** The payload the handler receives (marker stripped). */
  readonly payload: unknown;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,127}$/;

function checkName(kind: string, name: string): void {
  if (!SAFE_NAME.test(name) || name.includes('..') || name.endsWith('.'))
    throw new SavedEventError(
      `${kind} ${JSON.stringify(name)} is not allowed: use letters, digits, '.', '_', '-' or spaces, starting with a letter or digit`,
    );
}

export function savedEventFile(workspaceRoot: string, functionName: string, name: string): string {
  checkName('function name', functionName);
  checkName('event name', name);
  return join(workspaceRoot, SAVED_EVENTS_DIR, functionName, `${name}.json`);
}

function serialise(payload: unknown, eventType: string | undefined): string {
  const body = stripEventTypeMarker(payload);
  const doc = eventType !== undefined && isRecord(body) ? { [EVENT_TYPE_MARKER]: eventType, ...body } : body;
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function writeNew(file: string, text: string): void {
  try {
    writeFileSync(file, text, { flag: 'wx' }); // wx: fail if it exists, never overwrite
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new SavedEventError(`${file} already exists; choose another name`);
    throw new SavedEventError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/** Creates a saved event (from a rendered template or an invocation's payload); fails if the name is taken. */
export function createSavedEvent(
  workspaceRoot: string,
  functionName: string,
  name: string,
  payload: unknown,
  eventType?: string,
): SavedEvent {
  const file = savedEventFile(workspaceRoot, functionName, name);
  mkdirSync(join(workspaceRoot, SAVED_EVENTS_DIR, functionName), { recursive: true });
  writeNew(file, serialise(payload, eventType));
  return { functionName, name, file, payload: stripEventTypeMarker(payload), ...(eventType ? { eventType } : {}) };
}

/** "Save as" from an invocation: the same as create, named for the function the event was sent to. */
export const saveInvocationEventAs = createSavedEvent;

/** Reads and parses a saved event; a malformed file is a SavedEventError with line:column. */
export function readSavedEvent(workspaceRoot: string, functionName: string, name: string): SavedEvent {
  const file = savedEventFile(workspaceRoot, functionName, name);
  let text: string;
  try {
    text = readEventFile(file);
  } catch (e) {
    if (e instanceof EventInputError) throw new SavedEventError(e.message);
    throw new SavedEventError(
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? `no saved event '${name}' for ${functionName} (${file})`
        : `cannot read ${file}: ${(e as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = parseEventJson(text, file);
  } catch (e) {
    throw new SavedEventError((e as Error).message);
  }
  const marker = isRecord(doc) ? doc[EVENT_TYPE_MARKER] : undefined;
  if (marker !== undefined && typeof marker !== 'string')
    throw new SavedEventError(`${file}: "${EVENT_TYPE_MARKER}" must be a string (an event type id such as "s3:put")`);
  return { functionName, name, file, payload: stripEventTypeMarker(doc), ...(marker ? { eventType: marker } : {}) };
}

/** Replaces the payload of an existing saved event (an edit); the file must exist. */
export function updateSavedEvent(
  workspaceRoot: string,
  functionName: string,
  name: string,
  payload: unknown,
  eventType?: string,
): SavedEvent {
  const existing = readSavedEvent(workspaceRoot, functionName, name);
  const type = eventType ?? existing.eventType;
  writeFileSync(existing.file, serialise(payload, type));
  return { ...existing, payload: stripEventTypeMarker(payload), ...(type ? { eventType: type } : {}) };
}

/** Renames a saved event; fails (and changes nothing) when the new name is taken. */
export function renameSavedEvent(workspaceRoot: string, functionName: string, from: string, to: string): SavedEvent {
  const source = readSavedEvent(workspaceRoot, functionName, from);
  const target = savedEventFile(workspaceRoot, functionName, to);
  try {
    linkSync(source.file, target); // link fails with EEXIST: an atomic no-overwrite rename
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new SavedEventError(`cannot rename '${from}' to '${to}': ${target} already exists`);
    throw new SavedEventError(`cannot rename ${source.file} to ${target}: ${(e as Error).message}`);
  }
  unlinkSync(source.file);
  return { ...source, name: to, file: target };
}

export function deleteSavedEvent(workspaceRoot: string, functionName: string, name: string): void {
  const file = savedEventFile(workspaceRoot, functionName, name);
  try {
    unlinkSync(file);
  } catch (e) {
    throw new SavedEventError(
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? `no saved event '${name}' for ${functionName}`
        : (e as Error).message,
    );
  }
}

/** Names of the saved events of a function (sorted); none when its folder does not exist. */
export function listSavedEvents(workspaceRoot: string, functionName: string): string[] {
  checkName('function name', functionName);
  try {
    return readdirSync(join(workspaceRoot, SAVED_EVENTS_DIR, functionName))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Functions that have a saved-events folder. */
export function listFunctionsWithSavedEvents(workspaceRoot: string): string[] {
  try {
    return readdirSync(join(workspaceRoot, SAVED_EVENTS_DIR), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
