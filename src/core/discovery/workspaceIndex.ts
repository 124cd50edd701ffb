import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LOCATION, type AwsLocation } from '../awsLocation';
import { codeRootOutsideWorkspace, handlerFileOutsideCodeRoot, realPathMemo, type RealPathOf } from '../codeBoundary';
import { deprecationNote, runtimeSupport } from '../lambdaRuntimes';
import { isCloudFormationTemplate, readCloudFormationTemplate, type TemplateFunction } from './cloudFormationTemplate';
import {
  applyDotEnv,
  applySamEnvJson,
  isDotEnv,
  isSamEnvJson,
  parseDotEnv,
  parseSamEnvJson,
  type DotEnv,
  type SamEnvJson,
} from './envOverrides';
import {
  functionWithDefaults,
  runtimeFamily,
  type DiscoveryOptions,
  type DiscoveryProblem,
  type FunctionConfig,
  type OriginSource,
} from './functionConfig';
import { functionNameFromLabel, uniqueName } from './functionNames';
import { JS_EXTENSIONS, mayContainHandler, scanJsExports, type CodeScan, type HandlerExport } from './handlerExports';
import { fileExists, isInside, resolveHandler, resolveModuleSpecifier } from './handlerResolution';
import { isProjectSettingsFile, readProjectSettings } from './projectSettings';
import { scanPythonHandlers } from './pythonHandlers';
import { isTestFile } from './testFiles';
import { isServerlessConfig, readServerlessConfig } from './serverlessConfig';
import { parseTemplateDocument, type TemplateDocument } from './templateDocument';
import { DEFAULT_IGNORE_GLOBS, ignoreMatcher, walkWorkspace, type IgnoreTest } from './workspaceWalker';

/** Lowest-precedence values: the editor's settings, passed in by the caller (ARCHITECTURE.md precedence). */
export interface EditorDefaults {
  timeout?: number;
  memorySize?: number;
  environment?: Record<string, string>;
  nodeRuntime?: string;
  pythonRuntime?: string;
}

export interface WorkspaceIndexOptions {
  root: string;
  ignoreGlobs?: readonly string[];
  editorDefaults?: EditorDefaults;
  /** For `${env:...}` in serverless.yml. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The local account's region and id: pseudo parameters and ARNs (default DEFAULT_LOCATION). */
  location?: AwsLocation;
  /** Today, for runtime deprecation dates (default: the system clock). */
  now?: () => Date;
}

/** What the index knows, JSON-serialisable (the CLI prints it, the server sends it). */
export interface DiscoveryResult {
  root: string;
  functions: FunctionConfig[];
  problems: DiscoveryProblem[];
}

/** A handler export in a code file and the functions that run it (empty for none yet configured). */
export interface HandlerSite extends HandlerExport {
  file: string;
  functions: FunctionConfig[];
}

type ConfigKind = 'template' | 'serverless' | 'settings';
interface ConfigEntry {
  kind: ConfigKind;
  functions: TemplateFunction[];
  problems: DiscoveryProblem[];
  /** Other files it read (serverless.yml's `${file(...)}`): a change to one of them re-reads it. */
  dependsOn?: readonly string[];
}
/** `null` marks a code file skipped by the pre-filter (scanned on demand if a template points at it). */
type CodeEntry = CodeScan | null;

const PRECEDENCE: Record<OriginSource, number> = {
  sam: 0,
  cloudformation: 0,
  serverless: 1,
  settings: 2,
  vscode: 3,
  'env-file': 4,
  code: 5,
  cli: 6,
  default: 7,
};
const TEMPLATE_TEXT = /AWS::(Serverless|Lambda)::Function/;
const TEMPLATE_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.template']);
const DEFAULT_RUNTIME = { node: 'nodejs20.x', python: 'python3.12' };

/**
 * The workspace's handlers and functions. `build` walks everything once; `update` and `remove` re-read only the
 * file that changed, and the function list is re-linked lazily on the next query.
 */
