/**
 * The framing of the IPC protocol (see protocol.ts), shared by both ends: newline-delimited text. Returns a handler for
 * the socket's 'data' chunks that calls `onLine` once per complete line, holding a partial last line back until the
 * chunk that ends it. `onLine` returns false to drop the rest of the chunk (the channel is no longer to be read).
 */
export function lineFramer(onLine: (line: string) => boolean | void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl === -1) {
      pending += chunk;
      return;
    }
    let line = pending + chunk.slice(0, nl);
    for (;;) {
      pending = '';
      if (onLine(line) === false) return;
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      line = chunk.slice(start, nl);
    }
    pending = chunk.slice(start);
  };
}
