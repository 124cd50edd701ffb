/**
 * The shape of a runtime process (Node.js or Python) that can be started before its environment is known (protocol.ts, PreBoot):
 * what a spare supervisor starts ahead of need, and the test of whether a cold start may take that process.
 * Pure functions: the supervisor's bundle uses them too.
 */
import type { PreBoot } from './protocol';

/**
 * Variables read when a process starts, before a configuration message could change them. Node.js: its own
 * (NODE_OPTIONS, NODE_PATH, NODE_EXTRA_CA_CERTS, ...), libuv's thread pool and OpenSSL's. Python: its own (PYTHONPATH,
 * PYTHONHOME, PYTHONUTF8, PYTHONHASHSEED, ...), HOME (the user site-packages on sys.path), PATH (sys.executable when
 * started by name) and a version manager's (PYENV_*, read by a shim). Both: the dynamic loader's and the C library's
 * (malloc tuning), and the locale and time zone. A process started with other values of these is not the process the
 * environment would have started.
 */
const STARTUP_VARIABLES = {
  node: /^(?:NODE_|UV_|OPENSSL_|SSL_|LD_|DYLD_|ELECTRON_|LC_|MALLOC_)|^(?:TZ|LANG|LANGUAGE|GLIBC_TUNABLES)$/,
  python: /^(?:PYTHON|PYENV_|LD_|DYLD_|LC_|MALLOC_)|^(?:TZ|LANG|LANGUAGE|GLIBC_TUNABLES|HOME|PATH)$/,
};

export type PreBootRuntime = keyof typeof STARTUP_VARIABLES;

/** The part of `env` a `runtime` process reads when it starts (see STARTUP_VARIABLES), in key order. */
export function startupEnvironment(
  env: Readonly<Record<string, string>>,
  runtime: PreBootRuntime = 'node',
): Record<string, string> {
  const variables = STARTUP_VARIABLES[runtime];
  const out: Record<string, string> = {};
  for (const key of Object.keys(env).sort()) if (variables.test(key)) out[key] = env[key];
  return out;
}

/**
 * The pre-boot shape of a runtime process (Node.js or Python) started as `command args` with `env`, where `args` holds
 * the executable's flags, then `bootstrapFile`, then the bootstrap's own arguments: those last come with the
 * configuration and are not part of the shape. Undefined when `args` do not name the bootstrap file.
 */
export function preBootOf(
  command: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  bootstrapFile: string,
  runtime: PreBootRuntime = 'node',
): PreBoot | undefined {
  const at = args.indexOf(bootstrapFile);
  if (at < 0) return undefined;
  return { command, args: args.slice(0, at + 1), env: startupEnvironment(env, runtime) };
}

/** The bootstrap's own arguments in `args` (those after the bootstrap file, which the pre-boot shape ends with). */
export function bootstrapArguments(args: readonly string[], preBoot: PreBoot): string[] {
  return args.slice(preBoot.args.length);
}

/** Whether a process started as `a` is the process `b` would start (same executable, flags, startup variables). */
export function samePreBoot(a: PreBoot | undefined, b: PreBoot | undefined): boolean {
  if (!a || !b || a.command !== b.command || a.args.length !== b.args.length) return false;
  if (a.args.some((arg, i) => arg !== b.args[i])) return false;
  const keys = Object.keys(a.env);
  return keys.length === Object.keys(b.env).length && keys.every((k) => b.env[k] === a.env[k]);
}
