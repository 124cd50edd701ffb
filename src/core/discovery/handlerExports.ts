import type * as Babel from '@babel/parser';
import type * as B from '@babel/types';
import type { DiscoveryProblem } from './functionConfig';

// The parser (Babel's: JavaScript, TypeScript, JSX, decorators) is loaded on the first scan, so commands that never
// scan code start without it. The bundles share one copy of it (scripts/build.mjs: dist/vendor/babel-parser.js).
let babel: typeof Babel | undefined;
function parser(): typeof Babel {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (babel ??= require('@babel/parser') as typeof Babel);
}

/** One export of a code file, with where its name is written (for the code lens above it). */
export interface HandlerExport {
  exportName: string;
  /** 1-based line and column of the exported name. */
  line: number;
  column: number;
  /** True when the export looks like a Lambda handler (name, signature, wrapper) on its own. */
  handlerLike: boolean;
  reason?: 'name' | 'signature' | 'wrapped';
  /** The wrapper around the function: `middy`, `powertools` (decorated class method) or the wrapping call. */
  wrappedBy?: string;
  /** `export { handler } from './app'`: the module specifier and the name exported there. */
  reexport?: { from: string; name: string };
}

export type CodeLanguage = 'javascript' | 'typescript' | 'python';

export interface CodeScan {
  language: CodeLanguage;
  exports: HandlerExport[];
  problems: DiscoveryProblem[];
}

export const JS_EXTENSIONS = ['.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'];

/**
 * Cheap pre-filter: a file none of whose text matches can hold no handler-like export (every rule below needs
 * one of these words), so the parser only runs on files that may. Files a template references skip it.
 */
const HANDLER_WORDS = /[Hh]andle|\bmain\b|[Ee]vent|\bevt\b|[Cc]ontext|\bctx\b|middy/;

export function mayContainHandler(text: string): boolean {
  return HANDLER_WORDS.test(text);
}

const HANDLER_NAMES = /^(handler|lambdaHandler|lambda_handler|main|handle)$|Handler$/;
const EVENT_PARAM = /^_?(event|evt)$/i;
const CONTEXT_PARAM = /^_?(context|ctx)$/i;
const POWERTOOLS_DECORATORS = /captureLambdaHandler|injectLambdaContext|logMetrics|makeIdempotent|idempotent/;

interface Callable {
  /** false when the value is certainly not a function (literal, object, class). */
  callable: boolean | 'unknown';
  params: string[];
  paramTypes: string[];
  wrappedBy?: string;
}

const UNKNOWN: Callable = { callable: 'unknown', params: [], paramTypes: [] };
const NOT_CALLABLE: Callable = { callable: false, params: [], paramTypes: [] };

/** How Node.js and the TypeScript toolchain read `file`: its syntax plugins and whether it is a module or a script. */
function parserOptions(file: string): Babel.ParserOptions {
  const typescript = /\.[mc]?tsx?$/.test(file);
  // A .js file may hold JSX (React-style handlers transpiled by the bundler); a .ts file may not: `<T>(x) => x`.
  const jsx = !typescript || file.endsWith('.tsx');
  const plugins: Babel.ParserPlugin[] = [
    ...(typescript ? ['typescript' as const] : []),
    ...(jsx ? ['jsx' as const] : []),
    // Both placements (`@d export class`, `export @d class`), as TypeScript accepts them.
    'decorators',
    'explicitResourceManagement',
    // `import data from './x.json' assert { type: 'json' }`: Node.js 20 and 18 still accept it.
    'deprecatedImportAssert',
  ];
  return {
    // A .cts file is CommonJS once compiled, but may be written with import and export.
    sourceType: /\.m[jt]s$/.test(file) ? 'module' : file.endsWith('.cjs') ? 'script' : 'unambiguous',
    plugins,
    errorRecovery: true,
    allowReturnOutsideFunction: true,
    allowUndeclaredExports: true,
    attachComment: false,
  };
}

/** A syntax error's 1-based line and column, and its message without Babel's "(line:column)" suffix. */
interface SyntaxProblem {
  line: number;
  column: number;
  message: string;
}

