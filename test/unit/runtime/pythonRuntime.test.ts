import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentPool, detectPythonInterpreter, type FunctionSpec } from '../../../src/core/runtime';
import { buildBootstraps, fixturesRoot } from './bootstrapBuild';
import { DEFAULT_LOCATION } from '../../../src/core/awsLocation';

const codeRoot = path.join(fixturesRoot, 'python');

function spec(handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    name: ('py-' + handler).replace(/[^A-Za-z0-9_-]/g, '_'),
    handler,
    runtime: 'python3.12',
    codeRoot,
    ...extra,
  };
}

describe('runtime: Python execution environments', function () {
  this.timeout(20000);
  let pool: EnvironmentPool;

  before(async () => {
    pool = new EnvironmentPool({
      location: DEFAULT_LOCATION,
      bootstrapDir: await buildBootstraps(),
      pythonInterpreter: 'python3',
    });
  });
  after(() => pool.dispose());

  it('PY-1 runs module.function, keeps module state warm (NODE-10) and marks cold/warm', async () => {
    const a = await pool.invoke(spec('app.handler'), '{"k":1}');
    const b = await pool.invoke(spec('app.handler'), '{"k":2}');
    assert.deepEqual(a.result, { count: 1, event: { k: 1 } });
    assert.deepEqual(b.result, { count: 2, event: { k: 2 } });
    assert.deepEqual([a.coldStart, b.coldStart], [true, false]);
    assert.equal(typeof a.metrics.initDurationMs, 'number');
  });

  it('RUNTIME-1 a python3.14 function runs (it used to be refused as an unsupported runtime)', async () => {
    const o = await pool.invoke(spec('app.handler', { name: 'py314', runtime: 'python3.14' }), '{"k":14}');
    assert.equal(o.functionError, undefined, JSON.stringify(o.error));
    assert.deepEqual(o.result, { count: 1, event: { k: 14 } });
  });

  it('PY-1 a / in the module path becomes a package path', async () => {
    assert.equal((await pool.invoke(spec('pkg/mod.handler'), '{}')).result, 'nested module');
  });

  it('PY-2 a handler without a dot is Runtime.MalformedHandlerName', async () => {
    const o = await pool.invoke(spec('app'), '{}');
    assert.equal(o.error?.errorType, 'Runtime.MalformedHandlerName');
    assert.equal(o.error?.errorMessage, "Bad handler 'app': not enough values to unpack (expected 2, got 1)");
  });

  it('PY-2 an import failure is Runtime.ImportModuleError', async () => {
    const o = await pool.invoke(spec('import_error.handler'), '{}');
    assert.equal(o.error?.errorType, 'Runtime.ImportModuleError');
    assert.equal(
      o.error?.errorMessage,
      "Unable to import module 'import_error': No module named 'no_such_module_lambda_trigger'",
    );
  });

  it('PY-2 an init error carries "requestId": "" (no invocation yet), keys in the runtime client\'s order', async () => {
    const o = await pool.invoke(spec('import_error.handler'), '{}', { requestId: 'req-init' });
    assert.equal(
      JSON.stringify(o.error),
      JSON.stringify({
        errorMessage: "Unable to import module 'import_error': No module named 'no_such_module_lambda_trigger'",
        errorType: 'Runtime.ImportModuleError',
        requestId: '',
        stackTrace: [],
      }),
    );
  });

  it("SYNC-6 an oversize Python response is Function.ResponseSizeTooLarge with Lambda's text", async () => {
    const o = await pool.invoke(spec('app.oversize'), '{}');
    assert.equal(o.functionError, 'Unhandled');
    assert.deepEqual(o.error, {
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
  });

  it('PY-2 a syntax error is Runtime.UserCodeSyntaxError', async () => {
    const o = await pool.invoke(spec('syntax_error.handler'), '{}');
    assert.equal(o.error?.errorType, 'Runtime.UserCodeSyntaxError');
    assert.match(
      o.error?.errorMessage ?? '',
      /^Syntax error in module 'syntax_error': expected ':' \(syntax_error\.py, line 1\)$/,
    );
  });

  it('PY-2 a missing function is Runtime.HandlerNotFound', async () => {
    const o = await pool.invoke(spec('app.nope'), '{}', { requestId: 'req-nf' });
    assert.deepEqual(o.error, {
      errorMessage: "Handler 'nope' missing on module 'app'",
      errorType: 'Runtime.HandlerNotFound',
      stackTrace: [],
      requestId: 'req-nf',
    });
  });

  for (const name of ['__class__', '__init__', '__loader__', '__getattribute__'])
    it(`PY-2 only the module's own functions are handlers: app.${name} is Runtime.HandlerNotFound`, async () => {
      const o = await pool.invoke(spec(`app.${name}`), '{}', { requestId: 'req-dunder' });
      assert.deepEqual(o.error, {
        errorMessage: `Handler '${name}' missing on module 'app'`,
        errorType: 'Runtime.HandlerNotFound',
        stackTrace: [],
        requestId: 'req-dunder',
      });
    });

  it('SYNC-3 a raised exception gives errorMessage, errorType, requestId and stackTrace', async () => {
    const o = await pool.invoke(spec('app.fails'), '{}', { requestId: 'req-py' });
    assert.equal(o.functionError, 'Unhandled');
    assert.equal(o.error?.errorType, 'ValueError');
    assert.equal(o.error?.errorMessage, 'bad value');
    assert.equal(o.error?.requestId, 'req-py');
    assert.deepEqual(Object.keys(o.error), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.deepEqual(o.error?.stackTrace, [
      `  File "${path.join(codeRoot, 'app.py')}", line 43, in fails\n    raise ValueError("bad value")\n`,
    ]);
  });

  it('SYNC-3 the runtime logs the error as one [ERROR] entry with its traceback', async () => {
    const o = await pool.invoke(spec('app.fails'), '{}', { requestId: 'req-py-log' });
    const line = o.logs.find((l) => l.text.startsWith('[ERROR] ValueError'));
    assert.ok(line, o.logs.map((l) => l.text).join('\n'));
    assert.equal(line.level, 'ERROR');
    assert.equal(
      line.text,
      [
        '[ERROR] ValueError: bad value',
        'Traceback (most recent call last):',
        `  File "${path.join(codeRoot, 'app.py')}", line 43, in fails`,
        '    raise ValueError("bad value")',
      ].join('\n'),
    );
  });

  it('PY-3 the context object carries every field', async () => {
    const o = await pool.invoke(spec('app.context_fields', { name: 'py-ctx' }), '{}', {
      requestId: 'req-c',
      clientContext: { a: 1 },
    });
    assert.deepEqual(o.result, {
      aws_request_id: 'req-c',
      function_name: 'py-ctx',
      function_version: '$LATEST',
      invoked_function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:py-ctx',
      memory_limit_in_mb: '128',
      log_group_name: '/aws/lambda/py-ctx',
      log_stream_name_ok: true,
      remaining_ok: true,
      client_context: { a: 1 },
      identity: null,
      exec_env: 'AWS_Lambda_python3.12',
    });
  });

  it('PY-4 logging lines are [LEVEL]\\t<time>\\t<requestId>\\t<message>; print() is captured in order', async () => {
    const o = await pool.invoke(spec('app.logs', { name: 'py-logs' }), '{}', { requestId: 'req-l' });
    // The runner's own note (the configured python3 may not be a Python 3.12) is not the handler's log.
    const logs = o.logs.filter((l) => !l.text.startsWith('[lambda-trigger]'));
    const lines = logs.map((l) => [
      l.stream,
      l.level ?? '',
      l.text.replace(/\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t/, '\t<t>\t'),
    ]);
    assert.deepEqual(lines.slice(0, 6), [
      ['stdout', '', 'init line'],
      ['platform', '', 'START RequestId: req-l Version: $LATEST'],
      ['stdout', '', 'printed'],
      ['console', 'INFO', '[INFO]\t<t>\treq-l\tinfo formatted'],
      ['console', 'WARN', '[WARNING]\t<t>\treq-l\twarned'],
      ['stderr', '', 'to stderr'],
    ]);
    assert.match(
      logs[7].text,
      /^REPORT RequestId: req-l\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms$/,
    );
  });

  describe("PY-5 the runtime's standard modules", () => {
    let root: string;
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-py-modules-'));
      // Modules named like the runtime's own: Lambda's, loaded before the handler, hide them; so must the runner's.
      for (const name of ['logging', 'decimal', 'threading', 'traceback'])
        fs.writeFileSync(
          path.join(root, `${name}.py`),
          `raise ImportError("the code root's ${name}.py was imported")\n`,
        );
      fs.writeFileSync(
        path.join(root, 'shadowed.py'),
        [
          'import decimal',
          'import logging',
          'import threading',
          'import traceback',
          'logging.getLogger("loader").warning("while loading")',
          '',
          'def handler(event, context):',
          '    return {"value": decimal.Decimal("1.5"), "formatted": traceback.format_list([])}',
          '',
        ].join('\n'),
      );
      fs.writeFileSync(
        path.join(root, 'bare.py'),
        [
          'import sys',
          'RUNTIME = ("logging", "decimal", "threading", "traceback")',
          'AT_LOAD = [m for m in RUNTIME if m in sys.modules]',
          '',
          'def handler(event, context):',
          '    return AT_LOAD',
          '',
        ].join('\n'),
      );
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('PY-5 logging, decimal, threading and traceback come from the interpreter, not from the code root, and log lines are set up as logging loads', async () => {
      const o = await pool.invoke(spec('shadowed.handler', { name: 'py-shadowed', codeRoot: root }), '{}');
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      assert.deepEqual(o.result, { value: 1.5, formatted: [] });
      const line = o.logs.find((l) => l.text.includes('while loading'));
      assert.ok(line, o.logs.map((l) => l.text).join('\n'));
      assert.equal(line.level, 'WARN');
      assert.match(line.text, /^\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\S+\twhile loading$/);
    });

    it('PY-5 a handler that imports none of them finds loaded only what the interpreter itself loads at startup', async () => {
      const o = await pool.invoke(spec('bare.handler', { name: 'py-bare-modules', codeRoot: root }), '{}');
      assert.equal(o.functionError, undefined, JSON.stringify(o.error));
      // What the interpreter's own startup loads (site-packages' .pth files may load some) is not the bootstrap's. It
      // runs in an empty directory: `-c` puts the working directory first on sys.path, and the code root's modules raise.
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-py-empty-'));
      const atStartup = JSON.parse(
        execFileSync(
          'python3',
          [
            '-c',
            'import json, sys; print(json.dumps([m for m in ("logging", "decimal", "threading", "traceback") if m in sys.modules]))',
          ],
          { encoding: 'utf8', cwd: empty },
        ),
      ) as string[];
      fs.rmSync(empty, { recursive: true, force: true });
      assert.deepEqual(o.result, atStartup);
    });
  });

  it('a result json cannot encode is Runtime.MarshalError', async () => {
    const o = await pool.invoke(spec('app.not_serialisable'), '{}', { requestId: 'req-m' });
    assert.deepEqual(o.error, {
      errorMessage: 'Unable to marshal response: Object of type set is not JSON serializable',
      errorType: 'Runtime.MarshalError',
      requestId: 'req-m',
      stackTrace: [],
    });
  });

  it('SYNC-4 an endless loop times out with Sandbox.Timedout', async () => {
    const o = await pool.invoke(spec('app.hangs', { timeout: 1 }), '{}', { requestId: 'req-t' });
    assert.deepEqual(o.error, {
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: req-t Error: Task timed out after 1.00 seconds',
    });
  });

  it('SYNC-5 sys.exit(4) is Runtime.ExitError', async () => {
    const o = await pool.invoke(spec('app.exits'), '{}', { requestId: 'req-x' });
    assert.deepEqual(o.error, {
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: req-x Error: Runtime exited with error: exit status 4',
    });
  });

  it('NODE-12 memory beyond the function size is Runtime.OutOfMemory', async () => {
    const o = await pool.invoke(spec('app.hog', { timeout: 30 }), '{}', { requestId: 'req-o' });
    assert.equal(o.error?.errorType, 'Runtime.OutOfMemory');
  });

  it('a missing interpreter is a clear init error', async () => {
    const missing = new EnvironmentPool({
      location: DEFAULT_LOCATION,
      bootstrapDir: await buildBootstraps(),
      pythonInterpreter: '/nonexistent/python3',
    });
    const o = await missing.invoke(spec('app.handler', { name: 'py-nointerp' }), '{}').finally(() => missing.dispose());
    assert.equal(o.error?.errorType, 'Runtime.InvalidEntrypoint');
    assert.equal(
      o.error?.errorMessage,
      `Cannot start the execution environment: /nonexistent/python3 not found (or code root ${codeRoot} missing)`,
    );
  });

  it('detects the workspace virtualenv (.venv, venv) above the code root', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-venv-'));
    try {
      const fnDir = path.join(root, 'functions', 'a');
      fs.mkdirSync(fnDir, { recursive: true });
      assert.equal(detectPythonInterpreter(fnDir, root), undefined);
      fs.mkdirSync(path.join(root, '.venv', 'bin'), { recursive: true });
      fs.writeFileSync(path.join(root, '.venv', 'bin', 'python3'), '');
      assert.equal(detectPythonInterpreter(fnDir, root), path.join(root, '.venv', 'bin', 'python3'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
