/** A CliIO for tests: runs in `cwd`, reads `stdin` as its standard input, and keeps what the command printed. */
import type { CliIO } from '../../src/cli/command';

export type CapturedIO = CliIO & { out: string; err: string };

export function captureIO(
  cwd: string,
  stdin = '',
  env: Record<string, string> = {},
  /** Pretend stderr is a terminal (of that many columns). */
  terminal?: { columns?: number },
): CapturedIO {
  const io = {
    cwd,
    env,
    ...(terminal ? { stderrIsTTY: true, ...(terminal.columns ? { stderrColumns: terminal.columns } : {}) } : {}),
    out: '',
    err: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    readStdin: () => Promise.resolve(stdin),
  };
  return io;
}
