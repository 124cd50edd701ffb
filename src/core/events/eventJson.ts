/** Parses event payload text strictly, with line:column positions in the error (saved events, `validate`). */
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

/** JSON.parse with a clear error: `<where>:<line>:<column>: <what is wrong>`; a UTF-8 BOM is ignored. */
export function parseEventJson(text: string, where: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    const errors: ParseError[] = [];
    parse(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    const first = errors[0];
    if (!first) throw new EventInputError(`${where}: not valid JSON`);
    const { line, column } = lineColumn(body, first.offset);
    throw new EventInputError(`${where}:${line}:${column}: not valid JSON: ${printParseErrorCode(first.error)}`);
  }
}
