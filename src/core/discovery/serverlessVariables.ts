/**
 * The Serverless Framework's `${source:address, fallback}` variables in serverless.yml, resolved as far as a local run
 * can know them: `self:`, `env:`, `opt:` (no command-line options locally), `sls:`, `aws:` (the local account),
 * `param:` (the file's own `params`), `file(...)` (JSON and YAML files of the workspace) and Lift's `construct:`.
 * What cannot be known (`ssm:`, `cf:`, `s3:`, a missing `self:` path or environment variable ...) is never made up:
 * the expression is reported at its file and line, and the caller says what the value becomes instead.
 */
import * as path from 'node:path';
import type { AwsLocation } from '../awsLocation';
import type { DiscoveryProblem } from './functionConfig';
import { parseTemplateDocument, type TemplateDocument } from './templateDocument';

type Json = Record<string, unknown>;
const asObject = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/** The stage when neither `--stage` nor `provider.stage` gives one (the framework's default). */
export const DEFAULT_STAGE = 'dev';

export interface VariableContext {
  /** The serverless.yml: `self:` reads it, lines come from it. */
  doc: TemplateDocument;
  env: Readonly<Record<string, string | undefined>>;
  location: AwsLocation;
  /** Text of a file `${file(...)}` names; undefined when it is missing or outside the workspace. */
  readFile?: (absolutePath: string) => string | undefined;
  /** Lift's `${construct:name.property}`; undefined when the construct has no such property. */
  construct?: (name: string, property: string) => string | undefined;
}

/** An expression that could not be resolved, where it is written. */
export interface UnresolvedExpression {
  expression: string;
  reason: string;
  file: string;
  line: number;
}

export interface Resolution {
  /** The value with its variables resolved; a value that is one unresolved variable is undefined. */
  value: unknown;
  /** The first expression that could not be resolved (then `value` is not what a deploy would use). */
  unresolved?: UnresolvedExpression;
}

/** What one variable reference gave. `missing`: not found, a fallback applies; `unknowable`: locally unknowable. */
type Outcome =
  | { kind: 'value'; value: unknown }
  | { kind: 'missing' | 'unknowable'; reason: string; assumed?: { value: unknown; note: string } };

interface Finding extends UnresolvedExpression {
  severity: 'warning' | 'info';
}

/** A framework variable (not CloudFormation's `${AWS::Region}` or `${Resource}` of an `Fn::Sub`). */
const VARIABLE = /^\s*(?:[A-Za-z][\w.-]*(?:\([^)]*\))?:(?!:)|file\(|[A-Za-z]\w*\()/;
const NOT_A_LITERAL = Symbol('not a literal');

/** `[start, end)` of each top-level `${...}` in a string (nested ones stay inside). */
function variableSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let i = text.indexOf('${');
  while (i >= 0) {
    let depth = 0;
    let end = -1;
    for (let j = i; j < text.length; j++) {
      if (text.startsWith('${', j)) {
        depth++;
        j++;
      } else if (text[j] === '}' && --depth === 0) {
        end = j + 1;
        break;
      }
    }
    if (end < 0) break;
    if (VARIABLE.test(text.slice(i + 2, end - 1))) spans.push([i, end]);
    i = text.indexOf('${', end);
  }
  return spans;
}

