/**
 * Test code is not a function: handler-like exports of test files (`test_handler.py`'s `test_lambda_handler`, a spec's
 * helpers) are not listed as code-only functions and get no code lenses. A template may still point at one.
 */

/** Folders whose files are tests, at any depth. */
const TEST_FOLDERS = new Set(['test', 'tests', '__tests__']);
const PYTHON_TEST = /^(test_.*|.*_test|conftest)\.py$/;
const JS_TEST = /\.(test|spec)\.[cm]?[jt]sx?$/;

/** True for a test file, by a path relative to the workspace root with `/` separators. */
export function isTestFile(relativePath: string): boolean {
  const parts = relativePath.split('/');
  const base = parts[parts.length - 1];
  return parts.slice(0, -1).some((dir) => TEST_FOLDERS.has(dir)) || PYTHON_TEST.test(base) || JS_TEST.test(base);
}
