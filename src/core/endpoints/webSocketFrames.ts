/**
 * RFC 6455 on the server side, as much as API Gateway speaks: the opening handshake's accept key, and a reader that
 * turns a client's bytes into messages (masked frames, fragmentation, ping/pong, close), with API Gateway's limits
 * (WS-6): a frame over 32 KB or a message over 128 KB closes the connection with 1009. No extension is negotiated
 * (API Gateway offers no permessage-deflate either), so a frame with an RSV bit set is a protocol error.
 */
import { createHash } from 'node:crypto';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** WS-6: API Gateway's WebSocket frame size and message payload size quotas. */
export const WEBSOCKET_FRAME_LIMIT = 32 * 1024;
export const WEBSOCKET_MESSAGE_LIMIT = 128 * 1024;

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes the front uses (RFC 6455 section 7.4.1). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  noStatus: 1005,
  abnormal: 1006,
  invalidPayload: 1007,
  tooBig: 1009,
  internalError: 1011,
} as const;

/** `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`. */
export function acceptKey(clientKey: string): string {
  return createHash('sha1').update(`${clientKey}${HANDSHAKE_GUID}`).digest('base64');
}

/** A valid `Sec-WebSocket-Key`: 16 random bytes, base64-encoded. */
export function isClientKey(key: string | undefined): key is string {
  return key !== undefined && /^[A-Za-z0-9+/]{22}==$/.test(key.trim());
}

/** One unmasked server frame (servers never mask, section 5.1). */
export function encodeFrame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const length = payload.length;
  const head = length < 126 ? Buffer.alloc(2) : length < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (length < 126) head[1] = length;
  else if (length < 0x10000) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, payload]);
}

/** A close frame's payload: the code, then the reason in UTF-8 (at most 123 bytes). */
export function closePayload(code: number, reason = ''): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const out = Buffer.alloc(2 + text.length);
  out.writeUInt16BE(code, 0);
  text.copy(out, 2);
  return out;
}

export type FrameEvent =
  | { type: 'message'; binary: boolean; data: Buffer }
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  | { type: 'close'; code: number; reason: string }
  /** The client broke the protocol or a limit: the server closes with `code`. */
  | { type: 'error'; code: number; reason: string };

/** A data frame that is not the last of its message. */
const FRAGMENT = Symbol('fragment');

const fatal = (code: number, reason: string): FrameEvent => ({ type: 'error', code, reason });

function validUtf8(data: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}

/** Reads a client's byte stream frame by frame; `push` returns what the bytes completed, in order. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentBinary: boolean | undefined;
  private failed = false;

  push(chunk: Buffer): FrameEvent[] {
    if (this.failed) return [];
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const events: FrameEvent[] = [];
    for (;;) {
      const event = this.next();
      if (event === undefined) break;
      if (event === FRAGMENT) continue;
      events.push(event);
      if (event.type === 'error' || event.type === 'close') {
        this.failed = true;
        break;
      }
    }
    return events;
  }

  private next(): FrameEvent | typeof FRAGMENT | undefined {
    const b = this.buffered;
    if (b.length < 2) return undefined;
    const fin = (b[0] & 0x80) !== 0;
    const rsv = b[0] & 0x70;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let length = b[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return undefined;
      length = b.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(WEBSOCKET_FRAME_LIMIT)) return fatal(CLOSE.tooBig, 'Frame too big');
      length = Number(big);
      offset = 10;
    }
    if (rsv !== 0) return fatal(CLOSE.protocolError, 'Reserved bits set (no extension was negotiated)');
    // Section 5.1: a client frame must be masked.
    if (!masked) return fatal(CLOSE.protocolError, 'Client frames must be masked');
    const control = (opcode & 0x08) !== 0;
    if (control && (length > 125 || !fin)) return fatal(CLOSE.protocolError, 'Invalid control frame');
    if (length > WEBSOCKET_FRAME_LIMIT) return fatal(CLOSE.tooBig, 'Frame too big');
    if (b.length < offset + 4 + length) return undefined;
    const mask = b.subarray(offset, offset + 4);
    const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
    this.buffered = b.subarray(offset + 4 + length);

    switch (opcode) {
      case OPCODE.ping:
        return { type: 'ping', data: payload };
      case OPCODE.pong:
        return { type: 'pong', data: payload };
      case OPCODE.close: {
        if (payload.length === 1) return fatal(CLOSE.protocolError, 'Invalid close frame');
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : CLOSE.noStatus;
        const reason = payload.subarray(2);
        if (!validUtf8(reason)) return fatal(CLOSE.invalidPayload, 'Close reason is not UTF-8');
        return { type: 'close', code, reason: reason.toString('utf8') };
      }
      case OPCODE.text:
      case OPCODE.binary:
        if (this.fragmentBinary !== undefined) return fatal(CLOSE.protocolError, 'Expected a continuation frame');
        this.fragmentBinary = opcode === OPCODE.binary;
        return this.collect(payload, fin);
      case OPCODE.continuation:
        if (this.fragmentBinary === undefined) return fatal(CLOSE.protocolError, 'Unexpected continuation frame');
        return this.collect(payload, fin);
      default:
        return fatal(CLOSE.protocolError, `Unknown opcode ${opcode}`);
    }
  }

  /** A data frame: a whole message when it is the last of its message; else the next frame is read. */
  private collect(payload: Buffer, fin: boolean): FrameEvent | typeof FRAGMENT {
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > WEBSOCKET_MESSAGE_LIMIT) return fatal(CLOSE.tooBig, 'Message too big');
    this.fragments.push(payload);
    if (!fin) return FRAGMENT;
    const data = Buffer.concat(this.fragments);
    const binary = this.fragmentBinary === true;
    this.fragments = [];
    this.fragmentBytes = 0;
    this.fragmentBinary = undefined;
    if (!binary && !validUtf8(data)) return fatal(CLOSE.invalidPayload, 'Text message is not UTF-8');
    return { type: 'message', binary, data };
  }
}