function syntaxProblem(e: unknown): SyntaxProblem | undefined {
  const loc = (e as { loc?: { line: number; column: number } } | null)?.loc;
  if (!loc || !(e instanceof Error)) return undefined;
  return { line: loc.line, column: loc.column + 1, message: e.message.replace(/\s*\(\d+:\d+\)$/, '') };
}

/** `text` with line `line` (1-based) blanked out, every offset kept. */
function withoutLine(text: string, line: number): string {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return text;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  const stop = end < 0 ? text.length : end;
  return text.slice(0, start) + text.slice(start, stop).replace(/[^\r]/g, ' ') + text.slice(stop);
}

/**
 * Lines blanked to read past syntax errors the parser cannot recover from: at most 100 (a cookiecutter template's
 * `{%- if ... %}` lines are often dozens), and no more than about 2 MB of text parsed again in all.
 */
const maxReparses = (length: number): number => Math.max(1, Math.min(100, Math.floor(2_000_000 / Math.max(1, length))));

/**
 * NODE-3: parses `text`, reading past errors: recoverable ones are collected by the parser, and a line it cannot get
 * past is blanked and the file parsed again, so the exports around a typo are still listed. The first error is kept.
 */
function parseLeniently(file: string, text: string): { program: B.Program | undefined; error?: SyntaxProblem } {
  const options = parserOptions(file);
  let source = text;
  let first: SyntaxProblem | undefined;
  for (let attempt = 0, last = maxReparses(text.length); attempt <= last; attempt++) {
    try {
      const ast = parser().parse(source, options);
      const recovered = ast.errors?.[0];
      if (!first && recovered) first = syntaxProblem(recovered);
      return { program: ast.program, ...(first ? { error: first } : {}) };
    } catch (e) {
      const problem = syntaxProblem(e);
      if (!problem) return { program: undefined, error: first ?? { line: 1, column: 1, message: String(e) } };
      first ??= problem;
      source = withoutLine(source, problem.line);
    }
  }
  return { program: undefined, ...(first ? { error: first } : {}) };
}

type Fn = B.Function | B.TSDeclareFunction | B.TSDeclareMethod;

/** Expression wrappers that change nothing about the value: type assertions and the non-null operator. */
function unwrap(e: B.Node): B.Node {
  while (
    e.type === 'ParenthesizedExpression' ||
    e.type === 'TSAsExpression' ||
    e.type === 'TSSatisfiesExpression' ||
    e.type === 'TSNonNullExpression' ||
    e.type === 'TSTypeAssertion'
  ) {
    e = e.expression;
  }
  return e;
}

/** `a.b` (or `a?.b`): the object and the property's name; undefined for `a[b]` and anything else. */
function propertyAccess(e: B.Node): { object: B.Node; name: string; nameNode: B.Node } | undefined {
  if ((e.type !== 'MemberExpression' && e.type !== 'OptionalMemberExpression') || e.computed) return undefined;
  const p = e.property;
  if (p.type === 'Identifier') return { object: e.object, name: p.name, nameNode: p };
  if (p.type === 'PrivateName') return { object: e.object, name: `#${p.id.name}`, nameNode: p };
  return undefined;
}

/** A string literal or a template literal without substitutions: its value. */
function stringValue(e: B.Node): string | undefined {
  if (e.type === 'StringLiteral') return e.value;
  if (e.type === 'TemplateLiteral' && e.expressions.length === 0) return e.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

const isCall = (e: B.Node): e is B.CallExpression | B.OptionalCallExpression =>
  e.type === 'CallExpression' || e.type === 'OptionalCallExpression';

/** A property key written as a name or a string: `handler`, `'handler'`. */
function keyName(key: B.Node, computed: boolean): string | undefined {
  if (computed) return undefined;
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'StringLiteral') return key.value;
  return undefined;
}

