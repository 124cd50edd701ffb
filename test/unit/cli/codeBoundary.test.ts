/**
 * The README's promise, end to end through `list` and `invoke` with real child processes: a code root outside the
 * workspace (`../outside`, an absolute path) and a handler file (or Python package) linked to a file outside its code
 * root do not run, for Node.js and Python alike, and `list` reports each with the same words; packages a handler
 * imports through a link under node_modules still load, and a workspace reached through a link still runs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InvocationRecord } from '../../../src/core/invoke/invocationRecord';
import { buildBootstraps } from '../runtime/bootstrapBuild';
import { cli } from './cliHarness';

const OUTSIDE_JS = (marker: string) =>
  `exports.handler = async () => { require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); return 'outside'; };\n`;
const OUTSIDE_PY = (marker: string) =>
  `def handler(event, context):\n    open(${JSON.stringify(marker)}, "w").write("ran")\n    return "outside"\n`;

function fn(name: string, codeUri: string, handler: string, runtime: string): string[] {
  return [
    `  ${name}:`,
    '    Type: AWS::Serverless::Function',
    '    Properties:',
    `      CodeUri: ${codeUri}`,
    `      Handler: ${handler}`,
    `      Runtime: ${runtime}`,
  ];
}

describe('cli: code outside the workspace or its code root does not run', function () {
  this.timeout(60_000);
  let base: string;
  let ws: string;
  let outside: string;
  let marker: string;
  let env: Record<string, string>;

  before(async function () {
    if (process.platform === 'win32') this.skip(); // symlinks need privileges there
    env = { LAMBDA_TRIGGER_BOOTSTRAP_DIR: await buildBootstraps() };
    // Real paths throughout: the workspace may itself sit behind a link (/tmp on macOS), which must not matter.
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ltr-boundary-')));
    ws = path.join(base, 'ws');
    outside = path.join(base, 'outside');
    marker = path.join(base, 'ran-outside');
    fs.mkdirSync(path.join(outside, 'pkg'), { recursive: true });
    fs.mkdirSync(path.join(outside, 'dep'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'app.js'), OUTSIDE_JS(marker));
    fs.writeFileSync(path.join(outside, 'app.py'), OUTSIDE_PY(marker));
    fs.writeFileSync(path.join(outside, 'pkg', '__init__.py'), '');
    fs.writeFileSync(path.join(outside, 'pkg', 'mod.py'), OUTSIDE_PY(marker));
    fs.writeFileSync(path.join(outside, 'dep', 'index.js'), 'exports.value = "dep from a link";\n');
    fs.mkdirSync(path.join(ws, 'src', 'node_modules'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'py'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'app.js'), path.join(ws, 'src', 'linked.js'));
    fs.symlinkSync(path.join(outside, 'app.py'), path.join(ws, 'py', 'linked.py'));
    fs.symlinkSync(path.join(outside, 'pkg'), path.join(ws, 'py', 'pkg'), 'dir');
    fs.symlinkSync(path.join(outside, 'dep'), path.join(ws, 'src', 'node_modules', 'dep'), 'dir');
    fs.mkdirSync(path.join(ws, 'py', 'pkg2'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'py', 'pkg2', 'mod.py'), OUTSIDE_PY(marker));
    fs.symlinkSync(path.join(outside, 'pkg', '__init__.py'), path.join(ws, 'py', 'pkg2', '__init__.py'));
    fs.mkdirSync(path.join(outside, 'lib'));
    fs.writeFileSync(path.join(outside, 'lib', 'index.js'), OUTSIDE_JS(marker));
    fs.symlinkSync(path.join(outside, 'lib'), path.join(ws, 'src', 'lib'), 'dir');
    fs.writeFileSync(path.join(ws, 'src', 'inside.js'), 'exports.handler = async () => require("dep").value;\n');
    fs.symlinkSync(outside, path.join(ws, 'linked-root'), 'dir');
    fs.mkdirSync(path.join(ws, 'src', 'orders'));
    fs.writeFileSync(path.join(ws, 'src', 'orders', 'index.js'), 'exports.handler = async () => "index inside";\n');
    fs.writeFileSync(
      path.join(ws, 'template.yaml'),
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Resources:',
        ...fn('OutsideNode', '../outside', 'app.handler', 'nodejs22.x'),
        ...fn('AbsoluteNode', outside, 'app.handler', 'nodejs22.x'),
        ...fn('OutsidePython', '../outside', 'app.handler', 'python3.12'),
        ...fn('LinkedNode', 'src', 'linked.handler', 'nodejs22.x'),
        ...fn('LinkedPython', 'py', 'linked.handler', 'python3.12'),
        ...fn('LinkedPackage', 'py', 'pkg/mod.handler', 'python3.12'),
        ...fn('LinkedInit', 'py', 'pkg2.mod.handler', 'python3.12'),
        ...fn('Inside', 'src', 'inside.handler', 'nodejs22.x'),
        ...fn('LinkedDirectory', 'src', 'lib.handler', 'nodejs22.x'),
        ...fn('LinkedDirectoryFile', 'src', 'lib/index.handler', 'nodejs22.x'),
        ...fn('LinkedCodeRoot', 'linked-root', 'app.handler', 'nodejs22.x'),
        ...fn('DirectoryIndex', 'src', 'orders.handler', 'nodejs22.x'),
        ...fn('AbsoluteHandlerNode', 'src', `${outside}/app.handler`, 'nodejs22.x'),
        ...fn('AbsoluteHandlerPython', 'py', `${outside}/app.handler`, 'python3.12'),
        ...fn('BuiltInModule', 'src', 'timers/promises.setImmediate', 'nodejs22.x'),
        '',
      ].join('\n'),
    );
  });
  after(() => {
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  const refusals = (): [string, string, string][] => [
    ['OutsideNode', 'app.handler', `code root ${outside} is outside the workspace ${ws}`],
    ['AbsoluteNode', 'app.handler', `code root ${outside} is outside the workspace ${ws}`],
    ['OutsidePython', 'app.handler', `code root ${outside} is outside the workspace ${ws}`],
    [
      'LinkedNode',
      'linked.handler',
      `handler file ${ws}/src/linked.js (which resolves to ${outside}/app.js) is outside its code root ${ws}/src`,
    ],
    [
      'LinkedPython',
      'linked.handler',
      `handler file ${ws}/py/linked.py (which resolves to ${outside}/app.py) is outside its code root ${ws}/py`,
    ],
    [
      'LinkedPackage',
      'pkg/mod.handler',
      `handler file ${ws}/py/pkg/mod.py (which resolves to ${outside}/pkg/mod.py) is outside its code root ${ws}/py`,
    ],
    [
      'LinkedInit',
      'pkg2.mod.handler',
      `handler file ${ws}/py/pkg2/__init__.py (which resolves to ${outside}/pkg/__init__.py) is outside its code root ${ws}/py`,
    ],
    [
      'LinkedDirectoryFile',
      'lib/index.handler',
      `handler file ${ws}/src/lib/index.js (which resolves to ${outside}/lib/index.js) is outside its code root ${ws}/src`,
    ],
    [
      'LinkedCodeRoot',
      'app.handler',
      `code root ${ws}/linked-root (which resolves to ${outside}) is outside the workspace ${ws}`,
    ],
  ];

  for (const name of [
    'OutsideNode',
    'AbsoluteNode',
    'OutsidePython',
    'LinkedNode',
    'LinkedPython',
    'LinkedPackage',
    'LinkedInit',
    'LinkedDirectoryFile',
    'LinkedCodeRoot',
  ])
    it(`${name} is refused before it runs: Runtime.HandlerNotFound naming the path, exit 1`, async () => {
      const [, handler, why] = refusals().find(([n]) => n === name)!;
      const { code, out, err } = await cli(['invoke', name, '--root', ws, '--ephemeral', '--json'], ws, env);
      assert.equal(code, 1, err);
      const record = JSON.parse(out) as InvocationRecord;
      const error = record.attempts[0]?.error as { errorType?: string; errorMessage?: string } | undefined;
      assert.deepEqual(
        [error?.errorType, error?.errorMessage],
        ['Runtime.HandlerNotFound', `Cannot run ${handler}: ${why}`],
      );
      assert.equal(fs.existsSync(marker), false, 'the code outside ran');
    });

  it('a directory linked from outside whose index.js would be the Node.js handler is refused when it loads', async () => {
    const { code, out, err } = await cli(['invoke', 'LinkedDirectory', '--root', ws, '--ephemeral', '--json'], ws, env);
    assert.equal(code, 1, err);
    const error = (JSON.parse(out) as InvocationRecord).attempts[0]?.error as
      { errorType?: string; errorMessage?: string } | undefined;
    assert.equal(error?.errorType, 'Runtime.HandlerNotFound');
    assert.equal(
      error?.errorMessage,
      // require.resolve has already followed the link.
      `Cannot run lib.handler: handler file ${outside}/lib/index.js is outside its code root ${ws}/src`,
    );
    assert.equal(fs.existsSync(marker), false, 'the code outside ran');
  });

  it('list reports each of them, in the words invoke refuses them with', async () => {
    const { err } = await cli(['list', '--root', ws], ws, env);
    for (const [name, , why] of refusals()) {
      const line = err.split('\n').find((l) => l.includes(`${name}: `));
      assert.ok(line, `no diagnostic for ${name} in:\n${err}`);
      assert.ok(line.endsWith(`${name}: ${why}; it does not run [handler-outside-workspace]`), line);
    }
    assert.ok(!err.includes('Inside:'), err);
  });

  it('list refuses a directory linked from outside whose index.js would be the Node.js handler, naming its real path, as invoke does', async () => {
    const { err } = await cli(['list', '--root', ws], ws, env);
    const line = err.split('\n').find((l) => l.includes('LinkedDirectory: '));
    assert.ok(
      line?.endsWith(
        `LinkedDirectory: handler file ${outside}/lib/index.js is outside its code root ${ws}/src; it does not run [handler-outside-workspace]`,
      ),
      `${line ?? 'no diagnostic'} in:\n${err}`,
    );
  });

  it("NODE-2 a directory's index.js inside the code root is the Node.js handler: list finds it, invoke runs it", async () => {
    const listed = await cli(['list', '--root', ws], ws, env);
    assert.ok(!listed.err.includes('DirectoryIndex:'), listed.err);
    const { code, out, err } = await cli(['invoke', 'DirectoryIndex', '--root', ws, '--ephemeral', '--json'], ws, env);
    assert.equal(code, 0, err);
    assert.equal((JSON.parse(out) as InvocationRecord).attempts[0]?.result, 'index inside');
  });

  for (const [name, errorType] of [
    ['AbsoluteHandlerNode', 'Runtime.MalformedHandlerName'],
    ['AbsoluteHandlerPython', 'TypeError'],
  ] as const)
    it(`an absolute handler string (${name}) runs nothing: ${errorType}`, async () => {
      const { code, out, err } = await cli(['invoke', name, '--root', ws, '--ephemeral', '--json'], ws, env);
      assert.equal(code, 1, err);
      const error = (JSON.parse(out) as InvocationRecord).attempts[0]?.error as { errorType?: string } | undefined;
      assert.equal(error?.errorType, errorType, out);
      assert.equal(fs.existsSync(marker), false, 'the code outside ran');
    });

  it('a handler whose module is no file under its code root is looked up as Lambda does: a Node.js built-in runs', async () => {
    const { code, out, err } = await cli(
      ['invoke', 'BuiltInModule', '--root', ws, '--ephemeral', '--payload', '-', '--json'],
      ws,
      env,
      '"formatted"',
    );
    assert.equal(code, 0, err);
    assert.equal((JSON.parse(out) as InvocationRecord).attempts[0]?.result, 'formatted');
    const listed = await cli(['list', '--root', ws], ws, env);
    assert.match(listed.err, /BuiltInModule: Handler "timers\/promises\.setImmediate" resolves to no file/);
  });

  it('a package imported through a link under node_modules loads; a workspace reached through a link runs', async () => {
    const link = path.join(base, 'ws-link');
    fs.symlinkSync(ws, link, 'dir');
    const { code, out, err } = await cli(['invoke', 'Inside', '--root', link, '--ephemeral', '--json'], link, env);
    assert.equal(code, 0, err + out);
    assert.equal((JSON.parse(out) as InvocationRecord).attempts[0]?.result, 'dep from a link');
  });

  it('a handler run by its path may not reach through a link outside its directory either', async () => {
    const { code, out, err } = await cli(['invoke', 'src/linked.handler', '--json'], ws, env);
    assert.equal(code, 1, err);
    const error = (JSON.parse(out) as InvocationRecord).attempts[0]?.error as { errorMessage?: string } | undefined;
    assert.match(error?.errorMessage ?? '', /is outside its code root/);
    assert.equal(fs.existsSync(marker), false, 'the code outside ran');
  });
});
