import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkspaceIndex } from '../../../src/core/discovery/workspaceIndex';

describe('discovery: code-only functions', () => {
  let dir: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };
  const build = async () => {
    const index = new WorkspaceIndex({ root: dir });
    await index.build();
    return index;
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-only-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('test files (tests/, test/, __tests__/, test_*.py, *_test.py, conftest.py, *.test.*, *.spec.*) are not functions and get no code lenses', async () => {
    const PY = 'def lambda_handler(event, context):\n    return event\n';
    const JS = 'exports.handler = async (event) => event;\n';
    write('app.py', PY);
    write('tests/unit/test_handler.py', 'def test_lambda_handler(apigw_event, mocker):\n    assert True\n');
    write('tests/conftest.py', PY);
    write('conftest.py', PY);
    write('orders_test.py', PY);
    write('test_orders.py', PY);
    write('test/helpers.js', JS);
    write('src/__tests__/app.js', JS);
    write('src/app.test.ts', 'export const handler = async (event: unknown) => event;\n');
    write('src/app.spec.mjs', 'export const handler = async (event) => event;\n');
    write('src/latest.js', JS);
    const index = await build();
    assert.deepEqual(
      index.functions().map((f) => f.id),
      ['app.py#lambda_handler', 'src/latest.js#handler'],
    );
    assert.deepEqual(index.handlersIn(path.join(dir, 'tests/unit/test_handler.py')), []);
    assert.deepEqual(index.handlersIn(path.join(dir, 'src/app.test.ts')), []);
    assert.equal(index.handlersIn(path.join(dir, 'src/latest.js')).length, 1);
  });

  it("a TypeScript re-export of a handler already listed (export { handler } from './app' in an index) is not a second function", async () => {
    write('src/app.ts', 'export const handler = async (event: unknown) => event;\n');
    write('src/index.ts', "export { handler } from './app';\n");
    write('src/lambda.ts', "export { handler as lambdaHandler } from './app.js';\n");
    write('src/barrel/index.ts', "export { lambdaHandler as handler } from '../lambda';\n");
    // A re-export of something that is not listed on its own is the only way to reach it: it stays.
    write('src/jobs.ts', 'export const run = () => 1;\n');
    write('src/only.ts', "export { run as handler } from './jobs';\n");
    const index = await build();
    assert.deepEqual(
      index.functions().map((f) => f.id),
      ['src/app.ts#handler', 'src/only.ts#handler'],
    );
    // A template running the index runs app's handler: that one is not listed again.
    write(
      'template.yaml',
      'Resources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: src/index.handler\n      Runtime: nodejs20.x\n',
    );
    index.update(path.join(dir, 'template.yaml'));
    assert.deepEqual(
      index.functions().map((f) => f.id),
      ['template.yaml#Api', 'src/only.ts#handler'],
    );
  });

  it('a code-only function has a Lambda-valid name made from its path and keeps the path as its display name; names that meet get a suffix', async () => {
    write('plain-handlers/invoice.ts', 'export const handler = async (event: unknown) => event;\n');
    write('plain-handlers/lambda_function.py', 'def lambda_handler(event, context):\n    return event\n');
    write('plain/handlers-invoice.js', 'exports.handler = async (event) => event;\n');
    const deep = `${'very-long-folder-name/'.repeat(4)}module.js`;
    write(deep, 'exports.handler = async (event) => event;\n');
    const index = await build();
    assert.deepEqual(
      index
        .functions()
        .map((f) => [f.displayName, f.name])
        .sort(),
      [
        ['plain-handlers/invoice.handler', 'plain-handlers-invoice-handler'],
        ['plain-handlers/lambda_function.lambda_handler', 'plain-handlers-lambda_function-lambda_handler'],
        // Met by plain-handlers/invoice.handler's name, which comes first in path order.
        ['plain/handlers-invoice.handler', 'plain-handlers-invoice-handler-2'],
        [deep.replace(/\.js$/, '.handler'), 'y-long-folder-name-very-long-folder-name-module-handler-8332edc1'],
      ],
    );
    for (const fn of index.functions()) assert.match(fn.name, /^[A-Za-z0-9_-]{1,64}$/, fn.name);
  });

  it('a template may still run a handler that lives in a test folder', async () => {
    write('test/fixture.js', 'exports.handler = async (event) => event;\n');
    write(
      'template.yaml',
      'Resources:\n  Fixture:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: test/fixture.handler\n      Runtime: nodejs20.x\n',
    );
    const index = await build();
    assert.deepEqual(
      index.functions().map((f) => f.id),
      ['template.yaml#Fixture'],
    );
    assert.deepEqual(
      index.handlersIn(path.join(dir, 'test/fixture.js')).map((s) => s.functions.map((f) => f.name)),
      [['Fixture']],
    );
  });
});
