import { parseArgs, type ParseArgsConfig } from 'node:util';
/** One `lambda-trigger` subcommand. Exit codes (ARCHITECTURE.md): 0 success, 1 function failure, 2 bad usage or input. */
export interface CliCommand {
  readonly name: string;
  /** One line for `lambda-trigger --help`. */
  readonly summary: string;
  /** Full usage text for `lambda-trigger <name> --help`. */
  readonly usage: string;
  run(args: readonly string[], io: CliIO): Promise<number>;
}

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal (where a line can be redrawn): progress shows there, never in a pipe or a file. */
  readonly stderrIsTTY?: boolean;
  /** stdout is a terminal: the text report keeps the colours of handler output there (never in a pipe or a file). */
  readonly stdoutIsTTY?: boolean;
  /** The terminal's width, when stderr is one. */
  readonly stderrColumns?: number;
  readStdin(): Promise<string>;
}

/** Bad usage or bad input: printed without a stack, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FUNCTION_ERROR = 1;
export const EXIT_USAGE = 2;
/**
 * The workspace's store is held by another process that serves no endpoint, or its engine cannot be used right now
 * (it closed mid-request, did not answer, or speaks another protocol version): sysexits EX_TEMPFAIL, try again later.
 */
export const EXIT_STORE_IN_USE = 75;

/** Parses a command's arguments (`strict` in the config); what parseArgs refuses is a usage error, with the usage. */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}
