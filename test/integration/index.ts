/**
 * Entry point the VS Code test harness calls inside the extension host (extensionTestsPath). Loads every compiled
 * suite next to this file and reports through files named by the outer runner (scripts/run-integration.mjs).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { attachFileReporter } from '../support/fileReporter';

export function run(): Promise<void> {
  const reportFile = process.env.LTR_TEST_REPORT;
  const countsFile = process.env.LTR_TEST_COUNTS;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'base' });
  const grep = process.env.LTR_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
      else resolve();
    });
    if (reportFile && countsFile) attachFileReporter(runner, reportFile, countsFile);
  });
}
