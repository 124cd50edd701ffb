import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-types';
import type { DiscoveryProblem } from '../../core/discovery/functionConfig';
import type { WorkspaceIndex } from '../../core/discovery/workspaceIndex';

const SEVERITY: Record<DiscoveryProblem['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toDiagnostic(problem: DiscoveryProblem): Diagnostic {
  const line = Math.max(0, problem.line - 1);
  const character = Math.max(0, (problem.column ?? 1) - 1);
  return {
    // Without a column the whole line is marked (a key's line in a template).
    range: {
      start: { line, character },
      end: { line, character: problem.column ? character + 1 : Number.MAX_SAFE_INTEGER },
    },
    severity: SEVERITY[problem.severity],
    code: problem.code,
    source: 'lambda-trigger',
    message: problem.message,
  };
}

/** Diagnostics for one document (a template, serverless.yml, settings file or handler file). */
export function discoveryDiagnostics(index: WorkspaceIndex, uri: string): Diagnostic[] {
  if (!uri.startsWith('file:')) return [];
  return index.problems(fileURLToPath(uri)).map(toDiagnostic);
}

/** Every file with problems, as URIs with their diagnostics, for publishing after a (re)build. */
export function diagnosticsByUri(index: WorkspaceIndex): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const problem of index.problems()) {
    const uri = pathToFileURL(problem.file).toString();
    const list = out.get(uri) ?? [];
    list.push(toDiagnostic(problem));
    out.set(uri, list);
  }
  return out;
}
