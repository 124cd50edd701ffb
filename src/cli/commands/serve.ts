/**
 * `lambda-trigger serve`: the workspace's API Gateway, HTTP API, function URL and ALB routes on a loopback port
 * (core/endpoints/httpFront.ts), one line per request, until interrupted.
 */
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliIO } from '../command';
import { onInterrupt } from '../interruption';
import { describeHolder } from '../../core/endpoints/engineProtocol';
import { describeRequest, HttpFront, type HttpRequestLog, type HttpRouteSummary } from '../../core/endpoints/httpFront';
import { awsEndpointExports, type AwsEndpointInfo } from '../../core/endpoints/aws/awsEndpoint';
import { EngineEndpoint } from '../../core/endpoints/engineEndpoint';
import { LocalWorkspaceEngine } from '../../core/endpoints/localWorkspaceEngine';
import { packageVersion } from '../../shared/version';
import { watchFunctionCode } from '../../core/runtime/codeWatch';
import {
  bootstrapDirOf,
  discoverFunctions,
  openWorkspaceEngine,
  workspaceRootOf,
  workspaceSettingsOf,
  withAwsCredentialFlags,
  AWS_CREDENTIAL_OPTIONS,
  AWS_CREDENTIAL_USAGE,
} from './workspaceAccount';

const USAGE = `Usage: lambda-trigger serve [--root <dir>] [--port <n>] [--aws-profile <name> | --aws-credentials]

Serves the workspace's HTTP routes on 127.0.0.1 as their integrations would: API Gateway REST APIs (payload 1.0),
HTTP APIs (payload 2.0 or 1.0), function URLs (BUFFERED and RESPONSE_STREAM) and ALB targets. Each request becomes
the event its integration sends, runs the route's function (after its Lambda authorizer, if it has one), and the
result becomes the response the integration returns. CORS preflights are answered as the template configures them.

Prints the base URL and every route (method, URL, function), the local AWS endpoint that handlers' SDK calls reach
(with the variables a script or the AWS CLI needs to use it too), then one line per request (method, path, status,
duration, function) until Ctrl-C.

URLs: API Gateway and ALB routes at their own path (GET /orders/{id} at <base>/orders/42), as \`sam local start-api\`
serves them; a function URL at <base>/lambda-url/<function name>/<its path>; a WebSocket API at
ws://127.0.0.1:<port>/<API id>/<stage> (\`npx wscat -c <url>\`), with the @connections API at
<base>/@connections/<connection id>.

Only this machine gets in: the server listens on 127.0.0.1 and refuses (403) a request whose Host is not
localhost, 127.0.0.1 or [::1] (DNS rebinding). Bodies over the integration's limit are refused with 413 (API
Gateway 10 MB, function URLs 6 MB, ALB 1 MB); an API Gateway integration times out with 504 after 29 s (REST) or
30 s (HTTP API).

While a VS Code window holds the workspace's engine, serve uses that engine through its endpoint, so the window's
Invocations panel shows every request with its HTTP request and response. Handler code changes take effect on the
next request (a cold start); routes are read from the engine's functions on every request (restart serve after
editing a template when serve holds the engine itself). When serve holds the engine itself, it serves it on the
same kind of endpoint: \`lambda-trigger executions\`, \`invoke\` or \`queues\` run in another terminal attach to it.

  --root <dir>           workspace folder (default: the current directory)
  --port <n>             port to listen on (default: the lambdaTrigger.localApi.port setting, else a free one)
${AWS_CREDENTIAL_USAGE}
Exit codes: 2 bad usage (a port that is not a number, or in use), 75 the workspace's store is held by a process that
serves no endpoint, 130 after Ctrl-C (every environment ended, the port released).`;

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new UsageError(`--port ${text} is not a port number (0 to 65535)`);
  return Number(text);
}

/** `GET    http://127.0.0.1:3000/orders/{id}  ->  OrdersFunction (template.yaml:12)` */
export function routeLines(routes: readonly HttpRouteSummary[], root: string): string[] {
  const label = (r: HttpRouteSummary) => (r.kind === 'websocket' ? `${r.method} ${r.path}` : r.method);
  const width = Math.max(6, ...routes.map((r) => label(r).length));
  const urlWidth = Math.max(...routes.map((r) => r.url.length), 0);
  const kind = {
    rest: 'REST API',
    http: 'HTTP API',
    alb: 'ALB',
    url: 'function URL',
    websocket: 'WebSocket API',
  } as const;
  return routes.map((r) => {
    const where = r.origin
      ? ` (${r.origin.file.startsWith(root) ? r.origin.file.slice(root.length + 1) : r.origin.file}:${r.origin.line})`
      : '';
    return `  ${label(r).padEnd(width)}  ${r.url.padEnd(urlWidth)}  ${r.functionName}, ${kind[r.kind]}${where}`;
  });
}