export class WorkspaceIndex {
  readonly root: string;
  private readonly ignored: IgnoreTest;
  private readonly code = new Map<string, CodeEntry>();
  private readonly configs = new Map<string, ConfigEntry>();
  /** The last document read from each configuration file: the next edit of a large template re-reads one resource. */
  private readonly documents = new Map<string, TemplateDocument>();
  private readonly dotEnvs = new Map<string, DotEnv>();
  private readonly samEnvs = new Map<string, SamEnvJson>();
  private readonly fileProblems = new Map<string, DiscoveryProblem[]>();
  private linked?: { functions: FunctionConfig[]; problems: DiscoveryProblem[]; byFile: Map<string, FunctionConfig[]> };
  private building?: Promise<void>;
  /** Code files in path order; rebuilt only when a file appears or disappears, not on every edit. */
  private sortedCode?: string[];
  /** File existence for handler resolution, kept current by update/remove so a re-link touches no disk. */
  private readonly existence = new Map<string, boolean>();
  private readonly exists = (file: string): boolean => {
    let known = this.existence.get(file);
    if (known === undefined) {
      known = fileExists(file);
      this.existence.set(file, known);
    }
    return known;
  };
  /**
   * Real paths of code roots and handler files (codeBoundary.ts), kept while no file appears or disappears: a re-link
   * after an edit resolves no symlink again. The runtime checks the real paths itself before it runs anything.
   */
  private realPaths: RealPathOf = realPathMemo();

  private readonly discoveryOptions: DiscoveryOptions;

  constructor(private readonly options: WorkspaceIndexOptions) {
    this.root = path.resolve(options.root);
    this.discoveryOptions = { location: options.location ?? DEFAULT_LOCATION };
    this.ignored = ignoreMatcher(options.ignoreGlobs ?? DEFAULT_IGNORE_GLOBS);
  }

  /** Walks and indexes the whole workspace; concurrent calls share one build. */
  build(): Promise<void> {
    this.building ??= (async () => {
      this.code.clear();
      this.configs.clear();
      this.documents.clear();
      this.dotEnvs.clear();
      this.samEnvs.clear();
      this.fileProblems.clear();
      this.existence.clear();
      this.realPaths = realPathMemo();
      this.sortedCode = undefined;
      await walkWorkspace(this.root, this.ignored, (file) => this.read(file));
      this.linked = undefined;
    })().finally(() => (this.building = undefined));
    return this.building;
  }

  /** Re-reads one file (created or changed); `text` is the editor's unsaved content when there is one. */
  update(file: string, text?: string): void {
    const abs = path.resolve(file);
    if (!isInside(this.root, abs) || this.ignored(this.relative(abs))) return;
    const order = this.sortedCode;
    this.forget(abs);
    if (this.existence.get(abs) !== true) this.realPaths = realPathMemo();
    this.existence.set(abs, true);
    this.read(abs, text);
    // An edited file keeps its place: the sorted order survives unless the file set changed.
    if (order && this.code.has(abs) && order.includes(abs)) this.sortedCode = order;
    this.rereadDependents(abs);
    this.linked = undefined;
  }

  remove(file: string): void {
    const abs = path.resolve(file);
    this.forget(abs);
    this.documents.delete(abs);
    this.existence.set(abs, false);
    this.realPaths = realPathMemo();
    this.rereadDependents(abs);
    this.linked = undefined;
  }

  /** Configurations that read `file` (through `${file(...)}`) are read again. */
  private rereadDependents(file: string): void {
    for (const [config, entry] of [...this.configs.entries()]) {
      if (config === file || !entry.dependsOn?.includes(file)) continue;
      this.forget(config);
      this.read(config);
    }
  }

  /** True when the file is one the index reads (so a watcher can skip the rest). */
  isRelevant(file: string): boolean {
    return this.kindOf(path.resolve(file)) !== undefined;
  }

  functions(): FunctionConfig[] {
    return this.link().functions;
  }

  problems(file?: string): DiscoveryProblem[] {
    const all = this.link().problems;
    return file === undefined ? all : all.filter((p) => p.file === path.resolve(file));
  }

  result(): DiscoveryResult {
    const { functions, problems } = this.link();
    return { root: this.root, functions, problems };
  }

