import type * as TS from 'typescript';

// The TypeScript parser is large: it is loaded on the first scan, so commands that never scan code start fast.
let ts: typeof TS;
function loadTypeScript(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ts ??= require('typescript') as typeof TS;
}
import type { DiscoveryProblem } from './functionConfig';

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

function scriptKind(file: string): TS.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (file.endsWith('.jsx')) return ts.ScriptKind.JSX;
  if (/\.[mc]?ts$/.test(file)) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** Finds every export of a JS/TS module (ESM and CommonJS forms) and marks the handler-like ones. */
export function scanJsExports(file: string, text: string): CodeScan {
  loadTypeScript();
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, scriptKind(file));
  const language: CodeLanguage = /\.[mc]?tsx?$/.test(file) ? 'typescript' : 'javascript';
  const problems: DiscoveryProblem[] = [];
  const diagnostics = (sf as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) {
    const d = diagnostics[0];
    const pos = sf.getLineAndCharacterOfPosition(d.start);
    problems.push({
      file,
      line: pos.line + 1,
      column: pos.character + 1,
      severity: 'warning',
      code: 'syntax-error',
      message: `Syntax error (Runtime.UserCodeSyntaxError when loaded): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    });
  }

  // Top-level declarations, so `export { fn as handler }` and `exports.handler = fn` can see what fn is.
  const locals = new Map<string, TS.Node>();
  for (const stmt of sf.statements) {
    if (ts.isFunctionDeclaration(stmt) && stmt.name) locals.set(stmt.name.text, stmt);
    else if (ts.isClassDeclaration(stmt) && stmt.name) locals.set(stmt.name.text, stmt);
    else if (ts.isVariableStatement(stmt)) {
      for (const decl of stmt.declarationList.declarations)
        if (ts.isIdentifier(decl.name)) locals.set(decl.name.text, decl);
    }
  }

  const exports: HandlerExport[] = [];
  const seen = new Set<string>();
  const add = (
    exportName: string,
    nameNode: TS.Node,
    info: Callable,
    typeText?: string,
    reexport?: HandlerExport['reexport'],
  ) => {
    if (seen.has(exportName)) return;
    seen.add(exportName);
    const pos = sf.getLineAndCharacterOfPosition(nameNode.getStart(sf));
    const entry: HandlerExport = { exportName, line: pos.line + 1, column: pos.character + 1, handlerLike: false };
    if (reexport) entry.reexport = reexport;
    if (info.wrappedBy) entry.wrappedBy = info.wrappedBy;
    if (info.callable !== false) {
      const [first, second] = info.params;
      const signature =
        (first !== undefined && EVENT_PARAM.test(first)) ||
        (second !== undefined && CONTEXT_PARAM.test(second)) ||
        /Event\b|Event</.test(info.paramTypes[0] ?? '') ||
        /Handler\b/.test(typeText ?? '');
      if (signature) entry.reason = 'signature';
      else if (info.wrappedBy === 'middy' || info.wrappedBy === 'powertools') entry.reason = 'wrapped';
      else if (HANDLER_NAMES.test(exportName)) entry.reason = 'name';
      entry.handlerLike = entry.reason !== undefined;
    }
    exports.push(entry);
  };

  const unwrap = (e: TS.Expression): TS.Expression => {
    while (
      ts.isParenthesizedExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isSatisfiesExpression(e) ||
      ts.isNonNullExpression(e)
    ) {
      e = e.expression;
    }
    return e;
  };

  const fromFunction = (fn: TS.SignatureDeclarationBase): Callable => ({
    callable: true,
    params: fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')),
    paramTypes: fn.parameters.map((p) => (p.type ? p.type.getText(sf) : '')),
  });

  const analyse = (node: TS.Node | undefined, depth: number): Callable => {
    if (!node || depth > 8) return UNKNOWN;
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) return fromFunction(node);
    if (ts.isClassDeclaration(node)) return NOT_CALLABLE;
    if (ts.isVariableDeclaration(node)) return analyse(node.initializer, depth + 1);
    if (!ts.isExpression(node)) return UNKNOWN;
    const e = unwrap(node);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return fromFunction(e);
    if (ts.isIdentifier(e)) return analyse(locals.get(e.text), depth + 1);
    if (
      ts.isStringLiteralLike(e) ||
      ts.isNumericLiteral(e) ||
      ts.isObjectLiteralExpression(e) ||
      ts.isArrayLiteralExpression(e)
    ) {
      return NOT_CALLABLE;
    }
    if (ts.isClassExpression(e) || ts.isNewExpression(e)) return NOT_CALLABLE;
    if (ts.isCallExpression(e)) return analyseCall(e, depth);
    return UNKNOWN;
  };

  const analyseCall = (call: TS.CallExpression, depth: number): Callable => {
    // Powertools: `export const handler = instance.handler.bind(instance)` on a class with a decorated method.
    const callee = unwrap(call.expression);
    if (
      ts.isPropertyAccessExpression(callee) &&
      callee.name.text === 'bind' &&
      ts.isPropertyAccessExpression(callee.expression)
    ) {
      const method = classMethod(callee.expression);
      if (method) {
        const decorated = (ts.getDecorators(method) ?? []).some((d) => POWERTOOLS_DECORATORS.test(d.getText(sf)));
        return { ...fromFunction(method), ...(decorated ? { wrappedBy: 'powertools' } : {}) };
      }
    }
    // Wrapper chains: `middy(fn).use(x)`, `middy().handler(fn)`, `Sentry.wrapHandler(fn)`, `withTracing(fn)`.
    let root: TS.Expression = call;
    let inner: Callable = UNKNOWN;
    while (ts.isCallExpression(root)) {
      for (const arg of root.arguments) {
        const a = analyse(arg, depth + 1);
        if (a.callable === true && inner.callable !== true) inner = a;
      }
      const c = unwrap(root.expression);
      root = ts.isPropertyAccessExpression(c) ? unwrap(c.expression) : c;
    }
    const name = ts.isIdentifier(root)
      ? root.text
      : ts.isPropertyAccessExpression(root)
        ? root.name.text
        : call.expression.getText(sf);
    return {
      ...inner,
      callable: inner.callable === true ? true : 'unknown',
      wrappedBy: name === 'middy' ? 'middy' : name,
    };
  };

  const classMethod = (access: TS.PropertyAccessExpression): TS.MethodDeclaration | undefined => {
    const target = unwrap(access.expression);
    if (!ts.isIdentifier(target)) return undefined;
    const decl = locals.get(target.text);
    const init = decl && ts.isVariableDeclaration(decl) && decl.initializer ? unwrap(decl.initializer) : undefined;
    if (!init || !ts.isNewExpression(init) || !ts.isIdentifier(init.expression)) return undefined;
    const cls = locals.get(init.expression.text);
    if (!cls || !ts.isClassDeclaration(cls)) return undefined;
    return cls.members.find(
      (m): m is TS.MethodDeclaration =>
        ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === access.name.text,
    );
  };

  const cjsTarget = (left: TS.Expression): { name: string; node: TS.Node } | 'module' | undefined => {
    const l = unwrap(left);
    const isExports = (e: TS.Expression) =>
      (ts.isIdentifier(e) && e.text === 'exports') ||
      (ts.isPropertyAccessExpression(e) &&
        ts.isIdentifier(e.expression) &&
        e.expression.text === 'module' &&
        e.name.text === 'exports');
    if (isExports(l)) return ts.isIdentifier(l) ? undefined : 'module';
    if (ts.isPropertyAccessExpression(l) && isExports(unwrap(l.expression))) return { name: l.name.text, node: l.name };
    if (
      ts.isElementAccessExpression(l) &&
      isExports(unwrap(l.expression)) &&
      ts.isStringLiteralLike(l.argumentExpression)
    ) {
      return { name: l.argumentExpression.text, node: l.argumentExpression };
    }
    return undefined;
  };

  const objectExports = (obj: TS.ObjectLiteralExpression) => {
    for (const prop of obj.properties) {
      if (ts.isShorthandPropertyAssignment(prop)) add(prop.name.text, prop.name, analyse(prop.name, 0));
      else if (ts.isPropertyAssignment(prop) && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))) {
        add(prop.name.text, prop.name, analyse(prop.initializer, 0));
      } else if (ts.isMethodDeclaration(prop) && ts.isIdentifier(prop.name))
        add(prop.name.text, prop.name, fromFunction(prop));
    }
  };

  for (const stmt of sf.statements) {
    const exported = hasModifier(stmt, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(stmt, ts.SyntaxKind.DefaultKeyword);
    if (ts.isVariableStatement(stmt) && exported) {
      for (const decl of stmt.declarationList.declarations) {
        if (ts.isIdentifier(decl.name)) add(decl.name.text, decl.name, analyse(decl, 0), decl.type?.getText(sf));
      }
    } else if (ts.isFunctionDeclaration(stmt) && exported) {
      const nameNode = stmt.name ?? stmt;
      add(isDefault ? 'default' : (stmt.name?.text ?? 'default'), nameNode, fromFunction(stmt));
    } else if (ts.isClassDeclaration(stmt) && exported && stmt.name) {
      add(isDefault ? 'default' : stmt.name.text, stmt.name, NOT_CALLABLE);
    } else if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
      for (const el of stmt.exportClause.elements) {
        const local = (el.propertyName ?? el.name).getText(sf);
        const from =
          stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier) ? stmt.moduleSpecifier.text : undefined;
        // Re-exports from another module: the name and where it comes from are all we know here.
        add(
          el.name.getText(sf),
          el.name,
          stmt.moduleSpecifier ? UNKNOWN : analyse(locals.get(local), 0),
          undefined,
          from !== undefined ? { from, name: local } : undefined,
        );
      }
    } else if (ts.isExportAssignment(stmt)) {
      add('default', stmt.expression, analyse(stmt.expression, 0));
    } else if (ts.isExpressionStatement(stmt)) {
      const expr = unwrap(stmt.expression);
      if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const target = cjsTarget(expr.left);
        const right = unwrap(expr.right);
        if (target === 'module' && ts.isObjectLiteralExpression(right)) objectExports(right);
        else if (target && target !== 'module') add(target.name, target.node, analyse(right, 0));
      } else if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) && expr.expression.text === '__export') {
        // esbuild's CommonJS output: __export(mod, { handler: () => handler })
        const map = expr.arguments[1];
        if (map && ts.isObjectLiteralExpression(map)) {
          for (const prop of map.properties) {
            if (!ts.isPropertyAssignment(prop) || !(ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)))
              continue;
            const getter = unwrap(prop.initializer);
            const value = ts.isArrowFunction(getter) && ts.isExpression(getter.body) ? getter.body : undefined;
            add(prop.name.text, prop.name, analyse(value, 0));
          }
        }
      }
    }
  }
  return { language, exports, problems };
}
