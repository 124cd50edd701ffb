/**
 * The event catalogue: every template of event-templates/, rendered with parameters and validated against its
 * schema. The templates directory is passed in (the extension ships it next to dist/; the CLI finds it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventInputError, EventParameterError, TemplateDefinitionError, UnknownEventTypeError } from './eventErrors';
import { EventSchemaSet, type EventValidationResult } from './eventSchema';
import { parseTemplateDefinition, type EventTemplateDefinition } from './eventTemplate';
import { compileDetectors, detectEventType, stripEventTypeMarker } from './eventTypeDetection';
import { compileEventTemplate, type RenderFn } from './templateCompiler';
import { resolveParameters } from './templateParameters';

/** What the tree view, `lambda-trigger events` and completion show of a template. */
export type EventTemplateSummary = Pick<
  EventTemplateDefinition,
  'id' | 'service' | 'name' | 'title' | 'description' | 'invocation' | 'parameters' | 'batch'
>;

export interface RenderOptions {
  /** Number of records of a poll-based batch (default 1). */
  readonly records?: number;
  /** One value of the batch's item parameter per record (e.g. a list of SQS bodies); sets the record count. */
  readonly items?: readonly unknown[];
  /** Base time of generated timestamps (default: now). */
  readonly now?: Date | number;
  /** Parameter values are text to coerce (CLI `--param k=v`). */
  readonly paramsAreText?: boolean;
}

export const SCHEMAS_DIR = 'schemas';

export class EventCatalogue {
  private readonly byId = new Map<string, EventTemplateDefinition>();
  private readonly renderers = new Map<string, RenderFn>();
  private readonly schemas: EventSchemaSet;
  private detectors: ReturnType<typeof compileDetectors> | undefined;

  constructor(
    readonly templatesDir: string,
    definitions: readonly EventTemplateDefinition[],
  ) {
    for (const d of definitions) {
      if (this.byId.has(d.id)) throw new TemplateDefinitionError(`duplicate event template id '${d.id}'`);
      this.byId.set(d.id, d);
    }
    this.schemas = new EventSchemaSet(join(templatesDir, SCHEMAS_DIR));
  }