/** Splits `ref, 'fallback', other:ref` at top-level commas (not inside quotes, parentheses or `${}`). */
function splitFallbacks(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(inner.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(inner.slice(start).trim());
  return parts;
}

function literalOf(text: string): unknown {
  const quoted = /^(['"])(.*)\1$/s.exec(text);
  if (quoted) return quoted[2];
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  // An unquoted word that is no reference (`${opt:stage, dev}`) is taken as written.
  return text.includes(':') || text.includes('${') ? NOT_A_LITERAL : text;
}

/** The value at a dotted path, with its parent and key (for the line it is written on). */
function lookup(root: unknown, address: string): { value: unknown; parent?: unknown; key?: string } {
  if (address === '') return { value: root };
  let parent: unknown;
  let key: string | undefined;
  let node = root;
  for (const part of address.split('.')) {
    parent = node;
    key = part;
    node = asObject(node)?.[part] ?? (Array.isArray(node) && /^\d+$/.test(part) ? node[Number(part)] : undefined);
    if (node === undefined || node === null) return { value: undefined };
  }
  return { value: node, parent, key };
}

const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

export class ServerlessVariables {
  /** Unresolved expressions, each reported once at its line with what its value became. */
  readonly problems: DiscoveryProblem[] = [];
  /** Files `${file(...)}` read or looked for: the configuration is re-read when one of them changes. */
  readonly filesRead = new Set<string>();
  private readonly reported = new Set<string>();
  private readonly fileDocs = new Map<string, TemplateDocument | undefined>();
  private stageValue?: string;

  constructor(private readonly ctx: VariableContext) {}

  /** The stage: `provider.stage` as far as it resolves, else `dev`. */
  get stage(): string {
    if (this.stageValue === undefined) {
      this.stageValue = DEFAULT_STAGE; // a stage defined through itself ends here
      const provider = asObject(asObject(this.ctx.doc.value)?.provider);
      const found: Finding[] = [];
      const v = provider ? this.node(provider.stage, this.ctx.doc, provider, 'stage', ['sls:stage'], found) : undefined;
      if (typeof v === 'string' && found.every((f) => f.severity === 'info') && v !== '') this.stageValue = v;
    }
    return this.stageValue;
  }

  /**
   * The value of `container[key]` (a node of serverless.yml) with its variables resolved. Each expression that
   * cannot be resolved is reported once, at its line, ending with `consequence` (what the value becomes instead).
   */
  resolve(container: unknown, key: string | number, consequence: string): Resolution {
    const raw: unknown = Array.isArray(container) ? container[Number(key)] : asObject(container)?.[String(key)];
    const found: Finding[] = [];
    const value = this.node(raw, this.ctx.doc, container, key, [], found);
    for (const f of found) this.report(f, consequence);
    const unresolved = found.find((f) => f.severity === 'warning');
    return {
      value,
      ...(unresolved
        ? {
            unresolved: {
              expression: unresolved.expression,
              reason: unresolved.reason,
              file: unresolved.file,
              line: unresolved.line,
            },
          }
        : {}),
    };
  }

  /**
   * Resolves the variables of every string under `node` in place (a resource's properties, which the CloudFormation
   * reader reads with their lines); an unresolved one is reported and kept as written.
   */
  resolveInPlace(node: unknown, consequence: string): void {
    const visit = (container: Json | unknown[], key: string | number): void => {
      const value: unknown = Array.isArray(container) ? container[Number(key)] : container[String(key)];
      if (typeof value === 'string') {
        if (variableSpans(value).length === 0) return;
        const r = this.resolve(container, key, consequence);
        if (r.unresolved || r.value === undefined) return;
        if (Array.isArray(container)) container[Number(key)] = r.value;
        else container[String(key)] = r.value;
      } else if (Array.isArray(value)) value.forEach((_, i) => visit(value, i));
      else {
        const obj = asObject(value);
        if (obj) for (const k of Object.keys(obj)) visit(obj, k);
      }
    };
    const obj = asObject(node);
    if (obj) for (const k of Object.keys(obj)) visit(obj, k);
  }

  private report(f: Finding, consequence: string): void {
    const id = `${f.file}:${f.line}:${f.expression}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.problems.push({
      file: f.file,
      line: f.line,
      severity: f.severity,
      code: 'unresolved-variable',
      message:
        f.severity === 'info'
          ? `${f.expression}: ${f.reason}`
          : `${f.expression} cannot be resolved locally: ${f.reason}; ${consequence}`,
    });
  }

  private node(
    value: unknown,
    doc: TemplateDocument,
    container: unknown,
    key: string | number,
    stack: readonly string[],
    found: Finding[],
  ): unknown {
    if (typeof value === 'string') return this.text(value, doc, doc.lineOf(container, key), stack, found);
    if (Array.isArray(value))
      return value.map((item, i) => this.node(item, doc, value, i, stack, found)).filter((item) => item !== undefined);
    const obj = asObject(value);
    if (!obj) return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(obj)) {
      const resolved = this.node(v, doc, obj, k, stack, found);
      if (resolved !== undefined) out[k] = resolved;
    }
    return out;
  }

  /** A string: one whole variable keeps its value's type; variables inside text are interpolated. */
  private text(
    value: string,
    doc: TemplateDocument,
    line: number,
    stack: readonly string[],
    found: Finding[],
  ): unknown {
    const spans = variableSpans(value);
    if (spans.length === 0) return value;
    if (spans.length === 1 && spans[0][0] === 0 && spans[0][1] === value.length) {
      return this.variable(value.slice(2, -1), doc, line, stack, found);
    }
    let out = '';
    let at = 0;
    for (const [start, end] of spans) {
      const v = this.variable(value.slice(start + 2, end - 1), doc, line, stack, found);
      out += value.slice(at, start) + (v === undefined || v === null ? value.slice(start, end) : shown(v));
      at = end;
    }
    return out + value.slice(at);
  }

  /** `${inner}`: the reference, else each fallback in turn; undefined (and a finding) when nothing resolves. */
  private variable(
    inner: string,
    doc: TemplateDocument,
    line: number,
    stack: readonly string[],
    found: Finding[],
  ): unknown {
    const expression = `\${${inner}}`;
    const parts = splitFallbacks(inner);
    let first: Exclude<Outcome, { kind: 'value' }> | undefined;
    for (const [i, part] of parts.entries()) {
      const literal = i > 0 ? literalOf(part) : NOT_A_LITERAL;
      const outcome: Outcome =
        literal !== NOT_A_LITERAL ? { kind: 'value', value: literal } : this.reference(part, doc, line, stack, found);
      if (outcome.kind === 'value' && outcome.value !== undefined && outcome.value !== null) {
        // The fallback stands in for a value only a deploy knows: said, not silent.
        if (first?.kind === 'unknowable') {
          found.push({
            severity: 'info',
            expression,
            reason: `${first.reason}; the fallback ${shown(outcome.value)} applies`,
            file: doc.file,
            line,
          });
        }
        return outcome.value;
      }
      if (outcome.kind !== 'value') first ??= outcome;
    }
    const failure = first ?? { kind: 'missing' as const, reason: 'it resolves to nothing' };
    if (failure.assumed) {
      found.push({ severity: 'info', expression, reason: failure.assumed.note, file: doc.file, line });
      return failure.assumed.value;
    }
    found.push({ severity: 'warning', expression, reason: failure.reason, file: doc.file, line });
    return undefined;
  }

  /** One `source:address` reference (its nested variables resolved first). */
  private reference(
    text: string,
    doc: TemplateDocument,
    line: number,
    stack: readonly string[],
    found: Finding[],
  ): Outcome {
    let ref = text;
    if (ref.includes('${')) {
      const scratch: Finding[] = [];
      const expanded = this.text(ref, doc, line, stack, scratch);
      found.push(...scratch.filter((f) => f.severity === 'info'));
      const failed = scratch.find((f) => f.severity === 'warning');
      if (failed) return { kind: 'missing', reason: `${failed.expression} in it cannot be resolved: ${failed.reason}` };
      ref = shown(expanded);
    }
    const m = /^([A-Za-z][\w.-]*)(?:\(([^)]*)\))?(?::(.*))?$/s.exec(ref.trim());
    if (!m) return { kind: 'unknowable', reason: `"${ref}" is not a variable the runner knows` };
    const [, source, argument, rawAddress] = m;
    const address = (rawAddress ?? '').trim();
    const location = this.ctx.location;
    switch (source) {
      case 'self': {
        const outcome = this.fromDocument(this.ctx.doc, address, `self:${address}`, 'serverless.yml', stack, found);
        // The framework fills in the stage and region a file leaves out.
        if (
          outcome.kind === 'missing' &&
          address === 'provider.stage' &&
          lookup(this.ctx.doc.value, address).value === undefined
        )
          return {
            ...outcome,
            assumed: { value: this.stage, note: `provider.stage is not set; the default stage ${this.stage} applies` },
          };
        if (
          outcome.kind === 'missing' &&
          address === 'provider.region' &&
          lookup(this.ctx.doc.value, address).value === undefined
        )
          return {
            ...outcome,
            assumed: {
              value: location.region,
              note: `provider.region is not set; the local account's region ${location.region} applies`,
            },
          };
        return outcome;
      }
      case 'env': {
        const value = this.ctx.env[address];
        return value === undefined
          ? { kind: 'missing', reason: `the environment variable ${address} is not set` }
          : { kind: 'value', value };
      }
      case 'opt':
        if (address === 'stage')
          return {
            kind: 'missing',
            reason: 'there are no command-line options locally',
            assumed: {
              value: DEFAULT_STAGE,
              note: `no --stage option locally; the default stage ${DEFAULT_STAGE} applies`,
            },
          };
        if (address === 'region')
          return {
            kind: 'missing',
            reason: 'there are no command-line options locally',
            assumed: {
              value: location.region,
              note: `no --region option locally; the local account's region ${location.region} applies`,
            },
          };
        return { kind: 'missing', reason: `there is no --${address} option locally` };
      case 'sls':
        if (address === 'stage') return { kind: 'value', value: this.stage };
        return address === 'instanceId'
          ? { kind: 'unknowable', reason: 'the instance id exists only when the framework runs' }
          : { kind: 'unknowable', reason: `sls:${address} is not known locally` };
      case 'aws':
        if (address === 'region') return { kind: 'value', value: location.region };
        if (address === 'accountId') return { kind: 'value', value: location.accountId };
        return { kind: 'unknowable', reason: `aws:${address} is not known locally` };
      case 'param':
        return this.param(address, stack, found);
      case 'file':
        return this.file(argument ?? '', address, stack, found);
      case 'construct': {
        const dot = address.indexOf('.');
        const value = dot > 0 ? this.ctx.construct?.(address.slice(0, dot), address.slice(dot + 1)) : undefined;
        return value === undefined
          ? { kind: 'missing', reason: `no construct of this file has "${address}"` }
          : { kind: 'value', value };
      }
      case 'ssm':
        return { kind: 'unknowable', reason: 'SSM Parameter Store values cannot be read locally' };
      case 's3':
        return { kind: 'unknowable', reason: 'S3 objects cannot be read locally' };
      default:
        if (source === 'cf' || source.startsWith('cf.'))
          return { kind: 'unknowable', reason: "a deployed CloudFormation stack's outputs cannot be read locally" };
        return { kind: 'unknowable', reason: `the variable source "${source}" is not known locally` };
    }
  }

  /** A dotted path of a parsed file (serverless.yml or a `file()`), its own variables resolved at their lines. */
  private fromDocument(
    doc: TemplateDocument,
    address: string,
    key: string,
    where: string,
    stack: readonly string[],
    found: Finding[],
  ): Outcome {
    const id = `${doc.file}#${address}`;
    if (stack.includes(id)) return { kind: 'missing', reason: `${key} refers to itself` };
    const scratch: Finding[] = [];
    const inner = [...stack, id];
    /** The first unresolved expression met on the way, as this reference's reason. */
    const walked: string[] = [];
    const failure = (): Outcome | undefined => {
      found.push(...scratch.filter((f) => f.severity === 'info'));
      const failed = scratch.find((f) => f.severity === 'warning');
      if (!failed) return undefined;
      const line =
        failed.file === this.ctx.doc.file ? `line ${failed.line}` : `${path.basename(failed.file)}:${failed.line}`;
      return {
        kind: 'missing',
        reason: `${walked.join('.') || 'it'} is ${failed.expression} (${line}), which cannot be: ${failed.reason}`,
      };
    };
    // Walk the path; a value on the way that is itself a variable (`env: ${file(./dev.json)}`) is resolved first.
    let node: unknown = doc.value;
    let parent: unknown;
    let at: string | number = 0;
    for (const part of address === '' ? [] : address.split('.')) {
      if (typeof node === 'string' && variableSpans(node).length > 0) {
        node = this.node(node, doc, parent, at, inner, scratch);
        const failed = failure();
        if (failed) return failed;
        scratch.length = 0;
      }
      parent = node;
      at = part;
      walked.push(part);
      node = lookup(node, part).value;
      if (node === undefined) return { kind: 'missing', reason: `${where} has no ${address}` };
    }
    if (node === undefined) return { kind: 'missing', reason: `${where} has no content` };
    const value = this.node(node, doc, parent, at, inner, scratch);
    return failure() ?? { kind: 'value', value };
  }

  /** `${param:name}`: the file's `params` for the stage, else its `default` ones. */
  private param(name: string, stack: readonly string[], found: Finding[]): Outcome {
    const params = asObject(asObject(this.ctx.doc.value)?.params);
    for (const stage of [this.stage, 'default']) {
      if (asObject(params?.[stage])?.[name] !== undefined)
        return this.fromDocument(
          this.ctx.doc,
          `params.${stage}.${name}`,
          `param:${name}`,
          'serverless.yml',
          stack,
          found,
        );
    }
    return {
      kind: 'missing',
      reason: `params has no ${name} for the stage ${this.stage} (Serverless Dashboard parameters cannot be read locally)`,
    };
  }

  /**
   * `${file(./config.json):a.b}`: JSON and YAML files of the workspace, relative to the service folder; any other file
   * but a script is its text, as the framework reads it (`${file(./subject.txt)}`). Scripts would run code.
   */
  private file(relative: string, address: string, stack: readonly string[], found: Finding[]): Outcome {
    const name = relative.trim().replace(/^['"]|['"]$/g, '');
    const abs = path.resolve(path.dirname(this.ctx.doc.file), name);
    if (/\.(c|m)?(js|ts)$/i.test(abs))
      return { kind: 'unknowable', reason: `${name} is a script, which discovery does not run` };
    if (!/\.(json|ya?ml)$/i.test(abs)) {
      this.filesRead.add(abs);
      const text = this.ctx.readFile?.(abs);
      if (text === undefined) return { kind: 'missing', reason: `${name} does not exist in the workspace` };
      if (address)
        return { kind: 'missing', reason: `${name} is read as text, which has no ${address} (only JSON and YAML do)` };
      return { kind: 'value', value: text };
    }
    this.filesRead.add(abs);
    if (!this.fileDocs.has(abs)) {
      const text = this.ctx.readFile?.(abs);
      this.fileDocs.set(abs, text === undefined ? undefined : parseTemplateDocument(abs, text));
    }
    const doc = this.fileDocs.get(abs);
    if (!doc) return { kind: 'missing', reason: `${name} does not exist in the workspace` };
    if (doc.value === undefined || doc.problems.some((p) => p.severity === 'error'))
      return { kind: 'missing', reason: `${name} does not parse` };
    return this.fromDocument(doc, address, `file(${name})`, name, stack, found);
  }
}