  /** The handler exports of one code file with their functions: what code lenses are drawn from. */
  handlersIn(file: string): HandlerSite[] {
    const abs = path.resolve(file);
    const scan = this.scanOf(abs);
    if (!scan) return [];
    const configured = this.link().byFile.get(abs) ?? [];
    // A test file's handler-like exports are tests, not handlers: only what a configuration runs there gets lenses.
    const test = isTestFile(this.relative(abs));
    return scan.exports
      .map((e) => ({ ...e, file: abs, functions: configured.filter((f) => f.exportName === e.exportName) }))
      .filter((site) => (site.handlerLike && !test) || site.functions.length > 0);
  }

  private relative(file: string): string {
    return path.relative(this.root, file).split(path.sep).join('/');
  }

  private kindOf(file: string): 'code' | 'python' | 'config' | 'dotenv' | 'samenv' | undefined {
    const base = path.basename(file);
    const ext = path.extname(file);
    if (isDotEnv(file)) return 'dotenv';
    if (isSamEnvJson(file)) return 'samenv';
    if (ext === '.py') return 'python';
    if (JS_EXTENSIONS.includes(ext) && !/\.d\.[mc]?ts$/.test(base)) return 'code';
    if (TEMPLATE_EXTENSIONS.has(ext) || base.endsWith('.template.json')) return 'config';
    return undefined;
  }

  private forget(file: string): void {
    if (this.code.delete(file)) this.sortedCode = undefined;
    this.configs.delete(file);
    this.dotEnvs.delete(file);
    this.samEnvs.delete(file);
    this.fileProblems.delete(file);
  }

  private read(file: string, text?: string): void {
    const kind = this.kindOf(file);
    if (!kind) return;
    let content: string;
    try {
      content = text ?? fs.readFileSync(file, 'utf8');
    } catch (err) {
      this.fileProblems.set(file, [
        {
          file,
          line: 1,
          severity: 'warning',
          code: 'unreadable-file',
          message: `Cannot read ${file}: ${(err as Error).message}`,
        },
      ]);
      return;
    }
    switch (kind) {
      case 'code':
        if (!this.code.has(file)) this.sortedCode = undefined;
        this.code.set(file, mayContainHandler(content) ? scanJsExports(file, content) : null);
        break;
      case 'python':
        if (!this.code.has(file)) this.sortedCode = undefined;
        this.code.set(file, scanPythonHandlers(content));
        break;
      case 'dotenv':
        this.dotEnvs.set(file, parseDotEnv(file, content));
        break;
      case 'samenv':
        this.samEnvs.set(file, parseSamEnvJson(file, content));
        break;
      case 'config':
        this.readConfig(file, content);
        break;
    }
  }

  private readConfig(file: string, content: string): void {
    const settings = isProjectSettingsFile(file);
    const serverless = isServerlessConfig(file);
    // Most YAML/JSON files are not templates: a text test spares parsing them.
    if (!settings && !serverless && !TEMPLATE_TEXT.test(content)) return;
    const doc = parseTemplateDocument(file, content, this.documents.get(file));
    this.documents.set(file, doc);
    if (settings) {
      const r = readProjectSettings(doc, this.discoveryOptions);
      this.configs.set(file, { kind: 'settings', functions: r.functions, problems: [...doc.problems, ...r.problems] });
    } else if (serverless) {
      const r = readServerlessConfig(doc, {
        ...this.discoveryOptions,
        env: this.options.env ?? {},
        readFile: (other) => this.readWorkspaceFile(other),
      });
      this.configs.set(file, {
        kind: 'serverless',
        functions: r.functions,
        problems: [...doc.problems, ...r.problems],
        dependsOn: r.filesRead,
      });
    } else if (isCloudFormationTemplate(doc.value)) {
      const r = readCloudFormationTemplate(doc, this.discoveryOptions);
      this.configs.set(file, { kind: 'template', functions: r.functions, problems: [...doc.problems, ...r.problems] });
    } else if (doc.problems.length > 0 && /\.ya?ml$|\.template$/.test(file)) {
      // It names Lambda functions but does not parse: report it, since it was most likely meant as a template.
      this.configs.set(file, { kind: 'template', functions: [], problems: doc.problems });
    }
  }