export function requestLine(log: HttpRequestLog): string {
  return `${describeRequest(log)}\n`;
}

/** Where scripts and the AWS CLI reach the local services, with the key the endpoint accepts. */
export function awsEndpointLines(endpoint: AwsEndpointInfo): string {
  return [
    `Local AWS endpoint (Lambda, SQS, SNS, EventBridge, Kinesis) at ${endpoint.url}; for scripts and the AWS CLI:`,
    `  ${awsEndpointExports(endpoint)}`,
    '',
  ].join('\n');
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: "serve the workspace's API Gateway, function URL and ALB routes on 127.0.0.1 until Ctrl-C",
  usage: USAGE,
  async run(args: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { root: { type: 'string' }, port: { type: 'string' }, ...AWS_CREDENTIAL_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const port = parsePort(values.port);
    const root = workspaceRootOf(io, values.root);
    const credentials = withAwsCredentialFlags(workspaceSettingsOf(root, io), values, io);
    const settings = credentials.settings;
    const opened = await openWorkspaceEngine({
      command: 'serve',
      io,
      root,
      settings,
      bootstrapDir: bootstrapDirOf(io),
      functions: () => discoverFunctions(root, io, settings),
      whenHeld: 'fail',
      ...(credentials.flag ? { awsCredentialsFlag: credentials.flag } : {}),
    });
    let front: HttpFront;
    try {
      front = await HttpFront.start(opened.engine, {
        port: port ?? settings.localApiPort,
        location: settings.location,
        onRequest: (log) => io.stdout(requestLine(log)),
      });
    } catch (err) {
      await opened.close();
      const code = (err as NodeJS.ErrnoException | null)?.code;
      const used = port ?? settings.localApiPort;
      const from = port === undefined ? ' (the lambdaTrigger.localApi.port setting)' : '';
      if (code === 'EADDRINUSE')
        throw new UsageError(`port ${used}${from} is in use; choose another with --port, or 0 for a free one`);
      if (code === 'EACCES')
        throw new UsageError(`port ${used}${from} cannot be used by this user; choose one above 1023`);
      throw err;
    }
    // Holding the engine itself, serve ends a function's warm environments when its code changes, so that the next
    // request runs the new code (a VS Code window's engine does that for the windows it serves).
    const engine = opened.engine;
    const watch =
      engine instanceof LocalWorkspaceEngine
        ? watchFunctionCode(
            root,
            () => engine.account.functions(),
            (names) => names.forEach((name) => engine.account.pool.retire(name)),
          )
        : undefined;
    if (watch?.problem) io.stderr(`lambda-trigger serve: ${watch.problem}\n`);
    // Holding the engine, serve lets the other commands run in a second terminal attach to it (`executions callback`,
    // `invoke`, `queues`), as a VS Code window does: without it they would find the store held and stop.
    let endpoint: EngineEndpoint | undefined;
    if (engine instanceof LocalWorkspaceEngine)
      endpoint = await EngineEndpoint.serve(engine.account, {
        workspaceRoot: root,
        owner: 'lambda-trigger serve',
        version: packageVersion,
        log: (message) => io.stderr(`lambda-trigger serve: ${message}\n`),
      }).catch((err: unknown) => {
        io.stderr(
          `lambda-trigger serve: other lambda-trigger commands cannot attach to this one (its engine endpoint did not start: ${err instanceof Error ? err.message : String(err)})\n`,
        );
        return undefined;
      });
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        watch?.dispose();
        try {
          await endpoint?.close();
          await front.close();
        } finally {
          await opened.close();
        }
      })());
    const stopped = new Promise<void>((resolve) => {
      onInterrupt(async () => {
        await close();
        resolve();
      });
    });
    const routes = await front.routes();
    const holder = opened.attachedTo ? ` (the engine of ${describeHolder(opened.attachedTo)})` : '';
    io.stdout(`Serving ${root}${holder} at ${front.url}\n`);
    if (routes.length === 0)
      io.stdout(
        '  No HTTP routes: no function has an Api, HttpApi, ALB or WebSocket route or a function URL (FunctionUrlConfig, url:).\n',
      );
    else io.stdout(`${routeLines(routes, root).join('\n')}\n`);
    try {
      io.stdout(awsEndpointLines(await engine.awsEndpoint()));
    } catch (err) {
      io.stderr(
        `lambda-trigger serve: the local AWS endpoint did not start: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
    io.stdout('Press Ctrl-C to stop.\n');
    await stopped;
    return 130;
  },
};
