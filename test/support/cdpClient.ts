/**
 * A minimal Chrome DevTools Protocol client for tests that debug a handler, run as its own process: attaches to an
 * inspector, lets the debuggee run, waits for the first pause and reports where it paused, then resumes.
 */
import { spawn } from 'node:child_process';

/**
 * A minimal Chrome DevTools Protocol client, run as its own process: lets the debuggee run, waits for the first pause
 * and prints where it paused (the script's URL and source map, the generated line and column), then resumes.
 */
const CDP_CLIENT = `
const ws = new WebSocket(process.argv[1]);
let id = 0;
const scripts = new Map();
const send = (method, params = {}) => ws.send(JSON.stringify({ id: ++id, method, params }));
ws.onopen = () => {
  send('Runtime.enable');
  send('Debugger.enable');
  send('Runtime.runIfWaitingForDebugger');
};
ws.onmessage = (event) => {
  const msg = JSON.parse(event.data);
  if (msg.method === 'Debugger.scriptParsed') scripts.set(msg.params.scriptId, msg.params);
  if (msg.method === 'Debugger.paused') {
    const frame = msg.params.callFrames[0];
    const script = scripts.get(frame.location.scriptId) || {};
    console.log(JSON.stringify({ url: script.url, sourceMapURL: script.sourceMapURL, line: frame.location.lineNumber, column: frame.location.columnNumber }));
    send('Debugger.resume');
    setTimeout(() => process.exit(0), 100);
  }
};
`;

export interface Paused {
  url: string;
  sourceMapURL?: string;
  line: number;
  column: number;
}

/** Attaches the CDP client to `url` and resolves with where the debuggee first paused. */
export function pauseOf(url: string): Promise<Paused> {
  const flags =
    typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' ? [] : ['--experimental-websocket'];
  const client = spawn(process.execPath, [...flags, '-e', CDP_CLIENT, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  client.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.kill();
      reject(new Error('the debuggee never paused'));
    }, 15_000);
    client.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.trim().split('\n')[0]) as Paused);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