  /** A file of the workspace (not an ignored folder's), for configurations that include one; else undefined. */
  private readWorkspaceFile(file: string): string | undefined {
    if (!isInside(this.root, file) || this.ignored(this.relative(file)) || !this.exists(file)) return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  private scanOf(file: string): CodeScan | undefined {
    const entry = this.code.get(file);
    if (entry) return entry;
    if (entry === null || !this.code.has(file)) {
      // Pre-filtered or outside the walk (cdk.out assets): scanned now because something points at it.
      if (!this.exists(file)) return undefined;
      try {
        const text = fs.readFileSync(file, 'utf8');
        const scan = file.endsWith('.py') ? scanPythonHandlers(text) : scanJsExports(file, text);
        if (this.code.has(file)) this.code.set(file, scan);
        return scan;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Turns what each file said into FunctionConfigs: resolves handlers, applies overrides and defaults. */
  private link(): NonNullable<WorkspaceIndex['linked']> {
    if (this.linked) return this.linked;
    const problems: DiscoveryProblem[] = [];
    const functions: FunctionConfig[] = [];
    const claimed = new Set<string>();
    const runtimeLines = new Set<string>();
    const entries = [...this.configs.entries()].sort(
      ([fa, a], [fb, b]) => kindRank(a.kind) - kindRank(b.kind) || fa.localeCompare(fb),
    );
    for (const [file, entry] of entries) {
      problems.push(...entry.problems);
      for (const tf of entry.functions) {
        const fn = this.resolveFunction(file, tf, problems, runtimeLines);
        functions.push(fn);
        if (!fn.handlerFile) continue;
        claimed.add(`${fn.handlerFile}#${fn.exportName}`);
        // A configured `index.handler` that re-exports `./app`'s handler runs that one: it is not a second function.
        const target = this.reexportTarget(fn.handlerFile, fn.exportName);
        if (target) claimed.add(target);
      }
    }
    // Plain handlers that no configuration claims still run, with Lambda's defaults.
    // Plain code-point order: stable across machines and far cheaper than localeCompare on 10,000 paths.
    this.sortedCode ??= [...this.code.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const plain: Array<{ file: string; scan: CodeScan; e: HandlerExport }> = [];
    for (const file of this.sortedCode) {
      const scan = this.code.get(file);
      if (!scan) continue;
      problems.push(...scan.problems);
      if (isTestFile(this.relative(file))) continue;
      for (const e of scan.exports) {
        if (e.handlerLike && !claimed.has(`${file}#${e.exportName}`)) plain.push({ file, scan, e });
      }
    }
    // `export { handler } from './app'` in an index is the same handler as app's when that one is listed already.
    const listed = new Set([
      ...claimed,
      ...plain.filter((p) => !p.e.reexport).map((p) => `${p.file}#${p.e.exportName}`),
    ]);
    // Code-only functions are named after their path; one that meets a configured name (or another) gets a suffix.
    const names = new Set(functions.map((f) => f.name));
    for (const { file, scan, e } of plain) {
      const target = e.reexport ? this.reexportTarget(file, e.exportName) : undefined;
      if (target && listed.has(target)) continue;
      const fn = this.implicitFunction(file, scan, e);
      fn.name = uniqueName(fn.name, names);
      functions.push(fn);
    }
    for (const list of this.fileProblems.values()) problems.push(...list);
    for (const env of [...this.dotEnvs.values(), ...this.samEnvs.values()]) problems.push(...env.problems);
    for (const fn of functions) this.applyOverrides(fn);
    const byFile = new Map<string, FunctionConfig[]>();
    for (const fn of functions) {
      if (!fn.handlerFile) continue;
      const list = byFile.get(fn.handlerFile) ?? [];
      list.push(fn);
      byFile.set(fn.handlerFile, list);
    }
    for (const list of byFile.values()) list.sort((a, b) => PRECEDENCE[a.definedBy] - PRECEDENCE[b.definedBy]);
    this.linked = { functions, problems, byFile };
    return this.linked;
  }

  /** `file#name` of the export a re-export chain starting at `file`'s export `name` ends at, if it re-exports. */
  private reexportTarget(file: string, name: string): string | undefined {
    let at = { file, name };
    let target: string | undefined;
    for (let hops = 0; hops < 8; hops++) {
      const reexport = this.scanOf(at.file)?.exports.find((e) => e.exportName === at.name)?.reexport;
      const next = reexport ? resolveModuleSpecifier(at.file, reexport.from, this.exists) : undefined;
      if (!reexport || !next) return target;
      at = { file: next, name: reexport.name };
      target = `${at.file}#${at.name}`;
    }
    return target;
  }

  private resolveFunction(
    file: string,
    tf: TemplateFunction,
    problems: DiscoveryProblem[],
    runtimeLines: Set<string>,
  ): FunctionConfig {
    const fn: FunctionConfig = { ...tf, id: `${this.relative(file)}#${tf.name}`, exportName: '' };
    const handlerLine = tf.origins.handler?.line ?? 1;
    const report = (
      code: DiscoveryProblem['code'],
      message: string,
      severity: DiscoveryProblem['severity'] = 'error',
    ) => problems.push({ file, line: handlerLine, severity, code, message: `${tf.name}: ${message}` });
    if (!tf.handler) return fn;
    if (tf.runtime) this.checkRuntime(file, tf, problems, runtimeLines);
    const family = runtimeFamily(tf.runtime);
    if (tf.runtime && family === 'other') {
      fn.exportName = tf.handler.split('.').pop() ?? '';
      return fn;
    }
    // What invoke refuses to run, in its words: real paths compared, symlinks included (codeBoundary.ts).
    const codeRootOutside = codeRootOutsideWorkspace(tf.codeRoot, this.root, this.realPaths);
    if (codeRootOutside) {
      report('handler-outside-workspace', `${codeRootOutside}; it does not run`);
      fn.exportName = tf.handler.split('.').pop() ?? '';
      return fn;
    }
    const r = resolveHandler(tf.codeRoot, tf.handler, tf.runtime || undefined, this.exists);
    fn.exportName = r.exportName;
    // PY-1: the packages above a Python module run first; their __init__.py stay inside the code root too.
    const loaded = r.file ? [r.file, ...this.packageInits(tf.codeRoot, r.file)] : [];
    const fileOutside = loaded.map((f) => handlerFileOutsideCodeRoot(f, tf.codeRoot, this.realPaths)).find(Boolean);
    if (fileOutside) {
      report('handler-outside-workspace', `${fileOutside}; it does not run`);
      return fn;
    }
    if (r.file) fn.handlerFile = r.file;
    if (r.problem)
      report(r.problem.code, r.problem.message, r.problem.code === 'runtime-mismatch' ? 'warning' : 'error');
    if (!tf.runtime && r.file) {
      fn.runtime = r.file.endsWith('.py') ? DEFAULT_RUNTIME.python : DEFAULT_RUNTIME.node;
      fn.origins.runtime = { source: 'default' };
    }
    if (r.file) {
      const scan = this.scanOf(r.file);
      if (scan && !scan.exports.some((e) => e.exportName === r.exportName)) {
        // NODE-3 / PY-2: Runtime.HandlerNotFound at invoke time; the module may still export it dynamically.
        report(
          'handler-not-found',
          `${path.relative(this.root, r.file)} has no export "${r.exportName}" (Runtime.HandlerNotFound)`,
          'warning',
        );
      }
    }
    return fn;
  }

  /** The `__init__.py` of each package a Python module file sits in below the code root, innermost first. */
  private packageInits(codeRoot: string, file: string): string[] {
    if (!file.endsWith('.py')) return [];
    const inits: string[] = [];
    for (let dir = path.dirname(file); dir !== codeRoot && isInside(codeRoot, dir); dir = path.dirname(dir)) {
      const init = path.join(dir, '__init__.py');
      if (init !== file && this.exists(init)) inits.push(init);
    }
    return inits;
  }

  /**
   * RUNTIME-1: a runtime the runner cannot run, an identifier Lambda does not know, or a deprecated runtime is said
   * once at the line that sets it (a function's Runtime, or the Globals several functions inherit).
   */
  private checkRuntime(file: string, tf: TemplateFunction, problems: DiscoveryProblem[], said: Set<string>): void {
    const support = runtimeSupport(tf.runtime, this.options.now?.() ?? new Date());
    if (support.kind === 'runs' && !support.deprecatedSince) return;
    const at = tf.origins.runtime;
    // A runtime nobody wrote (serverless.yml's default) is not the template's to fix.
    if (support.kind === 'runs' && at?.source === 'default') return;
    const where = { file: at?.file ?? file, line: at?.line ?? tf.origins.handler?.line ?? 1 };
    const key = `${where.file}:${where.line}:${tf.runtime}`;
    if (said.has(key)) return;
    said.add(key);
    if (support.kind === 'unknown')
      problems.push({ ...where, severity: 'error', code: 'unknown-runtime', message: support.reason });
    else if (support.kind === 'not-runnable')
      problems.push({ ...where, severity: 'warning', code: 'unsupported-runtime', message: support.reason });
    else
      problems.push({
        ...where,
        severity: 'warning',
        code: 'deprecated-runtime',
        message: deprecationNote(support.runtime, support.deprecatedSince!),
      });
  }

  private implicitFunction(file: string, scan: CodeScan, e: HandlerExport): FunctionConfig {
    const rel = this.relative(file);
    const moduleRel = rel.replace(/\.[^./]+$/, '');
    const python = scan.language === 'python';
    const defaults = this.options.editorDefaults ?? {};
    const label = `${moduleRel}.${e.exportName}`;
    return functionWithDefaults({
      id: `${rel}#${e.exportName}`,
      name: functionNameFromLabel(label),
      displayName: label,
      handler: `${path.basename(moduleRel)}.${e.exportName}`,
      runtime: python
        ? (defaults.pythonRuntime ?? DEFAULT_RUNTIME.python)
        : (defaults.nodeRuntime ?? DEFAULT_RUNTIME.node),
      codeRoot: path.dirname(file),
      handlerFile: file,
      exportName: e.exportName,
      origins: {
        handler: { file, line: e.line, source: 'code' },
        runtime: { source: 'default' },
        timeout: { source: 'default' },
        memorySize: { source: 'default' },
      },
      definedIn: file,
    });
  }

  /** Editor defaults fill what only Lambda's defaults set; `.env` and SAM env.json override variables. */
  private applyOverrides(fn: FunctionConfig): void {
    const d = this.options.editorDefaults;
    if (d) {
      if (d.timeout !== undefined && fn.origins.timeout?.source === 'default') {
        fn.timeout = d.timeout;
        fn.origins.timeout = { source: 'vscode' };
      }
      if (d.memorySize !== undefined && fn.origins.memorySize?.source === 'default') {
        fn.memorySize = d.memorySize;
        fn.origins.memorySize = { source: 'vscode' };
      }
      for (const [k, v] of Object.entries(d.environment ?? {})) {
        if (k in fn.environment) continue;
        fn.environment[k] = v;
        fn.origins[`environment.${k}`] = { source: 'vscode' };
      }
    }
    const definitionDir = path.dirname(fn.definedIn);
    const samEnv = this.samEnvs.get(path.join(definitionDir, 'env.json'));
    if (samEnv && (fn.definedBy === 'sam' || fn.definedBy === 'cloudformation')) applySamEnvJson(fn, samEnv);
    // The nearest .env between the definition's folder and the workspace root.
    for (let dir = definitionDir; isInside(this.root, dir); dir = path.dirname(dir)) {
      const env = this.dotEnvs.get(path.join(dir, '.env'));
      if (env) {
        applyDotEnv(fn, env);
        break;
      }
      if (dir === this.root) break;
    }
  }
}

function kindRank(kind: ConfigKind): number {
  return kind === 'template' ? 0 : kind === 'serverless' ? 1 : 2;
}
