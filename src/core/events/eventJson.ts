/** Parses event payload text strictly, with line:column positions in the error (saved events, `validate`, `invoke`). */
import * as fs from 'node:fs';
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { EventInputError } from './eventErrors';

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Where JSON.parse stopped, from V8's message ("... in JSON at position 12"); the end of the text when it ran out. */
function v8ErrorOffset(message: string, text: string): number {
  const at = /at position (\d+)/.exec(message);
  return at ? Number(at[1]) : text.length;
}

/** JSON.parse with a clear error: `<where>:<line>:<column>: <what is wrong>`; a UTF-8 BOM is ignored. */
export function parseEventJson(text: string, where: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (err) {
    const errors: ParseError[] = [];
    try {
      parse(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    } catch {
      // jsonc-parser recurses: unclosed arrays nested thousands deep overflow it; V8's position is enough then.
      errors.length = 0;
    }
    const first = errors[0];
    const message = (err as Error).message;
    const offset = first ? first.offset : v8ErrorOffset(message, body);
    const reason = first ? printParseErrorCode(first.error) : message.replace(/ in JSON at position \d+.*$/, '');
    const { line, column } = lineColumn(body, offset);
    throw new EventInputError(`${where}:${line}:${column}: not valid JSON: ${reason}`);
  }
}

/**
 * The offset of the first byte that is not well-formed UTF-8 (overlong forms, surrogates and code points past
 * U+10FFFF included, as the WHATWG decoder rejects them), or -1 when every byte is.
 */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // The lead byte fixes the length and the range of the second byte.
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    if (i + length > bytes.length) return i;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += length;
  }
  return -1;
}

/** An event's bytes as text: a UTF-8 byte-order mark is dropped; bytes that are not UTF-8 are an error naming them. */
export function decodeEventBytes(bytes: Uint8Array, where: string): string {
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0)
    throw new EventInputError(
      `${where}: not valid UTF-8: the byte at offset ${bad} (0x${bytes[bad].toString(16).padStart(2, '0')}) does not begin a UTF-8 character`,
    );
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads an event file as UTF-8 (see decodeEventBytes); a file that cannot be read throws the file system's error. */
export function readEventFile(file: string): string {
  return decodeEventBytes(fs.readFileSync(file), file);
}
