/** `lambda-trigger`: the engine's command-line front (ARCHITECTURE.md). */
import { packageVersion } from '../shared/version';
import { EngineUnavailableError } from '../core/endpoints/endpointErrors';
import { decodeEventBytes } from '../core/events/eventJson';
import { StoreInUseError, StoreWriteError } from '../core/store/durableStore';
import { EXIT_STORE_IN_USE, EXIT_USAGE, UsageError, type CliCommand, type CliIO } from './command';
import { eventsCommand } from './commands/events';
import { exitCleanlyOnSignals } from './interruption';
import { invokeCommand } from './commands/invoke';
import { listCommand } from './commands/list';
import { queuesCommand } from './commands/queues';
import { executionsCommand } from './commands/executions';
import { renderCommand } from './commands/render';
import { serveCommand } from './commands/serve';
import { validateCommand } from './commands/validate';

const commands: CliCommand[] = [
  listCommand,
  invokeCommand,
  queuesCommand,
  executionsCommand,
  serveCommand,
  eventsCommand,
  renderCommand,
  validateCommand,
];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length), 8);
  return [
    `lambda-trigger ${packageVersion}: run AWS Lambda handlers locally under their event sources' semantics.`,
    '',
    'Usage: lambda-trigger <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `lambda-trigger <command> --help` for a command's options.",
    'Exit codes: 0 success, 1 function error, 2 bad usage or bad input.',
    "75: the workspace is held by a process this command cannot work with right now (see the command's --help),",
    'or its store cannot be written (a read-only folder, a full disk).',
    '130 (128 + the signal) when interrupted, after its execution environments ended and throwaway stores went.',
    '',
  ].join('\n');
}

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${packageVersion}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`lambda-trigger: unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}.\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || isParseArgsError(err)) {
      io.stderr(`lambda-trigger ${command.name}: ${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof StoreInUseError || err instanceof StoreWriteError || err instanceof EngineUnavailableError) {
      io.stderr(`lambda-trigger ${command.name}: ${err.message}\n`);
      return EXIT_STORE_IN_USE;
    }
    throw err;
  }
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
function isParseArgsError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

function processIO(): CliIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    ...(process.stderr.columns ? { stderrColumns: process.stderr.columns } : {}),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      // Strict UTF-8, as an event file is read: a bad byte is named by its offset, a byte-order mark dropped.
      return decodeEventBytes(Buffer.concat(chunks), 'stdin');
    },
  };
}

if (require.main === module) {
  exitCleanlyOnSignals();
  // `lambda-trigger list | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  runCli(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `lambda-trigger: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 70;
    },
  );
}
