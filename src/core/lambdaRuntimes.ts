/**
 * Lambda's runtime identifiers (RUNTIME-1): the language and version behind each one, the day AWS deprecates it, and
 * whether the runner can run it. The runner runs the Node.js and Python runtimes AWS supports today or deprecated
 * recently (functions on a deprecated runtime keep running on AWS); everything else is said, never skipped.
 *
 * Deprecation dates are AWS's published ones (the Lambda runtimes page): from that day AWS no longer patches the
 * runtime, and weeks later blocks creating, then updating, functions on it. Invocations are never blocked.
 */

export type RuntimeLanguage = 'nodejs' | 'python' | 'java' | 'dotnet' | 'ruby' | 'provided' | 'go';

export interface LambdaRuntime {
  /** The identifier a template gives: `nodejs22.x`, `python3.13`, `java21`. */
  id: string;
  language: RuntimeLanguage;
  /** The language version: `22` for nodejs22.x, `3.13` for python3.13. */
  version: string;
  /** `Node.js 22`, `Python 3.13`. */
  name: string;
  /** The day AWS deprecates the runtime, `YYYY-MM-DD`, when AWS has announced it. */
  deprecation?: string;
  /** The runner runs functions on it. */
  runnable: boolean;
}

const node = (major: number, deprecation: string, runnable = true): LambdaRuntime => ({
  id: `nodejs${major}.x`,
  language: 'nodejs',
  version: String(major),
  name: `Node.js ${major}`,
  deprecation,
  runnable,
});

const python = (version: string, deprecation: string, runnable = true): LambdaRuntime => ({
  id: `python${version}`,
  language: 'python',
  version,
  name: `Python ${version}`,
  deprecation,
  runnable,
});

const other = (id: string, language: RuntimeLanguage, version: string, name: string): LambdaRuntime => ({
  id,
  language,
  version,
  name,
  runnable: false,
});

/** Newest first within each language. */
export const LAMBDA_RUNTIMES: readonly LambdaRuntime[] = [
  node(24, '2028-04-30'),
  node(22, '2027-04-30'),
  node(20, '2026-04-30'),
  node(18, '2025-09-01'),
  node(16, '2024-06-12', false),
  node(14, '2023-12-04', false),
  node(12, '2023-03-31', false),
  node(10, '2021-07-30', false),
  { ...node(8, '2020-03-06', false), id: 'nodejs8.10', version: '8.10' },
  { ...node(6, '2019-08-12', false), id: 'nodejs6.10', version: '6.10' },
  { ...node(4, '2020-03-06', false), id: 'nodejs4.3', version: '4.3' },
  python('3.14', '2029-06-30'),
  python('3.13', '2029-06-30'),
  python('3.12', '2028-10-31'),
  python('3.11', '2026-06-30'),
  python('3.10', '2026-06-30'),
  python('3.9', '2025-12-15'),
  python('3.8', '2024-10-14', false),
  python('3.7', '2023-12-04', false),
  python('3.6', '2022-07-18', false),
  python('2.7', '2021-07-15', false),
  other('java25', 'java', '25', 'Java 25'),
  other('java21', 'java', '21', 'Java 21'),
  other('java17', 'java', '17', 'Java 17'),
  other('java11', 'java', '11', 'Java 11'),
  other('java8.al2', 'java', '8', 'Java 8'),
  other('java8', 'java', '8', 'Java 8'),
  other('dotnet10', 'dotnet', '10', '.NET 10'),
  other('dotnet8', 'dotnet', '8', '.NET 8'),
  other('dotnet6', 'dotnet', '6', '.NET 6'),
  other('ruby3.4', 'ruby', '3.4', 'Ruby 3.4'),
  other('ruby3.3', 'ruby', '3.3', 'Ruby 3.3'),
  other('ruby3.2', 'ruby', '3.2', 'Ruby 3.2'),
  other('provided.al2023', 'provided', 'al2023', 'OS-only runtime (Amazon Linux 2023)'),
  other('provided.al2', 'provided', 'al2', 'OS-only runtime (Amazon Linux 2)'),
  other('provided', 'provided', 'al1', 'OS-only runtime (Amazon Linux)'),
  other('go1.x', 'go', '1.x', 'Go 1.x'),
];

const BY_ID = new Map(LAMBDA_RUNTIMES.map((r) => [r.id, r]));

/** The runtimes the runner runs, newest first: the ones a `--runtime` option offers. */
export const RUNNABLE_RUNTIMES: readonly string[] = LAMBDA_RUNTIMES.filter((r) => r.runnable).map((r) => r.id);

export function lambdaRuntime(id: string): LambdaRuntime | undefined {
  return BY_ID.get(id);
}

/** What the runner makes of a runtime identifier on a given day. */
export type RuntimeSupport =
  | {
      kind: 'runs';
      runtime: LambdaRuntime;
      /** Set once AWS has deprecated it: the day it did. */ deprecatedSince?: string;
    }
  | { kind: 'not-runnable'; runtime: LambdaRuntime; reason: string }
  | { kind: 'unknown'; id: string; reason: string };

const today = (now: Date): string => now.toISOString().slice(0, 10);

/** The newest runnable runtime of a language, to suggest instead of one that cannot run. */
function newest(language: 'nodejs' | 'python'): string {
  return LAMBDA_RUNTIMES.find((r) => r.language === language && r.runnable)!.id;
}

const LANGUAGE_NAMES: Record<RuntimeLanguage, string> = {
  nodejs: 'Node.js',
  python: 'Python',
  java: 'Java',
  dotnet: '.NET',
  ruby: 'Ruby',
  provided: 'OS-only (custom runtime)',
  go: 'Go',
};

/** RUNTIME-1: whether a function on `id` runs here, deprecated or not, and why not when it does not. */
export function runtimeSupport(id: string, now: Date = new Date()): RuntimeSupport {
  const runtime = BY_ID.get(id);
  if (!runtime) {
    const known = RUNNABLE_RUNTIMES.join(', ');
    return {
      kind: 'unknown',
      id,
      reason: `"${id}" is not a Lambda runtime identifier (the runner runs ${known})`,
    };
  }
  if (runtime.runnable) {
    const deprecated = runtime.deprecation !== undefined && runtime.deprecation <= today(now);
    return { kind: 'runs', runtime, ...(deprecated ? { deprecatedSince: runtime.deprecation } : {}) };
  }
  if (runtime.language === 'nodejs' || runtime.language === 'python') {
    return {
      kind: 'not-runnable',
      runtime,
      reason:
        `${id} reached its end of support on AWS Lambda on ${runtime.deprecation ?? '?'} and does not run here; ` +
        `move the function to ${newest(runtime.language)}`,
    };
  }
  const what =
    runtime.language === 'provided'
      ? `${id} is an OS-only runtime for a custom runtime (a bootstrap executable)`
      : `${id} is a ${LANGUAGE_NAMES[runtime.language]} runtime`;
  return {
    kind: 'not-runnable',
    runtime,
    reason: `${what}: the runner runs Node.js and Python functions only, so it cannot run this one`,
  };
}

/** A one-line account of a deprecated runtime, for diagnostics, `list` and the CLI. */
export function deprecationNote(runtime: LambdaRuntime, since: string): string {
  return (
    `${runtime.id} is deprecated since ${since}: AWS no longer patches it and blocks creating, then updating, ` +
    `functions on it (they still run, here too); move to ${newest(runtime.language as 'nodejs' | 'python')}`
  );
}