  list(): EventTemplateSummary[] {
    return [...this.byId.values()].map((d) => ({
      id: d.id,
      service: d.service,
      name: d.name,
      title: d.title,
      description: d.description,
      invocation: d.invocation,
      parameters: d.parameters,
      ...(d.batch ? { batch: d.batch } : {}),
    }));
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  get(id: string): EventTemplateDefinition | undefined {
    return this.byId.get(id);
  }

  /** The template, or an UnknownEventTypeError that suggests close ids. */
  require(id: string): EventTemplateDefinition {
    const d = this.byId.get(id);
    if (!d) throw new UnknownEventTypeError(id, this.ids());
    return d;
  }

  /** Renders an event; parameters are checked (unknown name, wrong type, not in enum) before anything is built. */
  render(id: string, params: Readonly<Record<string, unknown>> = {}, options: RenderOptions = {}): unknown {
    const def = this.require(id);
    const resolved = resolveParameters(def, params, options.paramsAreText ?? false);
    const records = options.records ?? 1;
    if (!Number.isInteger(records) || records < 1)
      throw new EventParameterError(`records must be a positive integer, got ${String(records)}`);
    if (options.items && options.items.length === 0)
      throw new EventParameterError('the list of record bodies is empty');
    const count = options.items ? options.items.length : records;
    if (!def.batch && (count > 1 || options.items))
      throw new EventParameterError(
        `${id} is not a poll-based batch event: --records and record bodies apply to ${this.list()
          .filter((t) => t.batch)
          .map((t) => t.id)
          .slice(0, 6)
          .join(', ')}, ...`,
      );
    if (def.batch && count > def.batch.maxRecords)
      throw new EventParameterError(`${id} batches hold at most ${def.batch.maxRecords} records, asked for ${count}`);
    if (options.items && !def.batch?.itemParameter)
      throw new EventParameterError(`${id} has no per-record parameter to fill from a list of bodies`);
    const now =
      options.now === undefined ? Date.now() : typeof options.now === 'number' ? options.now : options.now.getTime();
    return this.renderer(def)({ params: resolved, records: count, items: options.items, nowMs: now });
  }

  /** The compiled render function of a template (compiled once, on first use). */
  renderer(def: EventTemplateDefinition): RenderFn {
    let fn = this.renderers.get(def.id);
    if (!fn) {
      fn = compileEventTemplate(def, join(this.templatesDir, def.service, `${def.name}.json`));
      this.renderers.set(def.id, fn);
    }
    return fn;
  }

  /** Validates a payload against the schema of `typeId`; the `$eventType` marker of a saved event is ignored. */
  validate(payload: unknown, typeId: string): EventValidationResult {
    const def = this.require(typeId);
    return this.schemas.validate(stripEventTypeMarker(payload), def.schema);
  }

  /** The JSON Schema of an event type, for completion and hover. */
  schemaOf(typeId: string): Record<string, unknown> {
    return this.schemas.schema(this.require(typeId).schema);
  }

  /** The most specific template whose `detect` conditions the payload meets, or undefined. */
  guessEventType(payload: unknown): string | undefined {
    this.detectors ??= compileDetectors([...this.byId.values()]);
    return detectEventType(this.detectors, payload);
  }
}

/** File name of the generated index: every template definition in one file, so loading reads one file. */
export const CATALOGUE_INDEX = 'index.json';

interface CatalogueIndexFile {
  readonly comment: string;
  readonly templates: readonly unknown[];
}

/** Reads every `<service>/<event>.json` under templatesDir (the `schemas` folder holds the JSON Schemas). */
export function readTemplateFiles(templatesDir: string): EventTemplateDefinition[] {
  let services: string[];
  try {
    services = readdirSync(templatesDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== SCHEMAS_DIR)
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw new EventInputError(`cannot read the event templates folder ${templatesDir}: ${(e as Error).message}`);
  }
  const defs: EventTemplateDefinition[] = [];
  for (const service of services) {
    const dir = join(templatesDir, service);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json')) continue;
      const path = join(dir, file);
      let raw: unknown;
      try {
        raw = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        throw new TemplateDefinitionError(`${path}: not valid JSON: ${(e as Error).message}`);
      }
      const def = parseTemplateDefinition(raw, path);
      if (def.service !== service || `${def.name}.json` !== file)
        throw new TemplateDefinitionError(`${path}: a template must live at ${def.service}/${def.name}.json`);
      defs.push(def);
    }
  }
  return defs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The text of index.json for the template files as they are now (`lambda-trigger events --write-index`). */
export function buildCatalogueIndex(templatesDir: string): string {
  const index: CatalogueIndexFile = {
    comment: 'Generated from the <service>/<event>.json files by `lambda-trigger events --write-index`; do not edit.',
    templates: readTemplateFiles(templatesDir),
  };
  return JSON.stringify(index) + '\n';
}

/**
 * Loads the catalogue: from index.json when present (one read, for fast activation), else from every
 * `<service>/<event>.json`. Templates are checked now; they are compiled, and their schemas compiled, on first use.
 */
export function loadCatalogue(templatesDir: string, options: { useIndex?: boolean } = {}): EventCatalogue {
  if (options.useIndex ?? true) {
    const indexPath = join(templatesDir, CATALOGUE_INDEX);
    let text: string | undefined;
    try {
      text = readFileSync(indexPath, 'utf8');
    } catch {
      text = undefined; // no index: read the files
    }
    if (text !== undefined) {
      let parsed: CatalogueIndexFile;
      try {
        parsed = JSON.parse(text) as CatalogueIndexFile;
      } catch (e) {
        throw new TemplateDefinitionError(`${indexPath}: not valid JSON: ${(e as Error).message}`);
      }
      if (!Array.isArray(parsed.templates))
        throw new TemplateDefinitionError(`${indexPath}: "templates" must be an array`);
      return new EventCatalogue(
        templatesDir,
        parsed.templates.map((t, i) => parseTemplateDefinition(t, `${indexPath} templates[${i}]`)),
      );
    }
  }
  return new EventCatalogue(templatesDir, readTemplateFiles(templatesDir));
}