/** Finds every export of a JS/TS module (ESM and CommonJS forms) and marks the handler-like ones. */
export function scanJsExports(file: string, text: string): CodeScan {
  const language: CodeLanguage = /\.[mc]?tsx?$/.test(file) ? 'typescript' : 'javascript';
  const problems: DiscoveryProblem[] = [];
  const { program, error } = parseLeniently(file, text);
  if (error) {
    problems.push({
      file,
      line: error.line,
      column: error.column,
      severity: 'warning',
      code: 'syntax-error',
      message: `Syntax error (Runtime.UserCodeSyntaxError when loaded): ${error.message}`,
    });
  }
  if (!program) return { language, exports: [], problems };

  /** The node's text as written, with the parentheses around it (`(0, core_1.default)` of compiled TypeScript). */
  const source = (node: B.Node): string => {
    const written = text.slice(node.start ?? 0, node.end ?? 0);
    return (node.extra as { parenthesized?: boolean } | undefined)?.parenthesized ? `(${written})` : written;
  };
  const typeText = (node: B.Node | null | undefined): string | undefined => {
    const annotation = node && 'typeAnnotation' in node ? node.typeAnnotation : undefined;
    if (!annotation || annotation.type === 'Noop') return undefined;
    const inner = 'typeAnnotation' in annotation ? annotation.typeAnnotation : undefined;
    return inner && typeof inner === 'object' && 'type' in inner ? source(inner) : undefined;
  };

  // Top-level declarations, so `export { fn as handler }` and `exports.handler = fn` can see what fn is.
  const locals = new Map<string, B.Node>();
  const declare = (decl: B.Node | null | undefined): void => {
    if (!decl) return;
    if (
      (decl.type === 'FunctionDeclaration' || decl.type === 'TSDeclareFunction' || decl.type === 'ClassDeclaration') &&
      decl.id
    ) {
      locals.set(decl.id.name, decl);
    } else if (decl.type === 'VariableDeclaration') {
      for (const d of decl.declarations) if (d.id.type === 'Identifier') locals.set(d.id.name, d);
    }
  };
  for (const stmt of program.body) {
    if (stmt.type === 'ExportNamedDeclaration' || stmt.type === 'ExportDefaultDeclaration') declare(stmt.declaration);
    else declare(stmt);
  }

  const exports: HandlerExport[] = [];
  const seen = new Set<string>();
  const add = (
    exportName: string,
    nameNode: B.Node,
    info: Callable,
    declaredType?: string,
    reexport?: HandlerExport['reexport'],
  ) => {
    if (seen.has(exportName)) return;
    seen.add(exportName);
    const start = nameNode.loc?.start ?? { line: 1, column: 0 };
    const entry: HandlerExport = { exportName, line: start.line, column: start.column + 1, handlerLike: false };
    if (reexport) entry.reexport = reexport;
    if (info.wrappedBy) entry.wrappedBy = info.wrappedBy;
    if (info.callable !== false) {
      const [first, second] = info.params;
      const signature =
        (first !== undefined && EVENT_PARAM.test(first)) ||
        (second !== undefined && CONTEXT_PARAM.test(second)) ||
        /Event\b|Event</.test(info.paramTypes[0] ?? '') ||
        /Handler\b/.test(declaredType ?? '');
      if (signature) entry.reason = 'signature';
      else if (info.wrappedBy === 'middy' || info.wrappedBy === 'powertools') entry.reason = 'wrapped';
      else if (HANDLER_NAMES.test(exportName)) entry.reason = 'name';
      entry.handlerLike = entry.reason !== undefined;
    }
    exports.push(entry);
  };

  /** A parameter's name (`event`, `event = {}`, `...args`) and its declared type, as written. */
  const parameter = (p: B.Node): { name: string; type: string } => {
    const named = p.type === 'AssignmentPattern' ? p.left : p.type === 'RestElement' ? p.argument : p;
    const name = named.type === 'Identifier' ? named.name : '';
    return { name, type: typeText(named) ?? (p.type === 'RestElement' ? typeText(p) : undefined) ?? '' };
  };

  const fromFunction = (fn: Fn): Callable => {
    const params = fn.params.map(parameter);
    return { callable: true, params: params.map((p) => p.name), paramTypes: params.map((p) => p.type) };
  };

  const analyse = (node: B.Node | null | undefined, depth: number): Callable => {
    if (!node || depth > 8) return UNKNOWN;
    if (
      node.type === 'FunctionDeclaration' ||
      node.type === 'TSDeclareFunction' ||
      node.type === 'ClassMethod' ||
      (node.type === 'ObjectMethod' && node.kind === 'method')
    ) {
      return fromFunction(node);
    }
    if (node.type === 'ClassDeclaration') return NOT_CALLABLE;
    if (node.type === 'VariableDeclarator') return analyse(node.init, depth + 1);
    const e = unwrap(node);
    switch (e.type) {
      case 'ArrowFunctionExpression':
      case 'FunctionExpression':
        return fromFunction(e);
      case 'Identifier':
        return analyse(locals.get(e.name), depth + 1);
      case 'StringLiteral':
      case 'NumericLiteral':
      case 'ObjectExpression':
      case 'ArrayExpression':
      case 'ClassExpression':
      case 'NewExpression':
        return NOT_CALLABLE;
      case 'TemplateLiteral':
        return e.expressions.length === 0 ? NOT_CALLABLE : UNKNOWN;
      case 'CallExpression':
      case 'OptionalCallExpression':
        return analyseCall(e, depth);
      default:
        return UNKNOWN;
    }
  };

  const analyseCall = (call: B.CallExpression | B.OptionalCallExpression, depth: number): Callable => {
    // Powertools: `export const handler = instance.handler.bind(instance)` on a class with a decorated method.
    const callee = propertyAccess(unwrap(call.callee));
    const bound = callee?.name === 'bind' ? propertyAccess(callee.object) : undefined;
    if (bound) {
      const method = classMethod(bound.object, bound.name);
      if (method) {
        const decorated = (method.decorators ?? []).some((d) => POWERTOOLS_DECORATORS.test(source(d)));
        return { ...fromFunction(method), ...(decorated ? { wrappedBy: 'powertools' } : {}) };
      }
    }
    // Wrapper chains: `middy(fn).use(x)`, `middy().handler(fn)`, `Sentry.wrapHandler(fn)`, `withTracing(fn)`.
    let root: B.Node = call;
    let inner: Callable = UNKNOWN;
    while (isCall(root)) {
      for (const arg of root.arguments) {
        const a = analyse(arg, depth + 1);
        if (a.callable === true && inner.callable !== true) inner = a;
      }
      const c = unwrap(root.callee);
      const access = propertyAccess(c);
      root = access ? unwrap(access.object) : c;
    }
    const access = propertyAccess(root);
    const name = root.type === 'Identifier' ? root.name : access ? access.name : source(call.callee);
    return {
      ...inner,
      callable: inner.callable === true ? true : 'unknown',
      wrappedBy: name === 'middy' ? 'middy' : name,
    };
  };

  /** `instance.method` where `const instance = new Class()` and Class declares `method`. */
  const classMethod = (object: B.Node, method: string): B.ClassMethod | undefined => {
    const target = unwrap(object);
    if (target.type !== 'Identifier') return undefined;
    const decl = locals.get(target.name);
    const init = decl?.type === 'VariableDeclarator' && decl.init ? unwrap(decl.init) : undefined;
    if (init?.type !== 'NewExpression' || init.callee.type !== 'Identifier') return undefined;
    const cls = locals.get(init.callee.name);
    if (cls?.type !== 'ClassDeclaration') return undefined;
    return cls.body.body.find(
      (m): m is B.ClassMethod =>
        m.type === 'ClassMethod' && m.kind === 'method' && keyName(m.key, m.computed) === method,
    );
  };

  const isExports = (e: B.Node): boolean => {
    if (e.type === 'Identifier') return e.name === 'exports';
    const access = propertyAccess(e);
    return access?.name === 'exports' && access.object.type === 'Identifier' && access.object.name === 'module';
  };

  const cjsTarget = (left: B.Node): { name: string; node: B.Node } | 'module' | undefined => {
    const l = unwrap(left);
    if (isExports(l)) return l.type === 'Identifier' ? undefined : 'module';
    const access = propertyAccess(l);
    if (access && isExports(unwrap(access.object))) return { name: access.name, node: access.nameNode };
    if ((l.type === 'MemberExpression' || l.type === 'OptionalMemberExpression') && l.computed) {
      const name = stringValue(l.property);
      if (name !== undefined && isExports(unwrap(l.object))) return { name, node: l.property };
    }
    return undefined;
  };

  const objectExports = (obj: B.ObjectExpression) => {
    for (const prop of obj.properties) {
      if (prop.type === 'ObjectProperty') {
        const name = keyName(prop.key, prop.computed);
        if (name !== undefined) add(name, prop.key, analyse(prop.value, 0));
      } else if (
        prop.type === 'ObjectMethod' &&
        prop.kind === 'method' &&
        prop.key.type === 'Identifier' &&
        !prop.computed
      )
        add(prop.key.name, prop.key, fromFunction(prop));
    }
  };

  const exportDeclaration = (decl: B.Declaration, stmt: B.Node): void => {
    if (decl.type === 'VariableDeclaration') {
      for (const d of decl.declarations)
        if (d.id.type === 'Identifier') add(d.id.name, d.id, analyse(d, 0), typeText(d.id));
    } else if (decl.type === 'FunctionDeclaration' || decl.type === 'TSDeclareFunction') {
      add(decl.id?.name ?? 'default', decl.id ?? stmt, fromFunction(decl));
    } else if (decl.type === 'ClassDeclaration' && decl.id) {
      add(decl.id.name, decl.id, NOT_CALLABLE);
    }
  };

  for (const stmt of program.body) {
    if (stmt.type === 'ExportNamedDeclaration') {
      if (stmt.exportKind === 'type') continue;
      if (stmt.declaration) exportDeclaration(stmt.declaration, stmt);
      const from = stmt.source?.value;
      for (const el of stmt.specifiers) {
        if (el.type !== 'ExportSpecifier' || el.exportKind === 'type') continue;
        const local = el.local.name;
        const exported = el.exported.type === 'Identifier' ? el.exported.name : el.exported.value;
        // Re-exports from another module: the name and where it comes from are all we know here.
        add(
          exported,
          el.exported,
          from !== undefined ? UNKNOWN : analyse(locals.get(local), 0),
          undefined,
          from !== undefined ? { from, name: local } : undefined,
        );
      }
    } else if (stmt.type === 'ExportDefaultDeclaration') {
      const decl = stmt.declaration;
      if (decl.type === 'FunctionDeclaration' || decl.type === 'TSDeclareFunction')
        add('default', decl.id ?? stmt, fromFunction(decl));
      else if (decl.type === 'ClassDeclaration') {
        if (decl.id) add('default', decl.id, NOT_CALLABLE);
      } else add('default', decl, analyse(decl, 0));
    } else if (stmt.type === 'TSExportAssignment') {
      add('default', stmt.expression, analyse(stmt.expression, 0));
    } else if (stmt.type === 'ExpressionStatement') {
      const expr = unwrap(stmt.expression);
      if (expr.type === 'AssignmentExpression' && expr.operator === '=') {
        const target = cjsTarget(expr.left);
        const right = unwrap(expr.right);
        if (target === 'module' && right.type === 'ObjectExpression') objectExports(right);
        else if (target && target !== 'module') add(target.name, target.node, analyse(right, 0));
      } else if (isCall(expr) && expr.callee.type === 'Identifier' && expr.callee.name === '__export') {
        // esbuild's CommonJS output: __export(mod, { handler: () => handler })
        const map = expr.arguments[1];
        if (map?.type === 'ObjectExpression') {
          for (const prop of map.properties) {
            if (prop.type !== 'ObjectProperty') continue;
            const name = keyName(prop.key, prop.computed);
            const getter = unwrap(prop.value);
            if (name === undefined || getter.type !== 'ArrowFunctionExpression') continue;
            add(name, prop.key, getter.body.type === 'BlockStatement' ? UNKNOWN : analyse(getter.body, 0));
          }
        }
      }
    }
  }
  return { language, exports, problems };
}
