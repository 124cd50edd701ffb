/**
 * Which event type an event payload file holds: the `"$eventType"` marker in the file, else its location
 * (`.../<service>/<event>.json` naming a catalogue id, e.g. events/sqs/receive-message.json), else a guess from
 * the content. Files outside those conventions that match no template are not event files.
 */
import type { EventCatalogue } from './eventCatalogue';
import { EVENT_TYPE_MARKER } from './eventTypeDetection';

export type EventTypeSource = 'marker' | 'location' | 'content';

export interface EventFileType {
  readonly typeId: string;
  readonly source: EventTypeSource;
}

export function eventTypeFromPath(uriOrPath: string, catalogue: EventCatalogue): string | undefined {
  const parts = decodeURIComponent(uriOrPath).split(/[\\/]/);
  const file = parts[parts.length - 1] ?? '';
  const service = parts[parts.length - 2];
  if (!file.endsWith('.json') || service === undefined) return undefined;
  const id = `${service}:${file.slice(0, -'.json'.length)}`;
  return catalogue.get(id) ? id : undefined;
}

export function resolveEventFileType(
  uri: string,
  payload: unknown,
  catalogue: EventCatalogue,
): EventFileType | undefined {
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const marker = (payload as Record<string, unknown>)[EVENT_TYPE_MARKER];
    if (typeof marker === 'string' && catalogue.get(marker)) return { typeId: marker, source: 'marker' };
  }
  const fromPath = eventTypeFromPath(uri, catalogue);
  if (fromPath) return { typeId: fromPath, source: 'location' };
  const guessed = catalogue.guessEventType(payload);
  return guessed ? { typeId: guessed, source: 'content' } : undefined;
}
