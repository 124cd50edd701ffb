/**
 * Handler output shown as text, by the panel and the CLI's report. A log line is the handler's to write, so it must
 * not be able to act on the screen that shows it:
 * - ANSI escape sequences (colours, cursor moves, a terminal's title or clipboard) are removed; a terminal may keep
 *   the colour ones (SGR, `ESC [ ... m`) and nothing else;
 * - the characters that reorder text (bidi embeddings, overrides and isolates, U+202A-U+202E and U+2066-U+2069), so
 *   that `txt.exe` can look like `exe.txt`, and the other control characters are shown as visible escapes (`\u202E`);
 * - a carriage return ending a line (a CRLF writer) is dropped; one inside a line is shown as `\u000D`.
 */

const UNSAFE =
  // eslint-disable-next-line no-control-regex -- these control characters are what it finds
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~])?|(\r(?=\n|$))|[\u202A-\u202E\u2066-\u2069\x00-\x08\x0B-\x1A\x1C-\x1F\x7F-\x9F]/g;
/** Select Graphic Rendition: colours and text attributes only. */
// eslint-disable-next-line no-control-regex -- ESC starts it
const SGR = /^\x1b\[[0-9;:]*m$/;

export interface DisplayTextOptions {
  /** Keep ANSI colour sequences (for a terminal that shows them). */
  keepColours?: boolean;
}

export function displayText(text: string, options: DisplayTextOptions = {}): string {
  return text.replace(UNSAFE, (match, lineEnd: string | undefined) => {
    if (lineEnd) return '';
    if (match.length > 1) return options.keepColours && SGR.test(match) ? match : '';
    return visibleEscape(match);
  });
}

function visibleEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
