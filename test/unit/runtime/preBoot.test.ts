import * as assert from 'node:assert/strict';
import { bootstrapArguments, preBootOf, samePreBoot, startupEnvironment } from '../../../src/core/runtime/preBoot';

describe('runtime: the shape of a runtime process started ahead of need', () => {
  const BOOT = '/ext/dist/runtime/node-bootstrap.js';
  const env = {
    AWS_LAMBDA_FUNCTION_NAME: 'orders',
    TZ: ':UTC',
    NODE_PATH: '/opt/nodejs/node_modules',
    LANG: 'en_US.UTF-8',
    GREETING: 'hello',
    LD_LIBRARY_PATH: '/var/lang/lib',
    AWS_SECRET_ACCESS_KEY: 'not a start-time variable',
    LC_ALL: 'C',
  };

  it('keeps the variables a process reads when it starts, in key order, and nothing else', () => {
    assert.deepEqual(startupEnvironment(env), {
      LANG: 'en_US.UTF-8',
      LC_ALL: 'C',
      LD_LIBRARY_PATH: '/var/lang/lib',
      NODE_PATH: '/opt/nodejs/node_modules',
      TZ: ':UTC',
    });
    assert.deepEqual(
      Object.keys(startupEnvironment({ NODE_OPTIONS: '--x', UV_THREADPOOL_SIZE: '8', SSL_CERT_FILE: 'f' })),
      ['NODE_OPTIONS', 'SSL_CERT_FILE', 'UV_THREADPOOL_SIZE'],
    );
  });

  it("Python's are its own (PYTHON*), HOME, PATH, a version manager's, the loader's, the locale and time zone", () => {
    const python = {
      ...env,
      PYTHONPATH: '/opt/python',
      PYTHONUNBUFFERED: '1',
      HOME: '/home/sbx_user1051',
      PATH: '/var/lang/bin:/usr/bin',
      PYENV_VERSION: '3.12.4',
      NODE_OPTIONS: 'not read by Python',
    };
    assert.deepEqual(Object.keys(startupEnvironment(python, 'python')), [
      'HOME',
      'LANG',
      'LC_ALL',
      'LD_LIBRARY_PATH',
      'PATH',
      'PYENV_VERSION',
      'PYTHONPATH',
      'PYTHONUNBUFFERED',
      'TZ',
    ]);
    const boot = '/ext/dist/runtime/python_bootstrap.py';
    const shape = preBootOf('/usr/bin/python3.12', ['-u', boot, '--lt-max-log-bytes', '1'], python, boot, 'python');
    assert.deepEqual(shape?.args, ['-u', boot]);
    assert.equal(shape?.env.PYTHONPATH, '/opt/python');
    assert.equal(shape?.env.NODE_OPTIONS, undefined);
  });

  it("is the executable, its flags and the bootstrap file; the bootstrap's own arguments come with the configuration", () => {
    const args = ['--max-old-space-size=115', BOOT, '--lt-max-log-bytes', '6291456', '--lt-compiled', '/c/x.js'];
    const shape = preBootOf('/usr/bin/node', args, env, BOOT);
    assert.deepEqual(shape?.args, ['--max-old-space-size=115', BOOT]);
    assert.equal(shape?.command, '/usr/bin/node');
    assert.deepEqual(bootstrapArguments(args, shape), ['--lt-max-log-bytes', '6291456', '--lt-compiled', '/c/x.js']);
    assert.equal(preBootOf('/usr/bin/node', ['-e', '0'], env, BOOT), undefined, 'no bootstrap file, no shape');
  });

  it('two cold starts share a shape unless the executable, a flag or a start-time variable differs', () => {
    const base = preBootOf('/usr/bin/node', ['--max-old-space-size=115', BOOT, '--lt-compiled', '/a.js'], env, BOOT);
    // Another function, other variables of its own, another compiled file: the same process serves it.
    const same = preBootOf(
      '/usr/bin/node',
      ['--max-old-space-size=115', BOOT, '--lt-compiled', '/b.js'],
      { ...env, AWS_LAMBDA_FUNCTION_NAME: 'payments', GREETING: 'hi' },
      BOOT,
    );
    assert.equal(samePreBoot(base, same), true);
    const other = [
      preBootOf('/opt/node18/bin/node', ['--max-old-space-size=115', BOOT], env, BOOT),
      preBootOf('/usr/bin/node', ['--max-old-space-size=460', BOOT], env, BOOT),
      preBootOf(
        '/usr/bin/node',
        ['--max-old-space-size=115', BOOT],
        { ...env, NODE_OPTIONS: '--enable-source-maps' },
        BOOT,
      ),
      preBootOf('/usr/bin/node', ['--max-old-space-size=115', BOOT], { ...env, TZ: 'Europe/Paris' }, BOOT),
      preBootOf(
        '/usr/bin/node',
        ['--max-old-space-size=115', BOOT],
        { ...env, LANG: undefined as unknown as string },
        BOOT,
      ),
    ];
    for (const shape of other) assert.equal(samePreBoot(base, shape), false, JSON.stringify(shape));
    assert.equal(samePreBoot(base, undefined), false, 'a request that cannot be pre-booted (Python, a debug session)');
  });
});
