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

/** The size of the buffer a socket read with `socketReadLines` fills: a typical invoke message fits in one read. */
const READ_BUFFER_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * The same framing for a socket read straight into one reused buffer (net.Socket's `onread` option): no stream
 * machinery, no string decoder, one string per line. A line is split only at '\n', which never occurs inside a
 * UTF-8 sequence, so each line decodes whole; a partial last line is copied out of the buffer until its end comes.
 * `onLine` returns false to stop reading the socket.
 */
export function socketReadLines(onLine: (line: string) => boolean | void): {
  buffer: Buffer;
  callback: (bytesRead: number, buffer: Buffer) => boolean;
} {
  let pending: Buffer[] = [];
  return {
    buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
    callback(bytesRead, buffer) {
      // Only what this read filled: the rest of the buffer holds older reads' bytes.
      const data = buffer.subarray(0, bytesRead);
      let start = 0;
      for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE, start)) {
        let line: string;
        if (pending.length > 0) {
          pending.push(data.subarray(start, nl));
          line = Buffer.concat(pending).toString('utf8');
          pending = [];
        } else line = data.toString('utf8', start, nl);
        if (onLine(line) === false) return false;
        start = nl + 1;
      }
      if (start < bytesRead) pending.push(Buffer.from(data.subarray(start)));
      return true;
    },
  };
}
