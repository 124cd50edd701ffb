/**
 * A mocha reporter for suites that run where stdout is not ours (the VS Code extension host): it writes spec-style
 * lines and the final counts to files the outer test runner reads. Plain Node, no 'vscode'.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } =
  Mocha.Runner.constants;

export interface SuiteCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function attachFileReporter(runner: Mocha.Runner, reportFile: string, countsFile: string): void {
  let depth = 0;
  const counts: SuiteCounts = { passed: 0, failed: 0, skipped: 0 };
  const line = (text: string): void => {
    appendFileSync(reportFile, `${text}\n`);
    console.log(text);
  };
  runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
    if (suite.root) return;
    depth = suite.titlePath().length;
    line(`${'  '.repeat(depth)}${suite.title}`);
  });
  runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
    counts.passed++;
    line(`${'  '.repeat(depth + 1)}✔ ${test.title} (${test.duration ?? 0} ms)`);
  });
  runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
    counts.skipped++;
    line(`${'  '.repeat(depth + 1)}- ${test.title} (skipped)`);
  });
  runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, err: Error) => {
    counts.failed++;
    line(`${'  '.repeat(depth + 1)}✘ ${test.fullTitle()}\n${indent(err.stack ?? err.message, depth + 3)}`);
  });
  runner.once(EVENT_RUN_END, () => {
    writeFileSync(countsFile, JSON.stringify(counts));
  });
}

function indent(text: string, depth: number): string {
  return text
    .split('\n')
    .map((l) => `${'  '.repeat(depth)}${l}`)
    .join('\n');
}
